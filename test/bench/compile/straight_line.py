#!/usr/bin/env python3
"""Compile time of a reverse-mode derivative against its primal.

    straight_line.py [--fluxion-clang PATH] [--peer-plugin SO] [--lines N]
                     [--runs R]

Generates a straight-line C function of N statements (products, sums,
quotients, sin and exp of earlier values and of 64 inputs, every value
feeding the result) and a caller that takes its gradient with
__enzyme_autodiff, then compiles the file at -O2 with plain clang-22 (the
builtin stays an external call), with fluxion-clang and, given
--peer-plugin, with clang-22 loading that AD plugin, R times each, and
prints the median seconds and their ratios to plain clang.
"""
import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))


def generate(lines):
    rng = random.Random(1)
    out = ['#include <math.h>',
           'void __enzyme_autodiff(void *, ...);',
           'extern int enzyme_dup;',
           'double f(const double *x) {',
           '  double t0 = x[0];']
    for i in range(1, lines):
        a = rng.randrange(max(0, i - 20), i)
        k = rng.randrange(64)
        r = rng.random()
        if r < 0.1:
            e = 'sin(t%d) * x[%d]' % (a, k)
        elif r < 0.15:
            e = 'exp(0.001 * t%d)' % a
        elif r < 0.2:
            e = 't%d / (1.0 + x[%d] * x[%d])' % (a, k, k)
        else:
            e = 't%d %s x[%d]' % (a, rng.choice('+-*'), k)
        out.append('  double t%d = 0.5 * t%d + %s;' % (i, i - 1, e))
    out += ['  return t%d;' % (lines - 1), '}',
            'void gradient(const double *x, double *dx) {',
            '  __enzyme_autodiff((void *)f, enzyme_dup, x, dx);', '}']
    return '\n'.join(out) + '\n'


def seconds(cmd, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--fluxion-clang',
                        default=os.path.join(ROOT, 'build', 'bin',
                                             'fluxion-clang'))
    parser.add_argument('--peer-plugin',
                        help='-fpass-plugin library of another AD tool')
    parser.add_argument('--lines', type=int, default=5000)
    parser.add_argument('--runs', type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, 'straight_line.c')
        with open(source, 'w') as f:
            f.write(generate(args.lines))
        obj = os.path.join(tmp, 'out.o')
        plain = seconds(['clang-22', '-O2', '-c', source, '-o', obj],
                        args.runs)
        fluxion = seconds([args.fluxion_clang, '-O2', '-c', source, '-o', obj],
                          args.runs)
        peer = None
        if args.peer_plugin:
            peer = seconds(['clang-22', '-O2', '-fpass-plugin=' +
                            args.peer_plugin, '-c', source, '-o', obj],
                           args.runs)
    rows = [('clang-22 -O2 (no derivative)', plain),
            ('fluxion-clang -O2', fluxion)]
    if peer is not None:
        rows.append(('clang-22 -O2 with ' +
                     os.path.basename(args.peer_plugin), peer))
    print('| %d-line function and its gradient | seconds | ratio |' %
          args.lines)
    print('|---|---:|---:|')
    for name, t in rows:
        print('| %s | %.2f | %.1fx |' % (name, t, t / plain))
    return 0


if __name__ == '__main__':
    sys.exit(main())
