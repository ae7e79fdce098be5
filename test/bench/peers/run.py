#!/usr/bin/env python3
"""Peer benchmarks: derivative/primal time ratios, Fluxion against another AD
pass plugin for clang-22.

    run.py [--fluxion-clang PATH] [--peer-plugin SO [--peer-name NAME]
           [--peer-clang CC]] [--runs N] [--out DIR] [--quick]

Each program is built at -O2 with fluxion-clang and, given --peer-plugin,
with `clang-22 -fpass-plugin=SO`. The executables check their derivatives
against finite differences, then print `RESULT <program> <quantity> <ratio>
<primal s> <derivative s>` lines. They run alternately (Fluxion, peer,
Fluxion, peer, ...), --runs times each; the table holds the median ratio of
each quantity and geometric means. A program that fails to build, fails a
check or crashes is marked in the table, and the exit status is 1.
"""
import argparse
import datetime
import math
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))

PROGRAMS = [
    ('gmm', ['reverse']),
    ('ba', ['reverse', 'forward-jacobian']),
    ('lstm', ['reverse']),
    ('rosenbrock', ['reverse', 'forward']),
    ('logsumexp', ['reverse', 'forward']),
    ('rk4', ['reverse', 'forward']),
    ('mlp', ['reverse']),
]

# Seconds; one program takes well under a minute unloaded.
RUN_TIMEOUT = 900


def build(tool, program, out_dir):
    """Compiles one program; returns (executable, None) or (None, error)."""
    exe = os.path.join(out_dir, '%s-%s' % (program, tool['key']))
    cmd = tool['cc'] + [os.path.join(HERE, program + '.c'), '-o', exe, '-lm']
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True)
    with open(exe + '.build.log', 'w') as log:
        log.write(' '.join(map(shlex.quote, cmd)) + '\n' + proc.stdout)
    if os.path.exists(exe + '.log'):
        os.remove(exe + '.log')  # run_once appends the output of each run
    if proc.returncode != 0:
        errors = [l for l in proc.stdout.splitlines() if 'error' in l]
        print('  %s (%s): build failed: %s' % (program, tool['name'], (
            errors or ['exit status %d' % proc.returncode])[0]), flush=True)
        return None, 'build failed'
    return exe, None


def run_once(exe, quick, log_path):
    """Runs one executable; returns ({quantity: ratio}, {quantity: error})."""
    env = dict(os.environ)
    if quick:
        env['PEERS_QUICK'] = '1'
    try:
        proc = subprocess.run([exe], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, env=env,
                              universal_newlines=True, timeout=RUN_TIMEOUT)
        output, rc = proc.stdout, proc.returncode
    except subprocess.TimeoutExpired as e:
        output, rc = e.stdout or '', None
        if isinstance(output, bytes):
            output = output.decode(errors='replace')
    with open(log_path, 'a') as log:
        log.write(output + '\n')
    ratios, errors = {}, {}
    for m in re.finditer(r'^RESULT (\S+) (\S+) (\S+) ', output, re.M):
        ratios[m.group(2)] = float(m.group(3))
    for m in re.finditer(r'^FAIL \S+ (\S+)', output, re.M):
        errors[m.group(1).rstrip(':')] = 'check failed'
    if rc is None:
        errors['*'] = 'timeout'
    elif rc < 0:
        errors['*'] = 'signal %d' % -rc
    elif rc != 0 and not errors:
        errors['*'] = 'exit status %d' % rc
    return ratios, errors


def measure(tools, runs, quick, out_dir):
    """{(program, quantity, tool key): median ratio or error string}."""
    cells = {}
    for program, quantities in PROGRAMS:
        exes = {}
        for tool in tools:
            exe, error = build(tool, program, out_dir)
            exes[tool['key']] = exe
            if error:
                for q in quantities:
                    cells[program, q, tool['key']] = error
        samples = {(q, t['key']): [] for q in quantities for t in tools}
        for r in range(runs):
            for tool in tools:
                key = tool['key']
                exe = exes[key]
                if exe is None:
                    continue
                print('  %s (%s), run %d of %d' % (program, tool['name'], r + 1,
                                                   runs), flush=True)
                ratios, errors = run_once(exe, quick, exe + '.log')
                for q, error in sorted(errors.items()):
                    print('  %s (%s): %s%s' % (program, tool['name'], error,
                          '' if q == '*' else ' (%s)' % q), flush=True)
                for q in quantities:
                    error = errors.get(q, errors.get('*'))
                    if error is None and q not in ratios:
                        error = 'no result'
                    if error:
                        cells[program, q, key] = error
                    else:
                        samples[q, key].append(ratios[q])
                if errors:
                    exes[key] = None  # failures repeat: no more runs
        for (q, key), values in samples.items():
            if values and not isinstance(cells.get((program, q, key)), str):
                cells[program, q, key] = statistics.median(values)
    return cells


def geomean(values):
    return math.exp(sum(map(math.log, values)) / len(values)) if values else None


def table(tools, cells):
    """The Markdown table (the peer first), and whether every cell holds a
    ratio."""
    tools = tools[::-1]
    names = [t['name'] for t in tools]
    header = ['program', 'quantity'] + names
    if len(tools) == 2:
        header.append('%s/%s' % (names[1], names[0]))
    lines = ['| ' + ' | '.join(header) + ' |',
             '|' + '---|' * len(header)]
    ok = True
    groups = {'reverse': [], 'forward': []}
    for program, quantities in PROGRAMS:
        for q in quantities:
            row = [program, q]
            values = [cells.get((program, q, t['key']), 'not run')
                      for t in tools]
            for v in values:
                if isinstance(v, str):
                    ok = False
                    row.append('FAIL (%s)' % v)
                else:
                    row.append('%.2f' % v)
            good = all(not isinstance(v, str) for v in values)
            if len(tools) == 2:
                row.append('%.2f' % (values[1] / values[0]) if good else '-')
            group = 'reverse' if q == 'reverse' else 'forward'
            groups[group].append(values if good else None)
            lines.append('| ' + ' | '.join(row) + ' |')
    for group, rows in groups.items():
        good = [r for r in rows if r is not None]
        label = 'geomean' if len(good) == len(rows) else \
            'geomean (%d of %d)' % (len(good), len(rows))
        row = [label, group]
        for i in range(len(tools)):
            g = geomean([r[i] for r in good])
            row.append('%.2f' % g if g else '-')
        if len(tools) == 2:
            g = geomean([r[1] / r[0] for r in good])
            row.append('%.2f' % g if g else '-')
        lines.append('| ' + ' | '.join(row) + ' |')
    return '\n'.join(lines), ok


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--fluxion-clang',
                        default=os.path.join(ROOT, 'build', 'bin', 'fluxion-clang'))
    parser.add_argument('--peer-plugin', help='-fpass-plugin library for clang-22')
    parser.add_argument('--peer-name', default='Enzyme')
    parser.add_argument('--peer-clang', default='clang-22',
                        help='compiler that loads --peer-plugin')
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--out', help='build and log directory (default: a new '
                        'temporary directory)')
    parser.add_argument('--quick', action='store_true',
                        help='one short measurement per run (PEERS_QUICK=1)')
    args = parser.parse_args()

    out_dir = args.out or tempfile.mkdtemp(prefix='bench-peers-')
    os.makedirs(out_dir, exist_ok=True)
    tools = [{'key': 'fluxion', 'name': 'Fluxion',
              'cc': [os.path.abspath(args.fluxion_clang), '-O2']}]
    if args.peer_plugin:
        tools.append({'key': 'peer', 'name': args.peer_name,
                      'cc': [args.peer_clang, '-O2',
                             '-fpass-plugin=' + os.path.abspath(args.peer_plugin)]})

    print('Building and running in %s' % out_dir, flush=True)
    cells = measure(tools, max(1, args.runs), args.quick, out_dir)
    text, ok = table(tools, cells)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') \
        else os.cpu_count()
    command = ' '.join(['python3'] + [shlex.quote(a) for a in sys.argv])
    text += '\n\n%s, %s, %d CPUs: `%s`\n' % (
        datetime.datetime.now().strftime('%Y-%m-%d %H:%M'), platform.machine(),
        cpus, command)
    with open(os.path.join(out_dir, 'results.md'), 'w') as f:
        f.write(text)
    print()
    print(text)
    if not ok:
        print('Some programs failed; their logs are in %s' % out_dir)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
