#!/usr/bin/env python3
"""Differential tester driver: generate, compile with fluxion-clang, run, classify.

    run.py --count N --seed S --opt O0,O2 [--shapes all] [--jobs J] [--shrink]
           [--findings DIR]

Programs come from gen.py (seeds S .. S+N-1, with gen.py's --shapes: all
new shapes by default, `none` for the classic programs).  Each is compiled
with build/bin/fluxion-clang at every listed level (O0, O1, O2, O3, Os, and
O2-fastmath = -O2 -ffast-math -fno-finite-math-only, O2-nomerrno; at O0 also
with -Xclang -llvm-verify-each) and run.  Outcomes:

  pass / skip             derivatives agree (skip: no usable point)
  unsupported: MSG        fluxion reported an error (normalized message)
  compiler-crash: MSG     the compiler crashed or an assertion fired
  verifier: MSG           an invalid module (LLVM verifier)
  generator-bug: MSG      clang rejected the program (a bug in gen.py)
  runtime-crash: SIG      the program died on a signal
  runtime-timeout
  mismatch: KIND          a derivative disagrees with finite differences

Exit code 1 when any compiler crash, verifier failure, runtime crash,
timeout or mismatch happened ("unsupported" is reported, not fatal, unless
--strict).  With --shrink the first program of each failing class is
reduced (structurally, on gen.py's AST) and written with its command to
--findings.
"""
import argparse
import concurrent.futures as cf
import copy
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
DEFAULT_CC = os.path.join(ROOT, 'build', 'bin', 'fluxion-clang')

FATAL = ('compiler-crash', 'verifier', 'internal-error', 'runtime-crash', 'runtime-timeout', 'mismatch',
         'generator-bug')


def flags_for(opt):
    f = ['-' + opt.split('-')[0], '-std=gnu11', '-w']
    if opt.startswith('O0'):
        f += ['-Xclang', '-llvm-verify-each']
    if opt.endswith('-fastmath'):
        f += ['-ffast-math', '-fno-finite-math-only']
    if opt.endswith('-nomerrno'):
        f += ['-fno-math-errno']
    return f


def norm(msg):
    msg = re.sub(r"'[^']*'", "'_'", msg)
    msg = re.sub(r'\b\d+\b', 'N', msg)
    return msg.strip()[:160]


def classify_compile(rc, out):
    crash = (rc < 0 or 'PLEASE submit a bug report' in out or 'Stack dump' in out
             or 'UNREACHABLE' in out or 'Assertion' in out)
    if crash:
        m = re.search(r"Assertion `(.*?)' failed", out)
        if m:
            return 'compiler-crash', norm(m.group(1))
        m = re.search(r'UNREACHABLE executed at ([^\n]*)', out)
        if m:
            return 'compiler-crash', norm(m.group(1))
        m = re.search(r'Running pass \'?([^\n]*)', out)
        return 'compiler-crash', norm(m.group(1) if m else 'signal %d' % -rc if rc < 0 else 'crash')
    if 'Broken module' in out or 'verification failed' in out or 'Broken function' in out:
        lines = [l for l in out.splitlines() if l and 'remark' not in l and 'warning' not in l]
        first = next((l for l in lines if 'error' not in l.lower()), lines[0] if lines else '')
        return 'verifier', norm(first)
    m = re.search(r'error: fluxion: ([^\n]*)\n?([^\n]*)', out)
    if m and 'internal error' in m.group(1):
        return 'internal-error', norm(m.group(1) + ' ' + m.group(2))
    if m:
        return 'unsupported', norm(m.group(1))
    m = re.search(r'error: ([^\n]*)', out)
    return 'generator-bug', norm(m.group(1) if m else 'rc %d' % rc)


def compile_and_run(src, opt, cc, workdir, tag, run_timeout=20, retry=3):
    c = os.path.join(workdir, tag + '.c')
    exe = os.path.join(workdir, tag + '.' + opt)
    with open(c, 'w') as fh:
        fh.write(src)
    cmd = [cc] + flags_for(opt) + [c, '-o', exe, '-lm']
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
        out = p.stdout.decode('utf-8', 'replace')
        rc = p.returncode
    except subprocess.TimeoutExpired:
        return ('compiler-crash', 'compile timeout'), '', cmd
    out = '\n'.join(l for l in out.splitlines() if 'remark:' not in l)
    if rc != 0 and 'unable to load plugin' in out and retry:
        # the plugin is being rebuilt by someone else: wait and try again
        time.sleep(20)
        return compile_and_run(src, opt, cc, workdir, tag, run_timeout, retry - 1)
    if rc != 0:
        return classify_compile(rc, out), out, cmd
    try:
        p = subprocess.run([exe], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=run_timeout)
    except subprocess.TimeoutExpired:
        return ('runtime-timeout', ''), '', cmd
    finally:
        pass
    rout = p.stdout.decode('utf-8', 'replace')
    try:
        os.unlink(exe)
    except OSError:
        pass
    if p.returncode < 0:
        try:
            name = signal.Signals(-p.returncode).name
        except ValueError:
            name = str(-p.returncode)
        return ('runtime-crash', name), rout, cmd
    if p.returncode == 1 and 'MISMATCH' in rout:
        kinds = sorted(set(re.findall(r'MISMATCH (\S+?)\[', rout)))
        return ('mismatch', ','.join(kinds)), rout, cmd
    if p.returncode != 0:
        return ('runtime-crash', 'exit %d' % p.returncode), rout, cmd
    if rout.startswith('SKIP'):
        return ('skip', ''), rout, cmd
    return ('pass', ''), rout, cmd


# ---------------------------------------------------------------- shrinking
EXPR_KINDS = {'var', 'lit', 'elem', 'ivar', 'bin', 'neg', 'call', 'pos', 'tern', 'arg', 'cast',
              'ibound', 'mk', 'sfield'}
COND_KINDS = {'cmp', 'icond'}
STMT_KINDS = {'assign', 'store', 'if', 'for', 'while', 'break_if', 'ret_if', 'ret',
              'switch', 'callstmt', 'loop', 'cont_if', 'psel', 'fillred'}


def to_lists(x):
    if isinstance(x, (list, tuple)):
        return [to_lists(e) for e in x]
    return x


def prog_lists(P):
    P = copy.deepcopy(P)
    for F in P.helpers + [P.f]:
        F.body = to_lists(F.body)
        F.locals = [[nm, to_lists(e)] for nm, e in F.locals]
    return P


def is_kind(x, kinds):
    return isinstance(x, list) and x and isinstance(x[0], str) and x[0] in kinds


def paths(x, path):
    """Yield (kind, path) for expressions, conditions and statement blocks."""
    if isinstance(x, list):
        if is_kind(x, EXPR_KINDS):
            yield 'expr', path
        elif is_kind(x, COND_KINDS):
            yield 'cond', path
        elif x and all(is_kind(e, STMT_KINDS) for e in x):
            yield 'block', path
        for i, e in enumerate(x):
            yield from paths(e, path + [i])


def get(root, path):
    for p in path:
        root = root[p]
    return root


def candidates(P):
    """Programs one step smaller than P, biggest steps first."""
    out = []
    # drop helpers
    for i in range(len(P.helpers)):
        Q = copy.deepcopy(P)
        del Q.helpers[i]
        out.append(Q)
    roots = [('f', P.f)] + [('h%d' % i, h) for i, h in enumerate(P.helpers)]
    # statements
    stmt_c, expr_c = [], []
    for rname, F in roots:
        for kind, path in list(paths(F.body, [])):
            node = get(F.body, path)
            if kind == 'block':
                for j in range(len(node)):
                    st = node[j]
                    if st[0] == 'ret':   # falling off the end is undefined
                        continue
                    repls = [[]]
                    if st[0] == 'if':
                        repls += [st[2], st[3]]
                    elif st[0] == 'for':
                        repls += [st[3]]
                    elif st[0] in ('while', 'loop'):
                        repls += [st[4 if st[0] == 'while' else 5]]
                    elif st[0] == 'psel':
                        repls += [st[6]]
                    elif st[0] == 'switch':
                        repls += st[2]
                    for rep in repls:
                        Q = copy.deepcopy(P)
                        G = Q.f if rname == 'f' else Q.helpers[int(rname[1:])]
                        blk = get(G.body, path)
                        blk[j:j + 1] = copy.deepcopy(rep)
                        stmt_c.append(Q)
            elif kind == 'expr':
                reps = [e for e in node[1:] if is_kind(e, EXPR_KINDS)]
                if node[0] == 'call':
                    reps += [e for e in node[2] if is_kind(e, EXPR_KINDS)]
                if node[0] not in ('lit', 'arg'):
                    reps.append(['lit', 0.5])
                for rep in reps:
                    Q = copy.deepcopy(P)
                    G = Q.f if rname == 'f' else Q.helpers[int(rname[1:])]
                    if not path:
                        continue
                    get(G.body, path[:-1])[path[-1]] = copy.deepcopy(rep)
                    expr_c.append(Q)
            elif kind == 'cond' and node[0] == 'cmp' and path:
                for rep in (['icond', '1'], ['icond', '0']):
                    Q = copy.deepcopy(P)
                    G = Q.f if rname == 'f' else Q.helpers[int(rname[1:])]
                    get(G.body, path[:-1])[path[-1]] = rep
                    expr_c.append(Q)
        # locals: simplify the initializer, drop local arrays
        for j in range(len(F.locals)):
            if F.locals[j][1] != ['lit', 0.5]:
                Q = copy.deepcopy(P)
                G = Q.f if rname == 'f' else Q.helpers[int(rname[1:])]
                G.locals[j][1] = ['lit', 0.5]
                expr_c.append(Q)
        for j in range(len(F.locals)):
            Q = copy.deepcopy(P)
            G = Q.f if rname == 'f' else Q.helpers[int(rname[1:])]
            del G.locals[j]
            stmt_c.append(Q)
        for j in range(len(F.arrays)):
            Q = copy.deepcopy(P)
            G = Q.f if rname == 'f' else Q.helpers[int(rname[1:])]
            del G.arrays[j]
            stmt_c.append(Q)
        if F.attr != '':
            Q = copy.deepcopy(P)
            G = Q.f if rname == 'f' else Q.helpers[int(rname[1:])]
            G.attr = '' if not (rname != 'f' and F.attr == 'noinline' and
                                any(k == 'd' for k, _ in F.params)) else F.attr
            if G.attr != F.attr:
                expr_c.append(Q)
    out += stmt_c + expr_c
    # sizes and precision
    if P.n > 1:
        Q = copy.deepcopy(P)
        Q.n -= 1
        for k in Q.inputs:
            if isinstance(Q.inputs[k], list):
                Q.inputs[k] = Q.inputs[k][:Q.n]
                Q.weights[k] = Q.weights[k][:Q.n]
                for d in Q.dirs:
                    d[k] = d[k][:Q.n]
        out.append(Q)
    if P.m > 0:
        Q = copy.deepcopy(P)
        Q.m -= 1
        out.append(Q)
    if P.T != 'double':
        Q = copy.deepcopy(P)
        Q.T = 'double'
        out.append(Q)
    for nm, mk in P.markers.items():
        if mk and mk != 'enzyme_const':
            Q = copy.deepcopy(P)
            Q.markers[nm] = None
            out.append(Q)
    return out


def same_class(a, b):
    if a[0] != b[0]:
        return False
    if a[0] == 'mismatch':
        return bool(set(a[1].split(',')) & set(b[1].split(',')))
    return a[1] == b[1]


def shrink(P, opt, cls, cc, workdir, budget=300.0, log=None):
    P = prog_lists(P)
    t0 = time.time()
    tries = 0
    progress = True
    while progress and time.time() - t0 < budget:
        progress = False
        for Q in candidates(P):
            if time.time() - t0 > budget:
                break
            try:
                src = gen.render(Q)
            except Exception:
                continue
            tries += 1
            c, _, _ = compile_and_run(src, opt, cc, workdir, 'shrink')
            if same_class(c, cls):
                P = Q
                progress = True
                break
    if log:
        log('    shrunk in %d tries, %.0fs' % (tries, time.time() - t0))
    return P


# ---------------------------------------------------------------- driver
def work(args):
    seed, opts, cc, workdir, shapes = args
    P = gen.generate(seed, shapes)
    src = gen.render(P)
    res = []
    for opt in opts:
        cls, out, cmd = compile_and_run(src, opt, cc, workdir, 's%d' % seed)
        res.append((seed, opt, cls, out, cmd))
    return res


def slug(s):
    return re.sub(r'[^A-Za-z0-9]+', '_', s).strip('_')[:60]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--count', type=int, default=20)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--opt', default='O0,O2')
    ap.add_argument('--shapes', default='all', type=gen.shapes_arg,
                    help="gen.py's program shapes: all (default), none (the classic programs), "
                         "a comma-separated list of %s, or all,-NAME" % ', '.join(gen.SHAPES))
    ap.add_argument('--jobs', type=int, default=os.cpu_count() or 2)
    ap.add_argument('--cc', default=DEFAULT_CC)
    ap.add_argument('--shrink', action='store_true')
    ap.add_argument('--shrink-budget', type=float, default=300.0)
    ap.add_argument('--findings', default=os.path.join(HERE, 'findings'))
    ap.add_argument('--strict', action='store_true', help='unsupported features fail too')
    ap.add_argument('--keep', help='keep generated programs in this directory')
    ap.add_argument('-v', '--verbose', action='store_true')
    a = ap.parse_args()
    opts = [o for o in a.opt.split(',') if o]
    shapes = a.shapes
    if not os.path.exists(a.cc):
        print('run.py: %s does not exist: build the project first' % a.cc)
        return 2
    tmp = a.keep or tempfile.mkdtemp(prefix='fluxion-random-')
    os.makedirs(tmp, exist_ok=True)
    results = []
    t0 = time.time()
    jobs = [(a.seed + i, opts, a.cc, tmp, shapes) for i in range(a.count)]
    with cf.ThreadPoolExecutor(max_workers=a.jobs) as ex:
        for res in ex.map(work, jobs):
            for seed, opt, cls, out, cmd in res:
                results.append((seed, opt, cls, out, cmd))
                if a.verbose or cls[0] not in ('pass', 'skip', 'unsupported'):
                    print('seed %d %s: %s %s' % (seed, opt, cls[0], cls[1]))
                    if cls[0] not in ('pass', 'skip'):
                        for line in out.splitlines()[:6]:
                            print('    ' + line)
                    sys.stdout.flush()
    # summary
    from collections import Counter, OrderedDict
    cnt = Counter(c[0] for _, _, c, _, _ in results)
    classes = OrderedDict()
    for seed, opt, cls, out, cmd in results:
        if cls[0] in ('pass', 'skip'):
            continue
        classes.setdefault(cls, []).append((seed, opt))
    total = len(results)
    print('\n%d runs (%d programs x %s) in %.0fs' % (total, a.count, ','.join(opts), time.time() - t0))
    for k in ('pass', 'skip', 'unsupported', 'generator-bug', 'compiler-crash', 'verifier',
              'internal-error',
              'runtime-crash', 'runtime-timeout', 'mismatch'):
        if cnt[k]:
            print('  %-16s %d' % (k, cnt[k]))
    if classes:
        print('failure classes:')
    for cls, where in classes.items():
        print('  %s: %s  (%d runs; first: seed %d %s)' % (cls[0], cls[1], len(where), where[0][0],
                                                         where[0][1]))
    if a.shrink:
        os.makedirs(a.findings, exist_ok=True)
        for cls, where in classes.items():
            seed, opt = where[0]
            print('shrinking %s %s (seed %d %s)' % (cls[0], cls[1], seed, opt))
            P = shrink(gen.generate(seed, shapes), opt, cls, a.cc, tmp, a.shrink_budget, log=print)
            name = '%s-%s-%s' % (slug(cls[0]), slug(cls[1]) or 'x', opt)
            path = os.path.join(a.findings, name + '.c')
            src = gen.render(P)
            c2, out, cmd = compile_and_run(src, opt, a.cc, tmp, 'final')
            with open(path, 'w') as fh:
                fh.write('/* finding: %s: %s\n * from: run.py seed %d at %s (--shapes %s), shrunk\n'
                         ' * reproduce: build/bin/fluxion-clang %s %s -o prog -lm && ./prog\n'
                         % (cls[0], cls[1], seed, opt,
                            ','.join(s for s in gen.SHAPES if s in shapes) or 'none',
                            ' '.join(flags_for(opt)),
                            os.path.relpath(path, ROOT)))
                for line in out.splitlines()[:8]:
                    fh.write(' *   ' + line.replace('*/', '* /') + '\n')
                fh.write(' */\n')
                fh.write(src)
            print('  -> %s (%s %s)' % (os.path.relpath(path, ROOT), c2[0], c2[1]))
    bad = sum(1 for _, _, c, _, _ in results
              if c[0] in FATAL or (a.strict and c[0] == 'unsupported'))
    ok = cnt['pass'] + cnt['skip']
    print('pass rate: %d/%d (%.1f%%)' % (ok, total, 100.0 * ok / max(total, 1)))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
