#!/usr/bin/env python3
"""Random differential-test program generator for Fluxion.

    gen.py --seed S [-o prog.c]

Writes one self-checking C program.  The program defines a function `f`
(scalar parameters, arrays passed as pointers with their length `n`, a
loop count `m`), built from random expression trees over + - * / and libm
calls, branches, loops with run-time trip counts, local arrays and helper
functions, in `double` or in `float`.  Its `main` computes

  * directional derivatives with __enzyme_fwddiff (tangents of the result
    and of every array written in place),
  * the gradient with __enzyme_autodiff (the result seeded with 1, the
    array shadows seeded with random weights),

and compares them with central finite differences of a double-precision
copy of `f`.  A finite difference is trusted only when the steps 1e-5 and
1e-6 agree to 1e-4 and the one-sided differences agree (no kink or jump
near the point); otherwise the check is counted as skipped.  The program
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
        self.ret = ret            # False: void


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


# ---------------------------------------------------------------- generation
class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.seed = seed
        self.counter = 0

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
        k = r.choices(['bin', 'unary', 'logsqrt', 'div', 'binf', 'tern', 'helper',
                       'neg', 'extra', 'cast'],
                      weights=[8, 5, 2, 2, 2, 1, 2 if sc['helpers'] else 0, 1, 1, 1])[0]
        if k == 'bin':
            op, a, b = r.choice('+-*'), self.expr(sc, d - 1), self.expr(sc, d - 1)
            if op == '-' and a == b:   # an exact zero sits on singular points
                op = '+'
            return ('bin', op, a, b)
        if k == 'neg':
            return ('neg', self.expr(sc, d - 1))
        if k == 'cast':   # through the other precision: fptrunc/fpext
            return ('cast', self.expr(sc, d - 1))
        if k == 'unary':
            return ('call', r.choice(UNARY), [self.expr(sc, d - 1)])
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
            hs = [h for h in sc['helpers'] if h.ret and (
                  all(kk != 'a' for kk, _ in h.params)
                  or (sc['arrays'] and 'n' in sc['intparams']))]
            if not hs:
                return self.leaf(sc)
            h = r.choice(hs)
            return self.call_helper(h, sc, d)
        return self.leaf(sc)

    def call_helper(self, h, sc, d):
        args = []
        for kind, name in h.params:
            if kind == 's':
                args.append(self.expr(sc, d - 1))
            elif kind == 'a':
                arrs = sc['arrays']
                args.append(('arg', self.r.choice(arrs)[0]))
            elif kind == 'n':
                args.append(('arg', 'n'))
            elif kind == 'd':
                args.append(('arg', str(self.r.randint(0, 3))))
        return ('call', h.name, args)

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
        k = r.choice(kinds)
        ed = r.randint(1, 3)
        if k == 'assign' and sc['locals']:
            v = r.choice(sc['locals'])
            op = r.choice(['=', '+=', '+=', '-=', '*='])
            e = self.expr(sc, ed)
            if op == '*=':
                e = ('call', r.choice(['cos', 'tanh', 'sin']), [e])
            elif op == '=' and r.random() < 0.5:
                e = ('bin', '+', ('bin', '*', ('var', v), self.lit(0.2, 0.9)), e)
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
        kind = r.choice(['scalar', 'scalar', 'array', 'rec', 'warray'])
        attr = r.choice(['noinline', 'inline', 'static', ''])
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
            fn = Fn(name, p, body, 'noinline' if attr in ('inline', '') else attr)
            return fn
        if kind == 'warray':
            p = [('a', 'p'), ('n', 'n'), ('s', 'u')]
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
            body.append(['ret', ('bin', '+', ('var', 't'), self.expr(sc, 1))])
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

    def program(self):
        r = self.r
        P = Prog()
        P.seed = self.seed
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
            sc['helpers'] = [h for h in P.helpers if all(k != 'a' for k, _ in h.params)]
        fn = Fn('f', params, [], r.choice(['noinline', '', 'static']))
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
            else:
                P.markers[nm] = r.choice([None, None, 'enzyme_const'])
        for k, nm in params:
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


class R:
    def __init__(self, prog, T, sfx):
        self.P = prog
        self.T = T
        self.sfx = sfx
        self.helper_names = {h.name for h in prog.helpers} | {'f'}

    def e(self, x):
        T = self.T
        k = x[0]
        if k == 'var':
            return x[1]
        if k == 'lit':
            v = x[1]
            return '(' + fmt_lit(v, T) + ')' if v < 0 else fmt_lit(v, T)
        if k == 'elem':
            return '%s[%s]' % (x[1], x[2])
        if k == 'ivar':
            return '(%s)(%s + 1)' % (T, x[1])   # never exactly zero
        if k == 'arg':
            return x[1]
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
            out.append('%sswitch (%s) {' % (p, st[1]))
            for ci, case in enumerate(st[2]):
                last = ci == len(st[2]) - 1
                out.append('%s%s:' % (p, 'default' if last else 'case %d' % ci))
                for t in case:
                    self.s(t, ind + 1, out)
                out.append('%s  break;' % p)
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
            elif k == 'a':
                ps.append('%s *%s' % (T, nm))
            else:
                ps.append('int %s' % nm)
        attr = {'noinline': 'static __attribute__((noinline)) ',
                'inline': 'static inline ', 'static': 'static ', '': ''}[F.attr]
        if F.name == 'f' and self.sfx:
            attr = 'static ' if F.attr != 'noinline' else 'static __attribute__((noinline)) '
        self.cur = F
        out = ['%s%s %s%s(%s) {' % (attr, T if F.ret else 'void', F.name, self.sfx, ', '.join(ps))]
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
            ps.append({'s': T, 'a': T + ' *'}.get(k, 'int'))
        attr = {'noinline': 'static __attribute__((noinline)) ',
                'inline': 'static inline ', 'static': 'static ', '': ''}[F.attr]
        return '%s%s %s%s(%s);' % (attr, T if F.ret else 'void', F.name, self.sfx, ', '.join(ps))


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
static int fd(const double *z, const double *v, int k, double *res) {
  double h1 = 1e-5, h2 = 1e-6;
  double p1 = shifted(z, v, h1, k), m1 = shifted(z, v, -h1, k);
  double p2 = shifted(z, v, h2, k), m2 = shifted(z, v, -h2, k);
  double c = evalk(z, k);
  double d1 = (p1 - m1) / (2 * h1), d2 = (p2 - m2) / (2 * h2);
  double r = (p1 - c) / h1, l = (c - m1) / h1;
  if (!isfinite(d1) || !isfinite(d2) || !isfinite(c)) return 0;
  double sc = fmax(fmax(fabs(d1), fabs(d2)), 1e-3);
  if (fabs(d1 - d2) > 1e-4 * sc) return 0;
  if (fabs(r - l) > 1e-3 * fmax(fmax(fabs(r), fabs(l)), 1.0)) return 0;
  *res = d1;
  return 1;
}
static void compare(const char *what, int idx, double ad, const double *z, const double *v, int k) {
  double ref;
  if (!fd(z, v, k, &ref)) { ++n_skips; return; }
  ++n_checks;
  double tol = @TOL@ * fmax(fmax(fabs(ref), fabs(ad)), @FLOOR@);
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
  {
    double ot[NO];
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
    double dret = 0, dout[NO], pout[NO];
@FWD@
    dout[0] = dret;
    for (int k = 0; k < NO; ++k) compare(k == 0 ? "fwd.ret" : "fwd.out", k, dout[k], z0, v, k);
    for (int k = 1; k < NO; ++k) same("fwd.primal", k, pout[k], o[k]);
  }
  /* reverse mode: gradient of ret + sum(weights * outputs) */
  {
    double grad[NZ > 0 ? NZ : 1], pout[NO];
    for (int i = 0; i < NZ; ++i) grad[i] = 0;
@REV@
    for (int i = 0; i < NZ; ++i) {
      if (!active[i]) continue;
      double e[NZ > 0 ? NZ : 1];
      for (int j = 0; j < NZ; ++j) e[j] = j == i ? 1.0 : 0.0;
      compare("rev", i, grad[i], z0, e, -1);
    }
    for (int k = 1; k < NO; ++k) same("rev.primal", k, pout[k], o[k]);
  }
  if (n_fail) { printf("FAIL checks=%d skips=%d failures=%d\n", n_checks, n_skips, n_fail); return 1; }
  printf("PASS checks=%d skips=%d\n", n_checks, n_skips);
  return 0;
}
'''


def render(P):
    T = P.T
    params = P.f.params
    scal = [nm for k, nm in params if k == 's']
    arrs = [nm for k, nm in params if k == 'a']
    n = P.n
    # layout of z: params in order; scalar = 1 slot, array = n slots
    zoff = {}
    off = 0
    for k, nm in params:
        if k == 's':
            zoff[nm] = off
            off += 1
        elif k == 'a':
            zoff[nm] = off
            off += n
    NZ = off
    # outputs: ret, then each active array
    out_arrs = [a for a in arrs if P.activity[a] == 'active']
    ooff = {}
    o = 1
    for a in out_arrs:
        ooff[a] = o
        o += n
    NO = o
    lines = ['/* generated by gen.py --seed %d */' % P.seed,
             '#include <fenv.h>', '#include <math.h>', '#include <stdio.h>',
             '#include <stdlib.h>', '',
             'int enzyme_const, enzyme_dup, enzyme_out;']
    nact = [s for s in scal if P.activity[s] == 'active']
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
        for h in P.helpers:
            lines.append(rr.decl(h))
        for h in P.helpers:
            lines.extend(rr.fn(h))
        lines.extend(rr.fn(P.f))
        lines.append('')
    ref = '_ref'

    def call_args(conv, arrname):
        a = []
        for k, nm in params:
            if k == 's':
                a.append(conv('z[%d]' % zoff[nm]))
            elif k == 'a':
                a.append(arrname(nm))
            else:
                a.append(nm)
        return a

    def fill(dst, src, nm, TT):
        return '  for (int i = 0; i < n; ++i) %s[i] = (%s)%s[%d + i];' % (dst, TT, src, zoff[nm])

    # G: reference
    g = ['  int n = g_n, m = g_m; (void)m;']
    for a in arrs:
        g.append('  double %s_[8];' % a)
        g.append(fill(a + '_', 'z', a, 'double'))
    g.append('  o[0] = f%s(%s);' % (ref, ', '.join(call_args(lambda s: s, lambda a: a + '_'))))
    for a in out_arrs:
        g.append('  for (int i = 0; i < n; ++i) o[%d + i] = %s_[i];' % (ooff[a], a))
    # GT: the program's precision
    gt = []
    for a in arrs:
        gt.append('    %s %s_[8];' % (T, a))
        gt.append('  ' + fill(a + '_', 'z0', a, T))
    gt.append('    ot[0] = f(%s);' % ', '.join(call_args(lambda s: s.replace('z[', 'z0['), lambda a: a + '_')))
    for a in out_arrs:
        gt.append('    for (int i = 0; i < n; ++i) ot[%d + i] = %s_[i];' % (ooff[a], a))

    def marker(nm):
        mk = P.markers.get(nm)
        return [mk] if mk else []

    # forward
    fw = []
    for a in arrs:
        fw.append('    %s %s_[8], d%s_[8];' % (T, a, a))
        fw.append('  ' + fill(a + '_', 'z0', a, T))
        fw.append('  ' + fill('d' + a + '_', 'v', a, T))
    fa = []
    for k, nm in params:
        if k == 's':
            if P.activity[nm] == 'const':
                fa += ['enzyme_const', '(%s)z0[%d]' % (T, zoff[nm])]
            else:
                mk = ['enzyme_dup'] if P.markers.get(nm) == 'enzyme_out' else []
                fa += mk + ['(%s)z0[%d]' % (T, zoff[nm]), '(%s)v[%d]' % (T, zoff[nm])]
        elif k == 'a':
            if P.activity[nm] == 'const':
                fa += ['enzyme_const', nm + '_']
            else:
                fa += marker(nm) + [nm + '_', 'd' + nm + '_']
        else:
            fa += marker(nm) + [nm]
    fw.append('    dret = __enzyme_fwddiff((void *)f, %s);' % ', '.join(fa))
    for a in out_arrs:
        fw.append('    for (int i = 0; i < n; ++i) { dout[%d + i] = d%s_[i]; pout[%d + i] = %s_[i]; }'
                  % (ooff[a], a, ooff[a], a))
    # the directions of const inputs are zero for the finite differences
    # reverse
    rv = []
    for a in arrs:
        rv.append('    %s %s_[8], d%s_[8];' % (T, a, a))
        rv.append('  ' + fill(a + '_', 'z0', a, T))
        if P.activity[a] == 'active':
            rv.append('    for (int i = 0; i < n; ++i) d%s_[i] = (%s)wts[%d + i];' % (a, T, ooff[a]))
    ra = []
    for k, nm in params:
        if k == 's':
            if P.activity[nm] == 'const':
                ra += ['enzyme_const', '(%s)z0[%d]' % (T, zoff[nm])]
            else:
                ra += marker(nm) + ['(%s)z0[%d]' % (T, zoff[nm])]
        elif k == 'a':
            if P.activity[nm] == 'const':
                ra += ['enzyme_const', nm + '_']
            else:
                ra += marker(nm) + [nm + '_', 'd' + nm + '_']
        else:
            ra += marker(nm) + [nm]
    call = '__enzyme_autodiff((void *)f, %s)' % ', '.join(ra)
    if rtype == 'void':
        rv.append('    %s;' % call)
    elif rtype == T:
        rv.append('    grad[%d] = %s;' % (zoff[nact[0]], call))
    else:
        rv.append('    grad_t g = %s;' % call)
        for i, s in enumerate(nact):
            rv.append('    grad[%d] = g.d%d;' % (zoff[s], i))
    for a in out_arrs:
        rv.append('    for (int i = 0; i < n; ++i) { grad[%d + i] = d%s_[i]; pout[%d + i] = %s_[i]; }'
                  % (zoff[a], a, ooff[a], a))

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
        elif k == 'a':
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
           '@REV@': '\n'.join(rv),
           '@TOL@': '1e-4' if T == 'double' else '3e-3',
           '@FLOOR@': '1e-3' if T == 'double' else '1e-2'}
    for k2, v2 in rep.items():
        h = h.replace(k2, v2)
    return '\n'.join(lines) + h


def generate(seed):
    return Gen(seed).program()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('-o', '--output', default='-')
    a = ap.parse_args()
    src = render(generate(a.seed))
    if a.output == '-':
        sys.stdout.write(src)
    else:
        with open(a.output, 'w') as fh:
            fh.write(src)


if __name__ == '__main__':
    main()
