#!/usr/bin/env python3
"""Random differential-test program generator for Fluxion.

    gen.py --seed S [--shapes all] [-o prog.c]

Writes one self-checking C program.  The program defines a function `f`
(scalar parameters, arrays passed as pointers with their length `n`, a
loop count `m`), built from random expression trees over + - * / and libm
calls, branches, loops with run-time trip counts, local arrays and helper
functions, in `double` or in `float`.  --shapes adds (all by default) loop
nests with triangular and data-dependent bounds and early exits, pointers
selected between active and constant memory, aliased arguments and in-place
scans, strided and counting-down loops over helpers with loops, structs by
value, local arrays filled then reduced, data-dependent switches and erfc
(SHAPE_HELP); `--shapes none` gives the classic programs.  Its `main`
computes

  * directional derivatives with __enzyme_fwddiff (tangents of the result
    and of every array written in place),
  * the gradient with __enzyme_autodiff (the result seeded with 1, the
    array shadows seeded with random weights),

and compares them with central finite differences of a double-precision
copy of `f`.  A finite difference is trusted only when the steps 1e-5,
1e-6 and 1e-7 agree to 1e-4 (plus rounding noise) and the one-sided
differences agree (no kink, jump or chaotic sensitivity near the point);
otherwise the check is counted as skipped.  Float programs also
differentiate the double reference: a float derivative that is not finite
where the double one matches the finite difference (an intermediate that
overflows float) is skipped with a note.  The program
prints PASS, SKIP (no usable point) or MISMATCH lines and exits 1 on a
mismatch.

The generator builds a small AST (the `Prog` object) so that run.py can
shrink a failing program structurally; `render(prog)` turns it into C.
Python 3 standard library only; the output depends only on the seed.
"""
import argparse
import copy
import random
import sys

# ---------------------------------------------------------------- AST
# Expressions are tuples:
#   ('var', name)            scalar variable (parameter or local)
#   ('lit', value)
#   ('elem', arr, idx)       arr[idx], idx a C string over ints in scope
#   ('ivar', name)           an int variable converted to T
#   ('bin', op, a, b)        op in + - * /   (/ only with a ('pos') divisor)
#   ('neg', a)
#   ('call', fn, [args])     libm function (base double name) or helper
#   ('pos', kind, a)         positive wrapper: a*a+c, c+fabs(a), exp(a) ...
#   ('tern', cond, a, b)
# Conditions:
#   ('cmp', op, a, b)        a op b
#   ('icond', text)          integer condition (no active data)
# Statements are lists:
#   ['assign', var, op, expr]        op in = += -= *=
#   ['store', arr, idx, op, expr]
#   ['if', cond, then, else]
#   ['for', ivar, bound, body]       for (int ivar = 0; ivar < bound; ++ivar)
#   ['while', ivar, bound, cond, body]   int ivar=0; while (ivar<bound && cond)
#   ['break_if', cond]
#   ['ret_if', cond, expr]
#   ['ret', expr]
# New shapes (gen.py --shapes, all on by default):
#   ('ibound', e, scale, cap)        (int)fmin(fabs(e) * scale, cap): a data-dependent count
#   ('mk', [exprs], k)               (S){exprs..., k}: a struct value (k: its int member or None)
#   ('sfield', e, field)             e.field of a struct-valued call
#   ['loop', iv, init, cond, step, body]   for (int iv = init; cond; step), cond a string
#                                    or ['dd', iv, ibound] (iv < ibound)
#   ['cont_if', cond]                if (cond) continue;  (only in 'for' / 'loop' bodies)
#   ['psel', p, cond, a, b, wr, body]   { [const] T *p = cond ? a : b; body }
#   ['fillred', la, fill, reduce]   { T la[8]; fill loop; reduction loop }
#   ['switch', sel, cases, fall]     sel a string or an ibound; fall[i]: case i falls through

SHAPES = ('nest', 'psel', 'alias', 'stride', 'struct', 'local', 'math')
SHAPE_HELP = {
    'nest': 'triangular and data-dependent loop nests, early exits (break, continue, '
            'return) from inside nests',
    'psel': 'pointers selected between active arrays, static const tables and local '
            'constant arrays, loads (and stores) through them',
    'alias': 'one buffer passed as two dup arguments, in-place scans x[i] = g(x[i-1]), '
             'helpers called with the same array as input and output',
    'stride': 'strided and counting-down loops calling noinline / inline helpers that '
              'loop over arrays (also at pointer offsets) and store into them',
    'struct': 'small structs by value ({T a, b}, {T a; int k}, {T a, b, c}) to and from '
              'helpers and as parameters of f',
    'local': 'local arrays filled in one loop and reduced in another, data-dependent '
             'switch statements with fall-through',
    'math': 'erfc next to the other libm calls',
}
SFIELDS = {'2': ['a', 'b'], 'k': ['a'], '3': ['a', 'b', 'c']}
NEW_STMTS = {'nest', 'cont_if', 'sloop', 'scan', 'psel', 'fillred', 'dswitch'}


def plus(a, b):
    """a + b, but a - (-a) where b is -a (an exact zero sits on singular points)."""
    return ('bin', '-' if b == ('neg', a) or a == ('neg', b) else '+', a, b)


def parse_shapes(spec):
    """'all' (default), 'none' (the classic programs), 'nest,psel', 'all,-struct'."""
    if spec is None:
        return set(SHAPES)
    out = set()
    for tok in (t.strip() for t in spec.split(',')):
        if not tok:
            continue
        neg = tok.startswith('-')
        name = tok[1:] if neg else tok
        if name == 'none':
            out = set()
            continue
        if name == 'all':
            names = set(SHAPES)
        elif name in SHAPES:
            names = {name}
        else:
            raise ValueError('unknown shape %r (known: all, none, %s)' % (name, ', '.join(SHAPES)))
        out = out - names if neg else out | names
    return out

UNARY = ['sin', 'cos', 'tanh', 'atan', 'erf', 'fabs', 'exp']
UNARY_EXTRA = ['expm1', 'cbrt', 'sinh', 'asinh_', 'log1p_']
BINARY = ['fmin', 'fmax', 'hypot', 'pow', 'atan2']
POS_KINDS = ['sq', 'abs', 'exp', 'hyp', 'cosh']


class Fn:
    def __init__(self, name, params, body, attr, ret=True):
        self.name = name          # base name (suffixed for the reference copy)
        self.params = params      # list of (kind, name): 's' scalar, 'a' array, 'n', 'm', 'd' depth
        self.body = body          # list of statements
        self.attr = attr          # 'noinline', 'inline', 'static', ''
        self.locals = []          # scalar locals (name, init expr)
        self.arrays = []          # local arrays (name; 'hp..' on the heap)
        self.ret = ret            # True: returns T; False: void; 'st': returns the struct
        self.kind = ''            # helper kind ('scalar', 'array', 'loopw', 'struct', ...)
        self.slocals = []         # struct locals (name, initializing struct variable)
        self.carrays = {}         # local constant arrays: name -> 8 values


class Prog:
    def __init__(self):
        self.T = 'double'
        self.helpers = []         # Fn
        self.f = None             # Fn
        self.activity = {}        # param name -> 'active' | 'const'
        self.markers = {}         # param name -> explicit marker or None
        self.n = 3
        self.m = 2
        self.inputs = {}          # scalar name -> value; array name -> list
        self.dirs = []            # list of dicts like inputs (tangent directions)
        self.weights = {}         # array name -> list (reverse seeds)
        self.seed = 0
        self.shapes = set()       # the new shapes that were enabled (SHAPES)
        self.stype = None         # struct kind of S ('2', 'k', '3'), or None
        self.kval = 1             # the int member of a top-level struct of kind 'k'
        self.tables = {}          # static const global arrays: name -> 8 values
        self.alias = {}           # array param -> the array param whose buffer it gets


# ---------------------------------------------------------------- generation
class Gen:
    def __init__(self, seed, shapes=None):
        self.r = random.Random(seed)
        self.seed = seed
        self.counter = 0
        # with no shapes the random stream (and so every program) is the
        # classic generator's: new choices are made only when a shape is on
        self.shapes = parse_shapes(shapes) if not isinstance(shapes, (set, frozenset)) else shapes
        self.stype = None
        self.tables = []

    def on(self, shape):
        return shape in self.shapes

    def fresh(self, base):
        self.counter += 1
        return '%s%d' % (base, self.counter)

    def lit(self, lo=-1.5, hi=1.5):
        return ('lit', round(self.r.uniform(lo, hi), 3))

    # scope: dict with 'scalars' [names], 'arrays' [(name, writable)],
    # 'idx' [index strings valid for every array], 'ints' [int names],
    # 'helpers' [Fn callable], 'in_loop' bool
    def leaf(self, sc):
        r = self.r
        choices = []
        if sc['scalars']:
            choices += ['var'] * 4
        if sc['arrays'] and sc['idx']:
            choices += ['elem'] * 4
        choices += ['lit']
        if sc['ints']:
            choices += ['ivar']
        c = r.choice(choices)
        if c == 'var':
            return ('var', r.choice(sc['scalars']))
        if c == 'elem':
            return ('elem', r.choice(sc['arrays'])[0], r.choice(sc['idx']))
        if c == 'ivar':
            return ('bin', '*', ('ivar', r.choice(sc['ints'])), self.lit(0.1, 0.5))
        return self.lit()

    def pos(self, sc, d):
        return ('pos', self.r.choice(POS_KINDS), self.expr(sc, d - 1))

    def expr(self, sc, d):
        r = self.r
        if d <= 0 or r.random() < 0.2:
            return self.leaf(sc)
        sh = [h for h in sc['helpers'] if h.ret == 'st']
        k = r.choices(['bin', 'unary', 'logsqrt', 'div', 'binf', 'tern', 'helper',
                       'neg', 'extra', 'cast', 'sfield'],
                      weights=[8, 5, 2, 2, 2, 1, 2 if sc['helpers'] else 0, 1, 1, 1,
                               3 if sh else 0])[0]
        if k == 'bin':
            op, a, b = r.choice('+-*'), self.expr(sc, d - 1), self.expr(sc, d - 1)
            if op == '-' and a == b:   # an exact zero sits on singular points
                op = '+'
            elif op == '+':
                return plus(a, b)
            return ('bin', op, a, b)
        if k == 'neg':
            return ('neg', self.expr(sc, d - 1))
        if k == 'cast':   # through the other precision: fptrunc/fpext
            return ('cast', self.expr(sc, d - 1))
        if k == 'unary':
            return ('call', r.choice(UNARY + (['erfc'] if self.on('math') else [])),
                    [self.expr(sc, d - 1)])
        if k == 'sfield':   # a field of a struct returned by value
            h = r.choice(sh)
            return ('sfield', self.call_helper(h, sc, d), r.choice(SFIELDS[self.stype]))
        if k == 'extra':
            fn = r.choice(UNARY_EXTRA)
            if fn == 'cbrt':   # singular at 0, where v - v lands exactly
                return ('call', fn, [self.pos(sc, d)])
            return ('call', fn, [self.expr(sc, d - 1)])
        if k == 'logsqrt':
            return ('call', r.choice(['log', 'sqrt']), [self.pos(sc, d)])
        if k == 'div':
            return ('bin', '/', self.expr(sc, d - 1), self.pos(sc, d))
        if k == 'binf':
            fn = r.choice(BINARY)
            if fn == 'pow':
                c = r.random()
                if c < 0.4:   # positive base, active exponent
                    return ('call', 'pow', [self.pos(sc, d), ('call', 'tanh', [self.expr(sc, d - 1)])])
                if c < 0.7:   # any base, integer exponent
                    return ('call', 'pow', [self.expr(sc, d - 1), ('lit', float(r.choice([2, 3])))])
                return ('call', 'pow', [self.pos(sc, d), self.lit(-2.0, 2.5)])
            return ('call', fn, [self.expr(sc, d - 1), self.expr(sc, d - 1)])
        if k == 'tern':
            return ('tern', self.cond(sc, d - 1), self.expr(sc, d - 1), self.expr(sc, d - 1))
        if k == 'helper':
            hs = [h for h in sc['helpers'] if h.ret is True and (
                  all(kk != 'a' for kk, _ in h.params)
                  or (sc['arrays'] and 'n' in sc['intparams']))]
            if not hs:
                return self.leaf(sc)
            h = r.choice(hs)
            off = None
            if self.on('stride') and sc.get('off') and r.random() < 0.5:
                off = sc['off']
            return self.call_helper(h, sc, d, off)
        return self.leaf(sc)

    def call_helper(self, h, sc, d, off=None):
        """A call of h; with off (an index in [0, n)) arrays are passed at
        that offset with the length n - off."""
        return ('call', h.name, self.helper_args(h, sc, d, off))

    def helper_args(self, h, sc, d, off=None):
        args = []
        for kind, name in h.params:
            if kind == 's':
                args.append(self.expr(sc, d - 1))
            elif kind in ('a', 'w'):
                arrs = sc['arrays'] if kind == 'a' else [a for a in sc['arrays'] if a[1]]
                a = self.r.choice(arrs)[0]
                args.append(('arg', '%s + %s' % (a, off) if off else a))
            elif kind == 'n':
                args.append(('arg', 'n - %s' % off if off else 'n'))
            elif kind == 'd':
                args.append(('arg', str(self.r.randint(0, 3))))
            elif kind == 'st':
                if sc.get('svars') and self.r.random() < 0.5:
                    args.append(('var', self.r.choice(sc['svars'])))
                else:
                    args.append(self.mk(sc, d))
        return args

    def mk(self, sc, d):
        """A struct value (S){...} built from expressions."""
        es = [self.expr(sc, d - 1) for _ in SFIELDS[self.stype]]
        return ('mk', es, self.r.randint(1, 3) if self.stype == 'k' else None)

    def cond(self, sc, d):
        r = self.r
        if sc['ints'] and r.random() < 0.2:
            i = r.choice(sc['ints'])
            return ('icond', r.choice(['%s %% 2 == 0' % i, '%s < 1' % i, '%s != 1' % i]))
        return ('cmp', r.choice(['<', '>', '<=', '>=']), self.expr(sc, min(d, 2)),
                self.expr(sc, min(d, 2)))

    def stmts(self, sc, depth, count, fn):
        out = []
        for _ in range(count):
            out.append(self.stmt(sc, depth, fn))
        return out

    def stmt(self, sc, depth, fn):
        r = self.r
        kinds = ['assign'] * 6
        writable = [a for a, w in sc['arrays'] if w]
        if writable and sc['idx']:
            kinds += ['store'] * 3
        if depth > 0:
            kinds += ['if'] * 2 + ['for'] * 3 + ['while']
        if sc['in_loop']:
            kinds += ['break_if']
        if sc['ints'] and depth > 0:
            kinds += ['switch']
        vh = [h for h in sc['helpers'] if not h.ret]
        if vh and writable and 'n' in sc['intparams']:
            kinds += ['callstmt'] * 2
        if fn.name == 'f' and r.random() < 0.5:
            kinds += ['ret_if']
        if self.shapes:
            kinds += self.new_kinds(sc, depth, fn, writable)
        k = r.choice(kinds)
        if k in NEW_STMTS:
            return getattr(self, 'st_' + k)(sc, depth, fn)
        ed = r.randint(1, 3)
        if k == 'assign' and sc['locals']:
            v = r.choice(sc['locals'])
            op = r.choice(['=', '+=', '+=', '-=', '*='])
            e = self.expr(sc, ed)
            if op == '*=':
                e = ('call', r.choice(['cos', 'tanh', 'sin']), [e])
            elif op == '=' and r.random() < 0.5:
                e = ('bin', '+', ('bin', '*', ('var', v), self.lit(0.2, 0.9)), e)
            if (op, e) in (('+=', ('neg', ('var', v))), ('-=', ('var', v))):
                op = '-=' if op == '+=' else '+='   # v - v: an exact zero (singular points)
            return ['assign', v, op, e]
        if k == 'store':
            a = r.choice(writable)
            return ['store', a, r.choice(sc['idx']), r.choice(['=', '+=', '=']), self.expr(sc, ed)]
        if k == 'if':
            c = self.cond(sc, 2)
            t = self.stmts(sc, depth - 1, r.randint(1, 2), fn)
            e = self.stmts(sc, depth - 1, r.randint(0, 2), fn)
            return ['if', c, t, e]
        if k in ('for', 'while'):
            iv = self.fresh('i')
            sc2 = dict(sc)
            sc2['ints'] = sc['ints'] + [iv]
            sc2['in_loop'] = True
            sc2['in_for'] = k == 'for'   # 'continue' would skip a while's increment
            sc2['off'] = None
            has_arr = bool(sc['arrays'])
            if has_arr and r.random() < 0.75:
                bound = 'n'
                sc2['idx'] = sc['idx'] + [iv, '(%s + 1) %% n' % iv, 'n - 1 - %s' % iv]
            else:
                if 'm' in sc['intparams']:
                    bound = r.choice(['m', 'm + 1'])
                elif 'n' in sc['intparams']:
                    bound = 'n'
                else:
                    bound = str(r.randint(0, 3))
                if bound == 'n' and has_arr:
                    sc2['idx'] = sc['idx'] + [iv]
            body = self.stmts(sc2, depth - 1, r.randint(1, 3), fn)
            if k == 'for':
                return ['for', iv, bound, body]
            return ['while', iv, bound, self.cond(sc, 1) if r.random() < 0.3 else ('icond', '1'), body]
        if k == 'break_if':
            return ['break_if', self.cond(sc, 2)]
        if k == 'switch':
            iv = r.choice(sc['ints'])
            return ['switch', '%s %% 3' % iv,
                    [self.stmts(sc, depth - 1, r.randint(1, 2), fn) for _ in range(r.randint(1, 3))]]
        if k == 'callstmt':
            h = r.choice(vh)
            if h.kind != 'warray' or sc.get('off'):   # (only with the new shapes)
                off = sc.get('off') if r.random() < 0.6 else None
                return ['callstmt', h.name, self.helper_args(h, sc, ed, off)]
            args = [('arg', r.choice(writable)), ('arg', 'n'), self.expr(sc, ed)]
            return ['callstmt', h.name, args]
        if k == 'ret_if':
            return ['ret_if', self.cond(sc, 2), self.expr(sc, ed)]
        # fallback assign
        if sc['locals']:
            return ['assign', r.choice(sc['locals']), '+=', self.expr(sc, ed)]
        return ['assign', 'acc', '+=', self.expr(sc, ed)]

    def helper(self, idx, prior):
        r = self.r
        name = 'h%d' % idx
        kinds = ['scalar', 'scalar', 'array', 'rec', 'warray']
        attrs = ['noinline', 'inline', 'static', '']
        if self.on('stride'):
            kinds += ['loopw', 'loopw', 'loopr']
            attrs += ['always']
        if self.stype:
            kinds += ['struct', 'struct']
        kind = r.choice(kinds)
        attr = r.choice(attrs)
        fn = self.helper_kind(kind, name, attr, prior)
        fn.kind = kind
        return fn

    def helper_kind(self, kind, name, attr, prior):
        r = self.r
        if kind in ('loopw', 'loopr', 'struct'):
            return getattr(self, 'helper_' + kind)(name, attr, prior)
        if kind == 'rec':
            # recursion with a small depth
            p = [('s', 'u'), ('s', 'w'), ('d', 'd')]
            sc = dict(scalars=['u', 'w'], arrays=[], idx=[], ints=[], helpers=[],
                      in_loop=False, locals=[], intparams=[])
            base = self.expr(sc, 2)
            step = self.expr(sc, 2)
            rec = ('call', name, [step, ('var', 'w'), ('arg', 'd - 1')])
            comb = ('bin', r.choice('+*'), ('call', r.choice(['sin', 'tanh', 'atan']), [rec]),
                    self.expr(sc, 1))
            body = [['ret_if', ('icond', 'd <= 0'), base], ['ret', comb]]
            fn = Fn(name, p, body, 'noinline' if attr in ('inline', '', 'always') else attr)
            return fn
        if kind == 'warray':
            p = [('w', 'p'), ('n', 'n'), ('s', 'u')]
            sc = dict(scalars=['u', 't'], arrays=[('p', True)], idx=['0'], ints=[],
                      helpers=[h for h in prior if h.ret], in_loop=False, locals=['t'],
                      intparams=['n'])
            fn = Fn(name, p, [], attr, ret=False)
            fn.locals = [('t', ('var', 'u'))]
            iv = self.fresh('i')
            sc2 = dict(sc, ints=[iv], idx=['0', iv, '(%s + 1) %% n' % iv], in_loop=True)
            fn.body = [['for', iv, 'n', self.stmts(sc2, 0, r.randint(1, 2), fn)]]
            if r.random() < 0.5:
                fn.body.append(self.stmt(sc, 0, fn))
            return fn
        if kind == 'array':
            p = [('a', 'p'), ('n', 'n'), ('s', 'u')]
            sc = dict(scalars=['u', 't'], arrays=[('p', False)], idx=['0'], ints=[], helpers=prior,
                      in_loop=False, locals=['t'], intparams=['n'])
            fn = Fn(name, p, [], attr)
            fn.locals = [('t', ('var', 'u'))]
            body = self.stmts(sc, 1, r.randint(1, 3), fn)
            body.append(['ret', plus(('var', 't'), self.expr(sc, 1))])
            fn.body = body
            return fn
        p = [('s', 'u'), ('s', 'w')]
        sc = dict(scalars=['u', 'w'], arrays=[], idx=[], ints=[], helpers=prior,
                  in_loop=False, locals=[], intparams=[])
        fn = Fn(name, p, [], attr)
        if r.random() < 0.5:
            c = self.cond(sc, 2)
            fn.body = [['ret_if', c, self.expr(sc, 2)], ['ret', self.expr(sc, 3)]]
        else:
            fn.body = [['ret', self.expr(sc, 3)]]
        return fn

    # ------------------------------------------------------------ new shapes
    def new_kinds(self, sc, depth, fn, writable):
        k = []
        arr_n = bool(sc['arrays']) and 'n' in sc['intparams']
        if self.on('nest') and depth > 0 and arr_n:
            k += ['nest'] * 3
        if self.on('nest') and sc.get('in_for'):
            k += ['cont_if']
        if self.on('stride') and arr_n:
            k += ['sloop'] * 2
        if self.on('alias') and arr_n and writable:
            k += ['scan']
        if self.on('psel') and depth > 0 and self.psel_kinds(sc):
            k += ['psel'] * 2
        if self.on('local') and depth > 0 and arr_n and sc['locals']:
            k += ['fillred']
        if self.on('local') and depth > 0:
            k += ['dswitch']
        return k

    def loop_scope(self, sc, iv, idx, off):
        return dict(sc, ints=sc['ints'] + [iv], idx=sc['idx'] + idx, in_loop=True,
                    in_for=True, off=off)

    def exit_stmt(self, sc, fn):
        """break / continue / return from inside a loop body."""
        ks = ['break_if', 'cont_if']
        if fn.ret is True:
            ks += ['ret_if'] * 2
        k = self.r.choice(ks)
        if k == 'ret_if':
            return ['ret_if', self.cond(sc, 2), self.expr(sc, self.r.randint(1, 2))]
        return [k, self.cond(sc, 2)]

    def st_nest(self, sc, depth, fn):
        """for (i) for (k <= i) / for (k = i; k < n) / for (k < count(data))."""
        r = self.r
        i, k = self.fresh('i'), self.fresh('k')
        kind = r.choice(['tri', 'tri', 'upper', 'dd', 'dd'])
        if r.random() < 0.3:
            outer = ['n - 1', '%s >= 0' % i, '--%s' % i]
        else:
            outer = ['0', '%s < n' % i, '++%s' % i]
        sco = self.loop_scope(sc, i, [i], i)
        if kind == 'tri':
            inner = ['0', '%s <= %s' % (k, i), '++%s' % k]
            idx, off = [k, '%s - %s' % (i, k)], k
        elif kind == 'upper':
            inner = [i, '%s < n' % k, '++%s' % k]
            idx, off = [k, '%s - %s' % (k, i)], k
        else:
            if r.random() < 0.75:
                src = ('elem', r.choice(sc['arrays'])[0], i)
            else:
                src = self.expr(sco, 1)
            inner = ['0', ['dd', k, ('ibound', src, 3.0, 7.0)], '++%s' % k]
            idx, off = ['%s %% n' % k], None
        sci = self.loop_scope(sco, k, idx, off)
        body = []
        if sc['locals']:
            body.append(['assign', r.choice(sc['locals']), r.choice(['+=', '+=', '-=']),
                         ('bin', '*', ('elem', r.choice(sc['arrays'])[0], idx[0]),
                          self.expr(sci, 1))])
        body += self.stmts(sci, 0, r.randint(0, 2), fn)
        if r.random() < 0.5:
            body.insert(r.randint(0, len(body)), self.exit_stmt(sci, fn))
        ob = self.stmts(sco, 0, r.randint(0, 1), fn)
        ob.append(['loop', k] + inner + [body])
        if r.random() < 0.3:
            ob.append(self.exit_stmt(sco, fn))
        ob += self.stmts(sco, 0, r.randint(0, 1), fn)
        return ['loop', i] + outer + [ob]

    def st_cont_if(self, sc, depth, fn):
        return ['cont_if', self.cond(sc, 2)]

    def st_sloop(self, sc, depth, fn, kind=None):
        """A strided, counting-down or scanning loop over [0, n), maybe
        calling a helper on the arrays at the loop's offset."""
        r = self.r
        iv = self.fresh('i')
        writable = [a for a, w in sc['arrays'] if w]
        if kind is None:
            kind = r.choice(['stride', 'stride', 'down', 'down2'])
        if kind == 'stride':
            head = [r.choice(['0', '1']), '%s < n' % iv, '%s += %d' % (iv, r.choice([2, 3]))]
        elif kind == 'down':
            head = ['n - 1', '%s >= 0' % iv, '--%s' % iv]
        elif kind == 'down2':
            head = ['n - 1', '%s >= 0' % iv, '%s -= 2' % iv]
        else:   # scan: x[i] = g(x[i - 1])
            head = ['1', '%s < n' % iv, '++%s' % iv]
        idx = [iv, '(%s + 1) %% n' % iv, 'n - 1 - %s' % iv]
        if kind == 'scan':
            idx.append('%s - 1' % iv)
        sc2 = self.loop_scope(sc, iv, idx, iv)
        body = []
        if kind == 'scan':
            a = r.choice(writable)
            prev = ('elem', a, '%s - 1' % iv)
            g = r.choice([
                ('bin', '+', ('bin', '*', prev, self.lit(0.3, 0.9)), self.expr(sc2, 2)),
                ('call', r.choice(['sin', 'tanh', 'atan']),
                 [('bin', '+', prev, self.expr(sc2, 1))]),
                ('bin', '*', prev, ('call', 'cos', [self.expr(sc2, 2)])),
            ])
            body.append(['store', a, iv, r.choice(['=', '+=']), g])
        hs = [h for h in sc['helpers'] if any(k2 in ('a', 'w') for k2, _ in h.params)
              and (h.ret is True or writable)]
        if hs and r.random() < 0.6:
            h = r.choice(hs)
            args = self.helper_args(h, sc2, 2, iv if r.random() < 0.7 else None)
            if h.ret is True and sc['locals']:
                body.append(['assign', r.choice(sc['locals']), '+=', ('call', h.name, args)])
            elif h.ret is False:
                body.append(['callstmt', h.name, args])
        body += self.stmts(sc2, max(depth - 1, 0), r.randint(1, 2), fn)
        return ['loop', iv] + head + [body]

    def st_scan(self, sc, depth, fn):
        return self.st_sloop(sc, depth, fn, 'scan')

    def psel_pairs(self, body):
        """The (a, b) of every pointer selection in a statement list."""
        out = []
        for st in body:
            if isinstance(st, list) and st and st[0] == 'psel':
                out.append((st[3], st[4]))
            if isinstance(st, list):
                for x in st:
                    if isinstance(x, list) and x and isinstance(x[0], list):
                        out += self.psel_pairs(x)
                    elif isinstance(x, list) and x and x[0] in ('loop', 'for', 'while', 'psel',
                                                                 'fillred', 'if', 'switch'):
                        out += self.psel_pairs([x])
        return out

    def psel_kinds(self, sc):
        ks = []
        if sc['arrays'] and sc.get('tables', self.tables):
            ks += ['tab', 'tab']
        if len([a for a, w in sc['arrays'] if w]) >= 2:
            ks += ['two_w']
        if len(sc['arrays']) >= 2:
            ks += ['two_r']
        return ks

    def st_psel(self, sc, depth, fn):
        """{ const T *p = c ? active : table; ... p[i] ... }"""
        r = self.r
        pn = self.fresh('p')
        kind = r.choice(self.psel_kinds(sc))
        wr = False
        if kind == 'tab':
            a, b = r.choice(sc['arrays'])[0], r.choice(sc.get('tables', self.tables))
            if r.random() < 0.5:
                a, b = b, a
        elif kind == 'two_w':
            a, b = r.sample([a for a, w in sc['arrays'] if w], 2)
            wr = True
        else:
            a, b = [x[0] for x in r.sample(sc['arrays'], 2)]
        c = self.cond(sc, 2)
        sc2 = dict(sc, arrays=sc['arrays'] + [(pn, wr)])
        body = []
        if sc['locals']:
            body.append(['assign', r.choice(sc['locals']), '+=',
                         ('bin', '*', ('elem', pn, r.choice(sc['idx'])), self.expr(sc2, 1))])
        if wr and r.random() < 0.7:
            body.append(['store', pn, r.choice(sc['idx']), r.choice(['=', '+=']),
                         self.expr(sc2, 2)])
        body += self.stmts(sc2, depth - 1, r.randint(0, 2), fn)
        return ['psel', pn, c, a, b, wr, body]

    def st_fillred(self, sc, depth, fn):
        """{ T la[8]; for (i) la[i] = ...; for (j) v += la[j] * ...; }"""
        r = self.r
        la, i, j = self.fresh('la'), self.fresh('i'), self.fresh('i')
        if r.random() < 0.7:
            head = ['0', '%s < n' % i, '++%s' % i]
        else:
            head = ['n - 1', '%s >= 0' % i, '--%s' % i]
        scf = self.loop_scope(sc, i, [i, '(%s + 1) %% n' % i, 'n - 1 - %s' % i], i)
        fill = [['store', la, i, '=', self.expr(scf, r.randint(1, 3))]]
        if r.random() < 0.4:
            fill.append(['assign', r.choice(sc['locals']), '+=', self.expr(scf, 1)])
        rk = r.choice(['up', 'down', 'stride'])
        rhead = {'up': ['0', '%s < n' % j, '++%s' % j],
                 'down': ['n - 1', '%s >= 0' % j, '--%s' % j],
                 'stride': [r.choice(['0', '1']), '%s < n' % j, '%s += 2' % j]}[rk]
        scr = self.loop_scope(dict(sc, arrays=sc['arrays'] + [(la, True)]), j,
                              [j, '(%s + 1) %% n' % j, 'n - 1 - %s' % j], j)
        red = [['assign', r.choice(sc['locals']), r.choice(['+=', '+=', '-=']),
                ('bin', '*', ('elem', la, r.choice([j, '(%s + 1) %% n' % j])), self.expr(scr, 1))]]
        red += self.stmts(scr, 0, r.randint(0, 2), fn)
        return ['fillred', la, ['loop', i] + head + [fill], ['loop', j] + rhead + [red]]

    def st_dswitch(self, sc, depth, fn):
        """switch on a count computed from data, cases falling through."""
        r = self.r
        sel = ('ibound', self.expr(sc, 1), 2.0, 4.0)
        cases = [self.stmts(sc, depth - 1, r.randint(1, 2), fn) for _ in range(r.randint(2, 4))]
        fall = [r.random() < 0.3 for _ in cases[:-1]] + [False]
        return ['switch', sel, cases, fall]

    def helper_loopw(self, name, attr, prior):
        """void h(T *p, T *q, int n, T u): a loop storing into p, reading q."""
        r = self.r
        p = [('w', 'p'), ('a', 'q'), ('n', 'n'), ('s', 'u')]
        sc = dict(scalars=['u', 't'], arrays=[('p', True), ('q', False)], idx=['0'], ints=[],
                  helpers=[h for h in prior
                           if h.ret is True and all(k != 'a' for k, _ in h.params)],
                  in_loop=False, locals=['t'], intparams=['n'])
        fn = Fn(name, p, [], attr, ret=False)
        fn.locals = [('t', ('var', 'u'))]
        kind = r.choice(['up', 'stride', 'down'] + (['scan'] if self.on('alias') else []))
        if kind == 'up':
            iv = self.fresh('i')
            sc2 = self.loop_scope(sc, iv, [iv, '(%s + 1) %% n' % iv], iv)
            body = [['store', 'p', iv, r.choice(['=', '+=']), self.expr(sc2, 2)]]
            body += self.stmts(sc2, 0, r.randint(0, 2), fn)
            loop = ['loop', iv, '0', '%s < n' % iv, '++%s' % iv, body]
        else:
            loop = self.st_sloop(sc, 1, fn, None if kind != 'scan' else 'scan')
            if kind != 'scan':
                iv = loop[1]
                loop[5].insert(0, ['store', 'p', iv, r.choice(['=', '+=']), self.expr(
                    self.loop_scope(sc, iv, [iv], iv), 2)])
        fn.body = [loop]
        if r.random() < 0.4:
            fn.body.append(['store', 'p', '0', '+=', self.expr(sc, 1)])
        return fn

    def helper_loopr(self, name, attr, prior):
        """T h(T *q, int n, T u): a strided / reversed reduction over q."""
        r = self.r
        p = [('a', 'q'), ('n', 'n'), ('s', 'u')]
        sc = dict(scalars=['u', 't'], arrays=[('q', False)], idx=['0'], ints=[],
                  helpers=[h for h in prior
                           if h.ret is True and all(k != 'a' for k, _ in h.params)],
                  in_loop=False, locals=['t'], intparams=['n'])
        fn = Fn(name, p, [], attr)
        fn.locals = [('t', ('var', 'u'))]
        loop = self.st_sloop(sc, 1, fn)
        iv = loop[1]
        loop[5].insert(0, ['assign', 't', r.choice(['+=', '-=']), ('bin', '*', ('elem', 'q', iv),
                           self.expr(self.loop_scope(sc, iv, [iv], iv), 1))])
        fn.body = [loop, ['ret', plus(('var', 't'), self.expr(sc, 1))]]
        return fn

    def helper_struct(self, name, attr, prior):
        """S h(S p, T u) { S r = p; r.a = ...; return r; }"""
        r = self.r
        fl = SFIELDS[self.stype]
        p = [('st', 'p'), ('s', 'u')]
        sc = dict(scalars=['p.' + f for f in fl] + ['u'] + ['r.' + f for f in fl], arrays=[],
                  idx=[], ints=['p.k'] if self.stype == 'k' else [],
                  helpers=[h for h in prior
                           if h.ret and all(k in ('s', 'st') for k, _ in h.params)],
                  in_loop=False, locals=['r.' + f for f in fl], intparams=[], svars=['p'])
        fn = Fn(name, p, [], attr, ret='st')
        fn.slocals = [('r', 'p')]
        body = [['assign', 'r.' + r.choice(fl), '=', self.expr(sc, 2)]]
        body += self.stmts(sc, 1, r.randint(0, 2), fn)
        if self.stype == 'k' and r.random() < 0.6:
            iv = self.fresh('i')
            body.append(['loop', iv, '0', '%s < p.k' % iv, '++%s' % iv,
                         [['assign', 'r.a', '=', ('bin', '+', ('bin', '*', ('var', 'r.a'),
                                                              self.lit(0.3, 0.9)),
                                                 self.expr(sc, 2))]]])
        body.append(['ret', ('var', 'r')])
        fn.body = body
        return fn

    def program(self):
        r = self.r
        P = Prog()
        P.seed = self.seed
        P.shapes = set(self.shapes)
        if self.on('struct'):
            self.stype = P.stype = r.choice(['2', '2', 'k', '3'])
        if self.on('psel'):
            P.tables['ktab'] = [r.randint(-24, 24) / 16.0 for _ in range(8)]
            self.tables = ['ktab']
        P.T = 'float' if r.random() < 0.3 else 'double'
        nh = r.randint(0, 3)
        for i in range(nh):
            P.helpers.append(self.helper(i, list(P.helpers)))
        shape = r.choice(['scalar', 'array', 'array', 'mixed'])
        params = []
        if shape in ('scalar', 'mixed'):
            for i in range(r.randint(1, 4) if shape == 'scalar' else r.randint(1, 2)):
                params.append(('s', 'abcd'[i]))
        if shape in ('array', 'mixed'):
            na = r.randint(1, 2)
            for i in range(na):
                params.append(('a', 'xy'[i]))
            params.append(('n', 'n'))
        if r.random() < 0.5:
            params.append(('m', 'm'))
        if shape == 'scalar' or r.random() < 0.3:
            r.shuffle(params)
        # a struct parameter s (three doubles travel in memory, byval, where
        # reverse mode has no adjoint to return: helpers only)
        if self.stype and (self.stype != '3' or P.T == 'float') and r.random() < 0.5:
            params.insert(r.randint(0, len(params)), ('st', 's'))
            P.kval = r.randint(1, 3)
        arrays = [nm for k, nm in params if k == 'a']
        scalars = [nm for k, nm in params if k == 's']
        P.n = r.randint(1, 5)
        P.m = r.randint(0, 3)
        # which arrays are written
        written = {a: r.random() < 0.6 for a in arrays}
        locals_ = ['v%d' % i for i in range(r.randint(1, 3))]
        local_arrays = [r.choice(['t', 't', 'hp']) + '0'] if arrays and r.random() < 0.4 else []
        arr_scope = [(a, written[a]) for a in arrays] + [(t, True) for t in local_arrays]
        intparams = [nm for k, nm in params if k in ('n', 'm')]
        sc = dict(scalars=scalars + locals_, arrays=arr_scope, idx=['0'] if arrays else [],
                  ints=[], helpers=P.helpers, in_loop=False, locals=locals_,
                  intparams=intparams)
        # helpers taking arrays need an array in scope
        if not arrays:
            sc['helpers'] = [h for h in P.helpers if all(k not in ('a', 'w') for k, _ in h.params)]
        fn = Fn('f', params, [], r.choice(['noinline', '', 'static']))
        if self.on('alias') and len(arrays) == 2 and r.random() < 0.4:
            P.alias[arrays[1]] = arrays[0]   # f(x, x): one buffer, two dup arguments
        if ('st', 's') in params:
            fl = ['s.' + f for f in SFIELDS[self.stype]]
            sc['scalars'] = sc['scalars'] + fl
            sc['svars'] = ['s']
            if self.stype == 'k':
                sc['ints'] = ['s.k']
            if r.random() < 0.3:   # assign to a field of the by-value parameter
                sc['locals'] = sc['locals'] + [fl[0]]
        if self.on('psel') and arrays:
            sc['tables'] = list(self.tables)
            if r.random() < 0.5:
                fn.carrays['kc0'] = [r.randint(-24, 24) / 16.0 for _ in range(8)]
                sc['tables'].append('kc0')
        init_sc = dict(sc, scalars=scalars, locals=[])
        fn.locals = [(v, self.expr(init_sc, 1)) for v in locals_]
        fn.arrays = local_arrays
        body = self.stmts(sc, 2, r.randint(2, 5), fn)
        body.append(['ret', self.expr(sc, 3)])
        fn.body = body
        P.f = fn
        # activity and markers
        for k, nm in params:
            if k == 's':
                P.activity[nm] = 'const' if r.random() < 0.1 else 'active'
                P.markers[nm] = ('enzyme_const' if P.activity[nm] == 'const'
                                 else (r.choice([None, 'enzyme_out'])))
            elif k == 'a':
                P.activity[nm] = 'const' if (not written[nm] and r.random() < 0.15) else 'active'
                P.markers[nm] = ('enzyme_const' if P.activity[nm] == 'const'
                                 else r.choice([None, 'enzyme_dup']))
            elif k == 'st':
                P.activity[nm] = 'const' if r.random() < 0.1 else 'active'
                P.markers[nm] = ('enzyme_const' if P.activity[nm] == 'const'
                                 else (r.choice([None, 'enzyme_out'])))
            else:
                P.markers[nm] = r.choice([None, None, 'enzyme_const'])
        # a pointer that may address an enzyme_const argument or active memory
        # is an error (the const side has no shadow): such an argument is dup
        for a, b in self.psel_pairs(fn.body):
            for c, other in ((a, b), (b, a)):
                if (P.activity.get(c) == 'const' and other not in P.tables
                        and other not in fn.carrays):
                    P.activity[c] = 'active'
                    P.markers[c] = None
        for nm in P.alias:   # an aliased pair is active on both sides
            P.activity[nm] = P.activity[P.alias[nm]] = 'active'
            for a in (nm, P.alias[nm]):
                if P.markers[a] == 'enzyme_const':
                    P.markers[a] = None
        nf = len(SFIELDS[self.stype]) if self.stype else 0
        for k, nm in params:
            if k == 'st':   # tuples: run.py's shrinker resizes only lists
                P.inputs[nm] = tuple(round(r.uniform(-1.5, 1.5), 4) for _ in range(nf))
            if k == 's':
                P.inputs[nm] = round(r.uniform(-1.5, 1.5), 4)
            elif k == 'a':
                P.inputs[nm] = [round(r.uniform(-1.5, 1.5), 4) for _ in range(P.n)]
                P.weights[nm] = [round(r.uniform(-1, 1), 3) for _ in range(P.n)]
        for _ in range(2):
            d = {}
            for k, nm in params:
                if k == 's':
                    d[nm] = round(r.uniform(-1, 1), 3)
                elif k == 'st':
                    d[nm] = tuple(round(r.uniform(-1, 1), 3) for _ in range(nf))
                elif k == 'a':
                    d[nm] = [round(r.uniform(-1, 1), 3) for _ in range(P.n)]
            P.dirs.append(d)
        return P


# ---------------------------------------------------------------- rendering
def fmt_lit(v, T):
    s = repr(float(v))
    return s + ('f' if T == 'float' else '')


def libm(name, T):
    return name + ('f' if T == 'float' else '')


ATTRS = {'noinline': 'static __attribute__((noinline)) ', 'inline': 'static inline ',
         'always': 'static inline __attribute__((always_inline)) ', 'static': 'static ', '': ''}


class R:
    def __init__(self, prog, T, sfx):
        self.P = prog
        self.T = T
        self.sfx = sfx
        self.helper_names = {h.name for h in prog.helpers} | {'f'}
        self.S = 'S' + sfx   # the struct type of this variant

    def an(self, name):
        """An array's name in this variant (global tables have one per variant)."""
        return name + self.sfx if name in self.P.tables else name

    def typedefs(self):
        out = []
        if self.P.stype:
            fl = SFIELDS[self.P.stype]
            out.append('typedef struct { %s %s;%s } %s;' % (
                self.T, ', '.join(fl), ' int k;' if self.P.stype == 'k' else '', self.S))
        for nm, vals in sorted(self.P.tables.items()):
            out.append('static const %s %s[8] = {%s};' % (
                self.T, self.an(nm), ', '.join(fmt_lit(v, self.T) for v in vals)))
        return out

    def e(self, x):
        T = self.T
        k = x[0]
        if k == 'var':
            return x[1]
        if k == 'lit':
            v = x[1]
            return '(' + fmt_lit(v, T) + ')' if v < 0 else fmt_lit(v, T)
        if k == 'elem':
            return '%s[%s]' % (self.an(x[1]), x[2])
        if k == 'ivar':
            return '(%s)(%s + 1)' % (T, x[1])   # never exactly zero
        if k == 'arg':
            return self.an(x[1])
        if k == 'ibound':   # a bounded non-negative count from data
            return '(int)%s(%s(%s) * %s, %s)' % (libm('fmin', T), libm('fabs', T), self.e(x[1]),
                                                 fmt_lit(x[2], T), fmt_lit(x[3], T))
        if k == 'mk':
            vals = [self.e(a) for a in x[1]] + ([str(x[2])] if x[2] is not None else [])
            return '((%s){%s})' % (self.S, ', '.join(vals))
        if k == 'sfield':
            return '%s.%s' % (self.e(x[1]), x[2])
        if k == 'bin':
            return '(%s %s %s)' % (self.e(x[2]), x[1], self.e(x[3]))
        if k == 'neg':
            return '(-%s)' % self.e(x[1])
        if k == 'cast':
            if self.sfx:   # the reference keeps double precision
                return self.e(x[1])
            other = 'float' if T == 'double' else 'double'
            return '(%s)(%s)%s' % (T, other, self.e(x[1]))
        if k == 'pos':
            a = self.e(x[2])
            kind = x[1]
            if kind == 'sq':
                return '(%s * %s + %s)' % (a, a, fmt_lit(0.5, T))
            if kind == 'abs':
                return '(%s + %s(%s))' % (fmt_lit(0.75, T), libm('fabs', T), a)
            if kind == 'exp':
                return '%s(%s(%s))' % (libm('exp', T), libm('tanh', T), a)
            if kind == 'hyp':
                return '%s(%s, %s)' % (libm('hypot', T), a, fmt_lit(0.8, T))
            return '%s(%s)' % (libm('cosh', T), a)
        if k == 'call':
            fn = x[1]
            args = ', '.join(self.e(a) for a in x[2])
            if fn in self.helper_names:
                return '%s%s(%s)' % (fn, self.sfx, args)
            if fn == 'asinh_':   # asinh written with log and sqrt
                a = self.e(x[2][0])
                return '%s(%s + %s(%s * %s + %s))' % (libm('log', T), a, libm('sqrt', T), a, a,
                                                        fmt_lit(1.0, T))
            if fn == 'log1p_':
                return '%s(%s(%s))' % (libm('log1p', T), libm('fabs', T), self.e(x[2][0]))
            return '%s(%s)' % (libm(fn, T), args)
        if k == 'tern':
            return '(%s ? %s : %s)' % (self.c(x[1]), self.e(x[2]), self.e(x[3]))
        if k in ('cmp', 'icond'):
            return self.c(x)
        raise ValueError(k)

    def c(self, x):
        if x[0] == 'cmp':
            return '%s %s %s' % (self.e(x[2]), x[1], self.e(x[3]))
        return x[1]

    def s(self, st, ind, out):
        p = '  ' * ind
        k = st[0]
        if k == 'assign':
            out.append('%s%s %s %s;' % (p, st[1], st[2], self.e(st[3])))
        elif k == 'store':
            out.append('%s%s[%s] %s %s;' % (p, st[1], st[2], st[3], self.e(st[4])))
        elif k == 'if':
            out.append('%sif (%s) {' % (p, self.c(st[1])))
            for t in st[2]:
                self.s(t, ind + 1, out)
            if st[3]:
                out.append('%s} else {' % p)
                for t in st[3]:
                    self.s(t, ind + 1, out)
            out.append('%s}' % p)
        elif k == 'for':
            out.append('%sfor (int %s = 0; %s < %s; ++%s) {' % (p, st[1], st[1], st[2], st[1]))
            for t in st[3]:
                self.s(t, ind + 1, out)
            out.append('%s}' % p)
        elif k == 'while':
            out.append('%s{' % p)
            out.append('%s  int %s = 0;' % (p, st[1]))
            out.append('%s  while (%s < %s && (%s)) {' % (p, st[1], st[2], self.c(st[3])))
            for t in st[4]:
                self.s(t, ind + 2, out)
            out.append('%s    ++%s;' % (p, st[1]))
            out.append('%s  }' % p)
            out.append('%s}' % p)
        elif k == 'break_if':
            out.append('%sif (%s) break;' % (p, self.c(st[1])))
        elif k == 'switch':
            sel = st[1] if isinstance(st[1], str) else self.e(st[1])
            fall = st[3] if len(st) > 3 else [False] * len(st[2])
            out.append('%sswitch (%s) {' % (p, sel))
            for ci, case in enumerate(st[2]):
                last = ci == len(st[2]) - 1
                out.append('%s%s:' % (p, 'default' if last else 'case %d' % ci))
                for t in case:
                    self.s(t, ind + 1, out)
                if not fall[ci]:
                    out.append('%s  break;' % p)
            out.append('%s}' % p)
        elif k == 'loop':
            cond = st[3] if isinstance(st[3], str) else '%s < %s' % (st[3][1], self.e(st[3][2]))
            out.append('%sfor (int %s = %s; %s; %s) {' % (p, st[1], st[2], cond, st[4]))
            for t in st[5]:
                self.s(t, ind + 1, out)
            out.append('%s}' % p)
        elif k == 'cont_if':
            out.append('%sif (%s) continue;' % (p, self.c(st[1])))
        elif k == 'psel':
            out.append('%s{' % p)
            out.append('%s  %s%s *%s = (%s) ? %s : %s;' % (
                p, '' if st[5] else 'const ', self.T, st[1], self.c(st[2]), self.an(st[3]),
                self.an(st[4])))
            for t in st[6]:
                self.s(t, ind + 1, out)
            out.append('%s}' % p)
        elif k == 'fillred':
            out.append('%s{' % p)
            out.append('%s  %s %s[8];' % (p, self.T, st[1]))
            self.s(st[2], ind + 1, out)
            self.s(st[3], ind + 1, out)
            out.append('%s}' % p)
        elif k == 'callstmt':
            out.append('%s%s%s(%s);' % (p, st[1], self.sfx, ', '.join(self.e(a) for a in st[2])))
        elif k == 'ret_if':
            out.append('%sif (%s) return %s;' % (p, self.c(st[1]), self.e(st[2])))
        elif k == 'ret':
            heap = [a for a in self.cur.arrays if a.startswith('hp')]
            if heap:
                out.append('%s{' % p)
                out.append('%s  %s r_ = %s;' % (p, self.T, self.e(st[1])))
                for a in heap:
                    out.append('%s  free(%s);' % (p, a))
                out.append('%s  return r_;' % p)
                out.append('%s}' % p)
            else:
                out.append('%sreturn %s;' % (p, self.e(st[1])))
        else:
            raise ValueError(k)

    def fn(self, F):
        T = self.T
        ps = []
        for k, nm in F.params:
            if k == 's':
                ps.append('%s %s' % (T, nm))
            elif k in ('a', 'w'):
                ps.append('%s *%s' % (T, nm))
            elif k == 'st':
                ps.append('%s %s' % (self.S, nm))
            else:
                ps.append('int %s' % nm)
        attr = ATTRS[F.attr]
        if F.name == 'f' and self.sfx:
            attr = 'static ' if F.attr != 'noinline' else 'static __attribute__((noinline)) '
        self.cur = F
        out = ['%s%s %s%s(%s) {' % (attr, self.rtype(F), F.name, self.sfx, ', '.join(ps))]
        for nm, vals in sorted(F.carrays.items()):
            out.append('  const %s %s[8] = {%s};' % (T, nm, ', '.join(fmt_lit(v, T) for v in vals)))
        for nm, init in F.slocals:
            out.append('  %s %s = %s;' % (self.S, nm, init))
        for nm in F.arrays:
            if nm.startswith('hp'):
                out.append('  %s *%s = (%s *)malloc(8 * sizeof(%s));' % (T, nm, T, T))
                out.append('  for (int k_ = 0; k_ < 8; ++k_) %s[k_] = %s + %s * k_;'
                           % (nm, fmt_lit(0.25, T), fmt_lit(0.125, T)))
            else:
                out.append('  %s %s[8] = {%s};' % (T, nm, ', '.join(
                    fmt_lit(0.25 + 0.125 * i, T) for i in range(8))))
        for nm, init in F.locals:
            out.append('  %s %s = %s;' % (T, nm, self.e(init)))
        for st in F.body:
            self.s(st, 1, out)
        out.append('}')
        return out

    def decl(self, F):
        T = self.T
        ps = []
        for k, nm in F.params:
            ps.append({'s': T, 'a': T + ' *', 'w': T + ' *', 'st': self.S}.get(k, 'int'))
        return '%s%s %s%s(%s);' % (ATTRS[F.attr], self.rtype(F), F.name, self.sfx, ', '.join(ps))

    def rtype(self, F):
        return self.S if F.ret == 'st' else self.T if F.ret else 'void'


HARNESS = r'''
/* ---------------------------------------------------------------- harness */
static volatile int g_n = @N@, g_m = @M@;
static int n_checks, n_skips, n_fail;
#define NZ @NZ@
#define NO @NO@
/* not const and not static: the compiler must not fold the checks */
double z0[NZ > 0 ? NZ : 1] = {@Z0@};
static const double dirs[2][NZ > 0 ? NZ : 1] = {{@D0@}, {@D1@}};
static const double wts[NO] = {@W@};  /* weight of each output (ret first) */
static const int active[NZ > 0 ? NZ : 1] = {@ACT@};

/* reference: double copy of f; z -> outputs (ret, then array contents) */
static void G(const double *z, double *o) {
@GREF@
}
static double Phi(const double *z) {
  double o[NO];
  G(z, o);
  double s = 0;
  for (int k = 0; k < NO; ++k) s += wts[k] * o[k];
  return s;
}
/* central difference of output k (k < 0: Phi) along v; returns 0 when unstable */
static double evalk(const double *z, int k) {
  if (k < 0) return Phi(z);
  double o[NO];
  G(z, o);
  return o[k];
}
static double shifted(const double *z, const double *v, double h, int k) {
  double zz[NZ > 0 ? NZ : 1];
  for (int i = 0; i < NZ; ++i) zz[i] = z[i] + h * v[i];
  return evalk(zz, k);
}
static int fd(const double *z, const double *v, int k, double *res, double *err) {
  double h1 = 1e-5, h2 = 1e-6, h3 = 1e-7;
  double p1 = shifted(z, v, h1, k), m1 = shifted(z, v, -h1, k);
  double p2 = shifted(z, v, h2, k), m2 = shifted(z, v, -h2, k);
  double p3 = shifted(z, v, h3, k), m3 = shifted(z, v, -h3, k);
  double c = evalk(z, k);
  double d1 = (p1 - m1) / (2 * h1), d2 = (p2 - m2) / (2 * h2), d3 = (p3 - m3) / (2 * h3);
  double r = (p1 - c) / h1, l = (c - m1) / h1;
  if (!isfinite(d1) || !isfinite(d2) || !isfinite(d3) || !isfinite(c)) return 0;
  /* the three steps agree up to truncation (1e-4) and rounding noise
     (a few ulps of the value over the step): no kink, jump or chaos */
  double ulp = 4e-16 * fmax(fabs(c), 1.0);
  if (fabs(d1 - d2) > 1e-4 * fmax(fabs(d1), fabs(d2)) + ulp / h2 + 1e-9) return 0;
  if (fabs(d2 - d3) > 1e-4 * fmax(fabs(d2), fabs(d3)) + ulp / h3 + 1e-9) return 0;
  if (fabs(r - l) > 1e-3 * fmax(fmax(fabs(r), fabs(l)), 1.0)) return 0;
  *res = d1;
  *err = ulp / h1 + fabs(d1 - d2);   /* rounding and truncation of d1 */
  return 1;
}
/* alt: the same derivative of the double reference (float programs), else NAN */
static void compare(const char *what, int idx, double ad, double alt, const double *z,
                    const double *v, int k) {
  double ref, err;
  if (!fd(z, v, k, &ref, &err)) { ++n_skips; return; }
  double tol = @TOL@ * fmax(fmax(fabs(ref), fabs(ad)), @FLOOR@) + err;
  if (!isfinite(ad) && isfinite(alt) && fabs(alt - ref) <= 1e-4 * fmax(fabs(ref), 1e-3) + err) {
    ++n_skips;   /* the float derivative overflows; the double one is right */
    printf("note: %s[%d] overflows in float (double: %.10g)\n", what, idx, alt);
    return;
  }
  ++n_checks;
  if (!(fabs(ad - ref) <= tol)) {
    ++n_fail;
    printf("MISMATCH %s[%d]: ad=%.10g fd=%.10g\n", what, idx, ad, ref);
  }
}
static void same(const char *what, int idx, double got, double want) {
  ++n_checks;
  if (!(fabs(got - want) <= @TOL@ * fmax(fabs(want), 1.0))) {
    ++n_fail;
    printf("MISMATCH %s[%d]: got=%.10g want=%.10g\n", what, idx, got, want);
  }
}

int main(void) {
  int n = g_n, m = g_m;
  (void)n; (void)m;
  double o[NO];
  feclearexcept(FE_ALL_EXCEPT);
  G(z0, o);
  if (fetestexcept(FE_OVERFLOW | FE_INVALID | FE_DIVBYZERO)) {
    printf("SKIP: floating-point exception in the primal\n");
    return 0;
  }
  for (int k = 0; k < NO; ++k)
    if (!isfinite(o[k]) || fabs(o[k]) > 1e6) { printf("SKIP: value out of range\n"); return 0; }
  /* the program's own precision must agree with the reference */
  double ot[NO];   /* the primal outputs of f itself: what the derivatives' primals must give */
  {
    feclearexcept(FE_ALL_EXCEPT);
@GT@
    if (fetestexcept(FE_OVERFLOW | FE_INVALID | FE_DIVBYZERO)) {
      printf("SKIP: floating-point exception in the primal\n");
      return 0;
    }
    for (int k = 0; k < NO; ++k)
      if (!(fabs(ot[k] - o[k]) <= 1e-3 * fmax(fabs(o[k]), 1.0))) {
        printf("SKIP: precision diverges\n");
        return 0;
      }
  }
  /* forward mode along two directions */
  for (int dir = 0; dir < 2; ++dir) {
    const double *v = dirs[dir];
    double dret = 0, dout[NO], pout[NO], aout[NO];
    for (int k = 0; k < NO; ++k) aout[k] = NAN;
@FWD@
    dout[0] = dret;
@FWDREF@
    for (int k = 0; k < NO; ++k)
      compare(k == 0 ? "fwd.ret" : "fwd.out", k, dout[k], aout[k], z0, v, k);
    for (int k = 1; k < NO; ++k) same("fwd.primal", k, pout[k], ot[k]);
  }
  /* reverse mode: gradient of ret + sum(weights * outputs) */
  {
    double grad[NZ > 0 ? NZ : 1], agrad[NZ > 0 ? NZ : 1], pout[NO];
    for (int i = 0; i < NZ; ++i) grad[i] = 0, agrad[i] = NAN;
@REV@
@REVREF@
    for (int i = 0; i < NZ; ++i) {
      if (!active[i]) continue;
      double e[NZ > 0 ? NZ : 1];
      for (int j = 0; j < NZ; ++j) e[j] = j == i ? 1.0 : 0.0;
      compare("rev", i, grad[i], agrad[i], z0, e, -1);
    }
    for (int k = 1; k < NO; ++k) same("rev.primal", k, pout[k], ot[k]);
  }
  if (n_fail) { printf("FAIL checks=%d skips=%d failures=%d\n", n_checks, n_skips, n_fail); return 1; }
  printf("PASS checks=%d skips=%d\n", n_checks, n_skips);
  return 0;
}
'''


def render(P):
    T = P.T
    params = P.f.params
    arrs = [nm for k, nm in params if k == 'a']
    own = [a for a in arrs if a not in P.alias]   # arrays with a buffer of their own
    nf = len(SFIELDS[P.stype]) if P.stype else 0
    n = P.n
    # layout of z: params in order; scalar = 1 slot, array = n slots (none
    # for an array aliasing another), struct = one slot per floating field
    zoff = {}
    off = 0
    for k, nm in params:
        if k == 's':
            zoff[nm] = off
            off += 1
        elif k == 'st':
            zoff[nm] = off
            off += nf
        elif k == 'a' and nm not in P.alias:
            zoff[nm] = off
            off += n
    NZ = off
    # outputs: ret, then each active array
    out_arrs = [a for a in own if P.activity[a] == 'active']
    ooff = {}
    o = 1
    for a in out_arrs:
        ooff[a] = o
        o += n
    NO = o
    lines = ['/* generated by gen.py --seed %d%s */' % (
                 P.seed, ' --shapes ' + (','.join(s for s in SHAPES if s in P.shapes) or 'none')
                 if P.shapes != set(SHAPES) else ''),
             '#include <fenv.h>', '#include <math.h>', '#include <stdio.h>',
             '#include <stdlib.h>', '',
             'int enzyme_const, enzyme_dup, enzyme_out;']
    # reverse mode returns the adjoints of active scalars and of the
    # floating fields of active structs, in order
    nact = []   # z slots
    for k, nm in params:
        if k == 's' and P.activity[nm] == 'active':
            nact.append(zoff[nm])
        elif k == 'st' and P.activity[nm] == 'active':
            nact += [zoff[nm] + i for i in range(nf)]
    if len(nact) == 0:
        rtype = 'void'
    elif len(nact) == 1:
        rtype = T
    else:
        lines.append('typedef struct { %s; } grad_t;' % '; '.join('%s d%d' % (T, i) for i in range(len(nact))))
        rtype = 'grad_t'
    lines.append('%s __enzyme_autodiff(void *, ...);' % rtype)
    lines.append('%s __enzyme_fwddiff(void *, ...);' % T)
    lines.append('')
    variants = [(T, ''), ('double', '_ref')]
    for TT, sfx in variants:
        rr = R(P, TT, sfx)
        lines.extend(rr.typedefs())
        for h in P.helpers:
            lines.append(rr.decl(h))
        for h in P.helpers:
            lines.extend(rr.fn(h))
        lines.extend(rr.fn(P.f))
        lines.append('')
    ref = '_ref'

    def struct(S, TT, src, nm, k=None):
        vals = ['(%s)%s[%d]' % (TT, src, zoff[nm] + i) for i in range(nf)]
        if P.stype == 'k':
            vals.append(str(P.kval if k is None else k))
        return '(%s){%s}' % (S, ', '.join(vals))

    def call_args(conv, arrname, S, TT, src):
        a = []
        for k, nm in params:
            if k == 's':
                a.append(conv('%s[%d]' % (src, zoff[nm])))
            elif k == 'st':
                a.append(struct(S, TT, src, nm))
            elif k == 'a':
                a.append(arrname(P.alias.get(nm, nm)))
            else:
                a.append(nm)
        return a

    def fill(dst, src, nm, TT):
        return '  for (int i = 0; i < n; ++i) %s[i] = (%s)%s[%d + i];' % (dst, TT, src, zoff[nm])

    # G: reference
    g = ['  int n = g_n, m = g_m; (void)m;']
    for a in own:
        g.append('  double %s_[8];' % a)
        g.append(fill(a + '_', 'z', a, 'double'))
    g.append('  o[0] = f%s(%s);' % (ref, ', '.join(call_args(lambda s: s, lambda a: a + '_',
                                                              'S_ref', 'double', 'z'))))
    for a in out_arrs:
        g.append('  for (int i = 0; i < n; ++i) o[%d + i] = %s_[i];' % (ooff[a], a))
    # GT: the program's precision
    gt = []
    for a in own:
        gt.append('    %s %s_[8];' % (T, a))
        gt.append('  ' + fill(a + '_', 'z0', a, T))
    gt.append('    ot[0] = f(%s);' % ', '.join(
        call_args(lambda s: s, lambda a: a + '_', 'S', T, 'z0')))
    for a in out_arrs:
        gt.append('    for (int i = 0; i < n; ++i) ot[%d + i] = %s_[i];' % (ooff[a], a))

    def marker(nm):
        mk = P.markers.get(nm)
        return [mk] if mk else []

    def ad_blocks(TT, fname, S, ret, out, prim, grad):
        """The forward (one direction v) and reverse calls of fname in
        precision TT: tangents into ret / out[], gradient into grad[],
        primal outputs into prim[]."""
        fw = []
        for a in own:
            fw.append('    %s %s_[8], d%s_[8];' % (TT, a, a))
            fw.append('  ' + fill(a + '_', 'z0', a, TT))
            fw.append('  ' + fill('d' + a + '_', 'v', a, TT))
        fa = []
        for k, nm in params:
            if k in ('s', 'st'):
                val = ('(%s)z0[%d]' % (TT, zoff[nm]) if k == 's' else struct(S, TT, 'z0', nm))
                tan = ('(%s)v[%d]' % (TT, zoff[nm]) if k == 's' else struct(S, TT, 'v', nm, 0))
                if P.activity[nm] == 'const':
                    fa += ['enzyme_const', val]
                else:
                    mk = ['enzyme_dup'] if P.markers.get(nm) == 'enzyme_out' else []
                    fa += mk + [val, tan]
            elif k == 'a':
                b = P.alias.get(nm, nm)
                if P.activity[nm] == 'const':
                    fa += ['enzyme_const', b + '_']
                else:
                    fa += marker(nm) + [b + '_', 'd' + b + '_']
            else:
                fa += marker(nm) + [nm]
        fw.append('    %s = %s((void *)%s, %s);' % (ret, FWD_NAME[TT], fname, ', '.join(fa)))
        for a in out_arrs:
            fw.append('    for (int i = 0; i < n; ++i) {'
                      ' %s[%d + i] = d%s_[i]; %s[%d + i] = %s_[i]; }'
                      % (out, ooff[a], a, prim, ooff[a], a))
        # the directions of const inputs are zero for the finite differences
        rv = []
        for a in own:
            rv.append('    %s %s_[8], d%s_[8];' % (TT, a, a))
            rv.append('  ' + fill(a + '_', 'z0', a, TT))
            if P.activity[a] == 'active':
                rv.append('    for (int i = 0; i < n; ++i) d%s_[i] = (%s)wts[%d + i];'
                          % (a, TT, ooff[a]))
        ra = []
        for k, nm in params:
            if k in ('s', 'st'):
                val = ('(%s)z0[%d]' % (TT, zoff[nm]) if k == 's' else struct(S, TT, 'z0', nm))
                if P.activity[nm] == 'const':
                    ra += ['enzyme_const', val]
                else:
                    ra += marker(nm) + [val]
            elif k == 'a':
                b = P.alias.get(nm, nm)
                if P.activity[nm] == 'const':
                    ra += ['enzyme_const', b + '_']
                else:
                    ra += marker(nm) + [b + '_', 'd' + b + '_']
            else:
                ra += marker(nm) + [nm]
        sfx = '' if TT == T else '_' + TT
        call = '__enzyme_autodiff%s((void *)%s, %s)' % (sfx, fname, ', '.join(ra))
        if rtype == 'void':
            rv.append('    %s;' % call)
        elif len(nact) == 1:
            rv.append('    %s[%d] = %s;' % (grad, nact[0], call))
        else:
            rv.append('    grad%s_t g = %s;' % (sfx, call))
            for i, zi in enumerate(nact):
                rv.append('    %s[%d] = g.d%d;' % (grad, zi, i))
        for a in out_arrs:
            rv.append('    for (int i = 0; i < n; ++i) {'
                      ' %s[%d + i] = d%s_[i]; %s[%d + i] = %s_[i]; }'
                      % (grad, zoff[a], a, prim, ooff[a], a))
        return fw, rv

    FWD_NAME = {T: '__enzyme_fwddiff',
                'double': '__enzyme_fwddiff' + ('' if T == 'double' else '_double')}
    fw, rv = ad_blocks(T, 'f', 'S', 'dret', 'dout', 'pout', 'grad')
    fwr, rvr = [], []
    if T != 'double' and not (P.stype == '3' and any(k == 'st' for k, _ in params)):
        # float programs also differentiate the double reference (unless it
        # takes three doubles in memory, see findings/): a float
        # derivative that overflows where the double one agrees with the
        # finite difference is a range problem, not a wrong derivative
        fwr, rvr = ad_blocks('double', 'f_ref', 'S_ref', 'aout[0]', 'aout', 'qout', 'agrad')
        fwr = ['    {', '    double qout[NO];'] + fwr + ['    }']
        rvr = ['    {', '    double qout[NO];'] + rvr + ['    }']
        if len(nact) > 1:
            lines.insert(lines.index('grad_t __enzyme_autodiff(void *, ...);'),
                         'typedef struct { %s; } grad_double_t;'
                         % '; '.join('double d%d' % i for i in range(len(nact))))
        art = 'void' if rtype == 'void' else 'double' if len(nact) == 1 else 'grad_double_t'
        lines.insert(lines.index('%s __enzyme_fwddiff(void *, ...);' % T) + 1,
                     '%s __enzyme_autodiff_double(void *, ...);\n'
                     'double __enzyme_fwddiff_double(void *, ...);' % art)

    z0 = []
    act = []
    d0 = []
    d1 = []
    for k, nm in params:
        if k == 's':
            z0.append(P.inputs[nm])
            a = P.activity[nm] == 'active'
            act.append(1 if a else 0)
            d0.append(P.dirs[0][nm] if a else 0.0)
            d1.append(P.dirs[1][nm] if a else 0.0)
        elif k == 'st':
            z0 += list(P.inputs[nm])
            a = P.activity[nm] == 'active'
            act += [1 if a else 0] * nf
            d0 += list(P.dirs[0][nm]) if a else [0.0] * nf
            d1 += list(P.dirs[1][nm]) if a else [0.0] * nf
        elif k == 'a' and nm not in P.alias:
            z0 += P.inputs[nm]
            a = P.activity[nm] == 'active'
            act += [1 if a else 0] * n
            d0 += P.dirs[0][nm] if a else [0.0] * n
            d1 += P.dirs[1][nm] if a else [0.0] * n
    w = [1.0]
    for a in out_arrs:
        w += P.weights[a]

    def L(xs):
        return ', '.join(repr(float(x)) for x in xs) or '0'

    h = HARNESS
    rep = {'@N@': str(P.n), '@M@': str(P.m), '@NZ@': str(NZ), '@NO@': str(NO),
           '@Z0@': L(z0), '@D0@': L(d0), '@D1@': L(d1), '@W@': L(w),
           '@ACT@': ', '.join(str(x) for x in act) or '0',
           '@GREF@': '\n'.join(g), '@GT@': '\n'.join(gt), '@FWD@': '\n'.join(fw),
           '@REV@': '\n'.join(rv), '@FWDREF@': '\n'.join(fwr), '@REVREF@': '\n'.join(rvr),
           '@TOL@': '1e-4' if T == 'double' else '3e-3',
           '@FLOOR@': '1e-3' if T == 'double' else '1e-2'}
    for k2, v2 in rep.items():
        h = h.replace(k2, v2)
    return '\n'.join(lines) + h


def shapes_arg(spec):
    try:
        return parse_shapes(spec)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e))


def generate(seed, shapes=None):
    """The program for seed; shapes: a set or a --shapes string (None: all)."""
    return Gen(seed, shapes).program()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('-o', '--output', default='-')
    ap.add_argument('--shapes', default='all', type=shapes_arg,
                    help='new program shapes to generate, comma-separated: all (default), '
                         'none (the classic programs), a list of %s, or all,-NAME; %s' % (
                             ', '.join(SHAPES),
                             '; '.join('%s: %s' % (k, SHAPE_HELP[k]) for k in SHAPES)))
    a = ap.parse_args()
    src = render(generate(a.seed, a.shapes))
    if a.output == '-':
        sys.stdout.write(src)
    else:
        with open(a.output, 'w') as fh:
            fh.write(src)


if __name__ == '__main__':
    main()
