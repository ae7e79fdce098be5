#!/usr/bin/env python3
"""Runs Enzyme's host integration tests against Fluxion.

Enzyme's integration tests (enzyme/test/Integration in the Enzyme repository)
are C and C++ programs that call __enzyme_autodiff, __enzyme_fwddiff and
friends and check their own results.  This script reads each test's `// RUN:`
lines, maps every one of them to what a Fluxion user would do with the same
source and frontend flags -- compile it with clang-22 and the Fluxion plugin,
link it, run it -- and reports which tests pass.

Usage:
  python3 test/conformance/enzyme_suite.py \\
      --suite <enzyme checkout>/enzyme/test/Integration --build build \\
      [-j 2] [--filter substr] [--json results.json]

The summary and a markdown table of the failures go to stdout, progress to
stderr.  The suite is read from the given path; nothing of it is copied.

How a RUN line is mapped:
  * `if [ %llvmver -OP N ]; then ...; fi` guards are decided for LLVM 22 (a
    line whose guard fails does nothing, as under lit); other conditions
    (`%hasMPFR`) are taken as true.
  * The `%opt ... %enzyme` step, `%loadClangEnzyme`, `%newLoadClangEnzyme`,
    `-mllvm -enzyme-*`, `-Rpass=enzyme`, `-include enzyme/...` and `-lmpfr`
    are Enzyme's own and are dropped: the plugin runs inside clang instead.
    Except `-mllvm -enzyme-truncate-all=X`, which becomes Fluxion's
    `-mllvm -fluxion-truncate-all=X` (Fluxion emulates the narrower formats
    without Enzyme's MPFR runtime, hence no -include or -lmpfr).
  * `%O0TBAA` (`-O1 -Xclang -disable-llvm-passes`) becomes `-O0`: with LLVM
    passes disabled no pass plugin runs, so -O0 is the closest level at which
    Fluxion differentiates the unoptimized code.
  * Lines piped into `%lli` or building `%s.out` are compiled (-c), linked
    with -lm (and -lstdc++ for C++) and run natively with a time limit; a
    FileCheck stage checks the program's stdout with the line's prefixes.
  * `-Xclang -verify` lines pass when the compile reports an error on every
    line with an `expected-error` comment (and a warning on every line with an
    `expected-warning` comment) and no error elsewhere.  Only the location is
    compared: Fluxion's wording differs from Enzyme's.  Remarks and notes are
    ignored (Enzyme's -Rpass=enzyme remarks have no Fluxion counterpart).
  * Other lines are compile-only: the IR must build and must not still
    declare an `__enzyme_*` builtin (one the plugin did not lower).
  * RUN lines that map to the same command (e.g. the -enzyme-inline=1 or
    old/new pass-manager variants) are run once.
A test passes when every one of its distinct commands passes.
"""

import argparse
import concurrent.futures
import dataclasses
import datetime
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

RUN_TIMEOUT_S = 60
COMPILE_TIMEOUT_S = 600
TAIL_LINES = 12
TRIM_CHARS = 120

# Enzyme-only tokens of a compile stage that take no argument.
ENZYME_ONLY_FLAGS = {'%loadClangEnzyme', '%newLoadClangEnzyme', '-lmpfr'}
# Tokens of a compile stage that describe Enzyme's output plumbing; the
# runner chooses its own outputs.
OUTPUT_FLAGS = {'%s', '-S', '-emit-llvm', '-c'}
COMPILERS = {'%clang': 'c', 'clang': 'c', '%clang++': 'c++', 'clang++': 'c++'}
FILECHECKS = {'FileCheck', '%FileCheck'}
LEVEL_RE = re.compile(r'^-O([0-3sz]|fast)?$')
IF_RE = re.compile(r'^\s*if\s+(?P<cond>.*?);\s*then\s+(?P<body>.*?)\s*;?\s*fi\s*;?\s*$',
                   re.DOTALL)
DIAG_RE = re.compile(r'^(?P<file>[^:\s][^:]*):(?P<line>\d+):(?:(?P<col>\d+):)? '
                     r'(?P<kind>fatal error|error|warning|remark|note): (?P<msg>.*)$')
EXPECTED_RE = re.compile(r'expected-(?P<kind>error|warning|remark|note)'
                         r'(?:@(?P<where>[^\s{]+))?\s*(?:\d+\s*)?\{\{(?P<msg>.*?)\}\}')
CRASH_MARKERS = ('PLEASE submit a bug report', 'Stack dump:',
                 'frontend command failed due to signal', 'LLVM ERROR:')


@dataclasses.dataclass
class Command:
    """One distinct Fluxion command derived from one or more RUN lines."""
    language: str            # 'c' or 'c++' (the RUN line's driver)
    flags: list              # frontend flags of the RUN line, Enzyme's removed
    link_flags: list         # -l flags of the RUN line, and -fopenmp
    action: str              # 'run', 'verify' or 'compile'
    check_prefixes: list     # FileCheck prefixes; empty without FileCheck
    program_args: list       # arguments the RUN line passes to the program
    run_lines: list          # 1-based line numbers of the RUN lines
    levels: list             # optimization levels as written ('O2', 'O0TBAA')
    error: str = ''          # set when the RUN line could not be mapped

    def key(self):
        return (self.language, tuple(self.flags), tuple(self.link_flags),
                self.action, tuple(self.check_prefixes),
                tuple(self.program_args), self.error)


@dataclasses.dataclass
class Outcome:
    """What running one Command gave."""
    status: str              # 'pass' or 'fail'
    category: str = ''       # see CATEGORIES
    message: str = ''        # the first error line, or a one-line reason
    details: str = ''        # tail of the relevant output
    argv: list = dataclasses.field(default_factory=list)
    seconds: float = 0.0
    note: str = ''           # e.g. Enzyme attributes clang ignored


CATEGORIES = ('unsupported RUN line', 'compiler crash', 'compile timeout',
              'compile error', 'unlowered builtin', 'link error',
              'verify mismatch', 'timeout', 'run-time failure',
              'FileCheck mismatch')


def is_openmp_or_mpi(rel_path, text):
    """Tests that need an OpenMP or MPI runtime (outside the target set)."""
    if 'mpi' in os.path.basename(rel_path).lower() or '/mpi/' in rel_path:
        return True
    if re.search(r'#\s*include\s*[<"]mpi\.h[>"]', text):
        return True
    return any('-fopenmp' in line for _, line in run_lines(text))


def run_lines(text):
    """Returns (line number, command) for each `RUN:` line, joining `\\`."""
    result = []
    pending, start = None, 0
    for number, line in enumerate(text.splitlines(), 1):
        match = re.search(r'\bRUN:(.*)$', line)
        if not match:
            continue
        body = match.group(1).strip()
        if pending is None:
            pending, start = '', number
        if body.endswith('\\'):
            pending += body[:-1] + ' '
            continue
        result.append((start, pending + body))
        pending = None
    return result


def split_stages(command):
    """Splits a shell command into stages at `|`, `&&`, `||` and `;`."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    stages, current = [], []
    for token in lexer:
        if token in ('|', '&&', '||', ';'):
            if current:
                stages.append(current)
            current = []
        else:
            current.append(token)
    if current:
        stages.append(current)
    return stages


def parse_compile_stage(tokens, command):
    """Fills `command` from a `%clang ... %s` stage; returns False on an
    unknown construct."""
    i = 1
    while i < len(tokens):
        token = tokens[i]
        following = tokens[i + 1] if i + 1 < len(tokens) else ''
        if token in OUTPUT_FLAGS or token in ENZYME_ONLY_FLAGS:
            i += 1
        elif token == '-o':
            i += 2
        elif token == '-mllvm' and \
                following.lstrip('-').startswith('enzyme-truncate-all'):
            value = following.partition('=')[2]
            command.flags += ['-mllvm', '-fluxion-truncate-all=' + value]
            i += 2
        elif token == '-mllvm' and following.lstrip('-').startswith('enzyme'):
            i += 2
        elif token == '-Xclang' and following == '-verify':
            command.action = 'verify'
            i += 2
        elif token.startswith('-Rpass') and 'enzyme' in token:
            i += 1
        elif token == '-include' and following.startswith('enzyme/'):
            i += 2
        elif token == '%O0TBAA':
            command.flags.append('-O0')
            command.levels.append('O0TBAA')
            i += 1
        elif token.startswith('-l'):
            command.link_flags.append(token)
            i += 1
        elif token.startswith('%'):
            command.error = 'unknown substitution %s' % token
            return False
        else:
            if LEVEL_RE.match(token):
                command.levels.append(token[1:] or 'O')
            if token == '-fopenmp':
                command.link_flags.append(token)
            command.flags.append(token)
            i += 1
    return True


def parse_run_line(number, line, language):
    """Maps one RUN line to a Command (with `error` set if it cannot)."""
    command = Command(language=language, flags=[], link_flags=[],
                      action='compile', check_prefixes=[], program_args=[],
                      run_lines=[number], levels=[])
    match = IF_RE.match(line)
    body = match.group('body') if match else line
    try:
        stages = split_stages(body)
    except ValueError as err:
        command.error = 'cannot tokenize RUN line: %s' % err
        return command
    compiled = False
    for stage in stages:
        tool = stage[0]
        if tool in COMPILERS and ('%s' in stage or not compiled) \
                and '-x' not in stage:
            compiled = True
            command.language = COMPILERS[tool]
            if not parse_compile_stage(stage, command):
                return command
        elif tool in COMPILERS:
            # `%clang -x ir - -o %s.out`: links the differentiated IR.
            for token in stage:
                if token == '-fopenmp' or token.startswith('-l'):
                    if token not in command.link_flags:
                        command.link_flags.append(token)
        elif tool == '%opt' or tool == 'ls':
            continue
        elif tool == '%lli' or tool.startswith('%s.') or tool.startswith('./'):
            command.action = 'run'
            args = stage[1:]
            if tool == '%lli':
                args = args[args.index('-') + 1:] if '-' in args else []
            command.program_args = args
        elif tool in FILECHECKS or tool.endswith('/FileCheck'):
            command.check_prefixes = filecheck_prefixes(stage) or ['CHECK']
        else:
            command.error = 'unknown RUN stage %r' % ' '.join(stage)
            return command
    if not compiled:
        command.error = 'no compile step in RUN line'
    if not any(LEVEL_RE.match(flag) for flag in command.flags):
        command.levels.append('O0')
    return command


def filecheck_prefixes(stage):
    prefixes = []
    i = 1
    while i < len(stage):
        token = stage[i]
        if token in ('--check-prefix', '-check-prefix', '--check-prefixes',
                     '-check-prefixes') and i + 1 < len(stage):
            prefixes += stage[i + 1].split(',')
            i += 2
            continue
        match = re.match(r'^--?check-prefix(?:es)?=(.*)$', token)
        if match:
            prefixes += match.group(1).split(',')
        i += 1
    return prefixes


LLVM_VERSION = 22
TEST_RE = re.compile(r'\[\s*(\S+)\s+(-eq|-ne|-lt|-le|-gt|-ge)\s+(\S+)\s*\]')


def condition_holds(line):
    """Whether the `if [ %llvmver -OP N ]` guards of a RUN line hold for
    LLVM 22, as the shell would decide; other conditions hold."""
    match = IF_RE.match(line)
    if not match:
        return True
    for left, op, right in TEST_RE.findall(match.group('cond')):
        values = [LLVM_VERSION if side == '%llvmver' else side
                  for side in (left, right)]
        try:
            a, b = int(values[0]), int(values[1])
        except ValueError:
            continue
        holds = {'-eq': a == b, '-ne': a != b, '-lt': a < b, '-le': a <= b,
                 '-gt': a > b, '-ge': a >= b}[op]
        if not holds:
            return False
    return True


def commands_for(rel_path, text):
    """The distinct Fluxion commands for one test file."""
    language = 'c++' if rel_path.endswith(('.cpp', '.cc', '.cxx')) else 'c'
    distinct = {}
    for number, line in run_lines(text):
        if not condition_holds(line):
            continue
        command = parse_run_line(number, line, language)
        known = distinct.get(command.key())
        if known:
            known.run_lines += command.run_lines
            known.levels += [l for l in command.levels if l not in known.levels]
        else:
            distinct[command.key()] = command
    return list(distinct.values())


@dataclasses.dataclass
class Process:
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool


def run_process(argv, timeout, cwd, input_text=None):
    """Runs argv in its own process group, killing the group on timeout."""
    proc = subprocess.Popen(
        argv, cwd=cwd, start_new_session=True, text=True, errors='replace',
        stdin=subprocess.PIPE if input_text is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(input_text, timeout=timeout)
        return Process(proc.returncode, out, err, False)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        return Process(proc.returncode, out, err, True)


def tail(text, lines=TAIL_LINES):
    kept = [line for line in text.splitlines() if line.strip()]
    return '\n'.join(kept[-lines:])


def first_line(text, pattern):
    for line in text.splitlines():
        if re.search(pattern, line):
            return line.strip()
    return ''


def crash_summary(stderr):
    """One line saying where the compiler crashed."""
    reason = first_line(stderr, r'LLVM ERROR:|Assertion .* failed|UNREACHABLE')
    if not reason:
        match = re.search(r'frontend command failed (?:due to signal|with exit '
                          r'code) (\d+)', stderr)
        code = int(match.group(1)) if match else 0
        reason = signal_name(128 - code if code > 128 else code) \
            if match else 'crash'
    frame = first_line(stderr, r'^\s*#\d+ .*(FluxionPlugin|fluxion)')
    frame = re.sub(r'^\s*#\d+\s+0x[0-9a-f]+\s+', '', frame)
    frame = re.sub(r'\s*\(/[^)]*FluxionPlugin\.so\+0x[0-9a-f]+\)$', '', frame)
    if not frame:
        frame = first_line(stderr, r'Running pass')
    return reason + (' | ' + frame if frame else '')


def filecheck_summary(stderr, checked_text):
    """FileCheck's first error, the directive it failed on and the last
    line of what it checked, on one line."""
    lines = stderr.splitlines()
    for index, line in enumerate(lines):
        if 'error:' in line:
            message = re.sub(r'^\S+:\d+:\d+: ', '', line.strip())
            if index + 1 < len(lines):
                directive = lines[index + 1].strip().lstrip('/').strip()
                message += ': `%s`' % directive
            output = tail(checked_text, 1)
            return message + '; got `%s`' % output if output else \
                message + '; got no output'
    return 'FileCheck failed'


def link_summary(stderr):
    """The undefined symbols (Enzyme builtins first), or the linker's first
    complaint."""
    symbols = []
    for symbol in re.findall(r"undefined reference to `(.*)'", stderr):
        if symbol not in symbols:
            symbols.append(symbol)
    if symbols:
        symbols.sort(key=lambda symbol: '__enzyme' not in symbol)
        return 'undefined reference to ' + ', '.join(
            '`%s`' % symbol for symbol in symbols)
    line = first_line(stderr, r'ld: |error:')
    return re.sub(r'^\S*ld: ', 'ld: ', line)


def ignored_attributes(stderr):
    """Enzyme's clang-plugin attributes that plain clang ignored."""
    found = []
    for name in re.findall(r"unknown attribute '(enzyme_\w+)' ignored", stderr):
        if name not in found:
            found.append(name)
    return found


def signal_name(returncode):
    if returncode >= 0:
        return 'exit code %d' % returncode
    try:
        return 'signal %s' % signal.Signals(-returncode).name
    except ValueError:
        return 'signal %d' % -returncode


class Runner:
    def __init__(self, args):
        self.suite = os.path.abspath(args.suite)
        self.plugin = os.path.abspath(os.path.join(args.build, 'lib',
                                                   'FluxionPlugin.so'))
        # Fluxion's headers, as fluxion-clang passes them: <enzyme/enzyme>
        # is Fluxion's own there.
        self.include = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    os.pardir, os.pardir, 'include')
        self.clang = {'c': args.clang, 'c++': args.clangxx}
        self.filecheck = args.filecheck
        self.run_timeout = args.timeout
        self.compile_timeout = args.compile_timeout
        self.work_dir = args.work_dir

    def compile_argv(self, command, source):
        return ([self.clang[command.language]] + command.flags +
                ['-fpass-plugin=' + self.plugin, '-Rpass-missed=fluxion',
                 '-I' + os.path.normpath(self.include),
                 '-fno-crash-diagnostics', source])

    def compile(self, command, source, outputs, cwd, notes):
        """Compiles; returns (Process, argv, failing Outcome or None) and
        adds what the compile says about Enzyme-only syntax to `notes`."""
        argv = self.compile_argv(command, source) + outputs
        proc = run_process(argv, self.compile_timeout, cwd)
        ignored = ignored_attributes(proc.stderr)
        if ignored:
            notes.append('clang ignored ' + ', '.join(ignored))
        if proc.timed_out:
            return proc, argv, Outcome('fail', 'compile timeout',
                                       'no result after %d s' %
                                       self.compile_timeout, tail(proc.stderr))
        if any(marker in proc.stderr for marker in CRASH_MARKERS) or \
                proc.returncode < 0:
            return proc, argv, Outcome('fail', 'compiler crash',
                                       crash_summary(proc.stderr),
                                       tail(proc.stderr, 40))
        return proc, argv, None

    def run_command(self, command, source, cwd):
        if command.error:
            return Outcome('fail', 'unsupported RUN line', command.error)
        notes = []
        if command.action == 'verify':
            outcome = self.run_verify(command, source, cwd, notes)
        elif command.action == 'compile':
            outcome = self.run_compile_only(command, source, cwd, notes)
        else:
            outcome = self.run_program(command, source, cwd, notes)
        outcome.note = '; '.join(notes)
        return outcome

    def run_verify(self, command, source, cwd, notes):
        proc, argv, failure = self.compile(command, source,
                                           ['-S', '-emit-llvm', '-o',
                                            os.devnull], cwd, notes)
        if failure:
            failure.argv = argv
            return failure
        problems = verify_problems(source, proc.stderr)
        if problems:
            return Outcome('fail', 'verify mismatch', problems[0],
                           '\n'.join(problems + ['--- stderr:',
                                                 tail(proc.stderr, 30)]), argv)
        errors = [line for line in proc.stderr.splitlines()
                  if ' error: ' in line]
        return Outcome('pass', message=errors[0].strip() if errors else '',
                       argv=argv)

    def run_compile_only(self, command, source, cwd, notes):
        ir_path = os.path.join(cwd, 'out.ll')
        proc, argv, failure = self.compile(command, source,
                                           ['-S', '-emit-llvm', '-o', ir_path],
                                           cwd, notes)
        if failure:
            failure.argv = argv
            return failure
        if proc.returncode != 0:
            return Outcome('fail', 'compile error',
                           first_line(proc.stderr, r'error:') or
                           signal_name(proc.returncode), tail(proc.stderr),
                           argv)
        with open(ir_path, errors='replace') as ir_file:
            ir = ir_file.read()
        leftover = sorted(set(re.findall(r'^declare .*@(__enzyme_\w+)\(', ir,
                                         re.MULTILINE)))
        if leftover:
            return Outcome('fail', 'unlowered builtin',
                           'IR still declares ' + ', '.join(leftover), '',
                           argv)
        if command.check_prefixes:
            return self.filecheck_outcome(command, source, ir, cwd, argv)
        return Outcome('pass', argv=argv)

    def run_program(self, command, source, cwd, notes):
        obj = os.path.join(cwd, 'test.o')
        exe = os.path.join(cwd, 'test.exe')
        proc, argv, failure = self.compile(command, source, ['-c', '-o', obj],
                                           cwd, notes)
        if failure:
            failure.argv = argv
            return failure
        if proc.returncode != 0:
            return Outcome('fail', 'compile error',
                           first_line(proc.stderr, r'error:') or
                           signal_name(proc.returncode), tail(proc.stderr),
                           argv)
        link = [self.clang[command.language], obj, '-o', exe] + \
            command.link_flags + ['-lm']
        if command.language == 'c++' or source.endswith('.cpp'):
            link.append('-lstdc++')
        linked = run_process(link, self.compile_timeout, cwd)
        if linked.returncode != 0:
            message = link_summary(linked.stderr) or \
                signal_name(linked.returncode)
            return Outcome('fail', 'link error', message, tail(linked.stderr),
                           argv + ['&&'] + link)
        ran = run_process([exe] + command.program_args, self.run_timeout, cwd)
        argv = argv + ['&&'] + link + ['&&', exe] + command.program_args
        if ran.timed_out:
            return Outcome('fail', 'timeout',
                           'no exit after %d s' % self.run_timeout,
                           tail(ran.stderr + '\n' + ran.stdout), argv)
        if ran.returncode != 0:
            reason = (first_line(ran.stderr, r'Assertion|[Ee]rror|[Ff]ail') or
                      first_line(ran.stdout, r'Assertion|[Ee]rror|[Ff]ail') or
                      (tail(ran.stderr, 1) or tail(ran.stdout, 1)))
            message = signal_name(ran.returncode) + \
                (': ' + reason if reason else '')
            return Outcome('fail', 'run-time failure', message,
                           tail(ran.stderr) + '\n--- stdout:\n' +
                           tail(ran.stdout), argv)
        if command.check_prefixes:
            return self.filecheck_outcome(command, source, ran.stdout, cwd,
                                          argv)
        return Outcome('pass', argv=argv)

    def filecheck_outcome(self, command, source, text, cwd, argv):
        check = [self.filecheck] + ['--check-prefix=' + prefix for prefix in
                                    command.check_prefixes] + [source]
        checked = run_process(check, self.run_timeout, cwd, input_text=text)
        argv = argv + ['|'] + check
        if checked.returncode != 0:
            return Outcome('fail', 'FileCheck mismatch',
                           filecheck_summary(checked.stderr, text),
                           tail(checked.stderr, 30), argv)
        return Outcome('pass', argv=argv)

    def run_file(self, rel_path):
        source = os.path.join(self.suite, rel_path)
        with open(source, errors='replace') as source_file:
            text = source_file.read()
        commands = commands_for(rel_path, text)
        results = []
        start = time.time()
        for index, command in enumerate(commands):
            cwd = tempfile.mkdtemp(prefix='%s.%d.' % (
                os.path.basename(rel_path), index), dir=self.work_dir)
            began = time.time()
            try:
                outcome = self.run_command(command, source, cwd)
            finally:
                shutil.rmtree(cwd, ignore_errors=True)
            outcome.seconds = round(time.time() - began, 1)
            # Paths into the suite are noise in one-line messages.
            outcome.message = outcome.message.replace(self.suite + '/', '')
            results.append((command, outcome))
        status = 'pass' if all(
            outcome.status == 'pass' for _, outcome in results) else 'fail'
        # lit's `XFAIL: *`: the test is expected to fail (Enzyme marks its
        # known failures so); failing is a pass, passing is unexpected.
        expected_failure = re.search(r'^\s*//\s*XFAIL:\s*\*', text, re.M)
        if results and expected_failure:
            status = 'fail' if status == 'pass' else 'pass'
        return {
            'file': rel_path,
            'group': 'openmp-mpi' if is_openmp_or_mpi(rel_path, text)
                     else 'target',
            # RUN lines whose guards do not hold for LLVM 22 do nothing, and
            # lit passes them.
            'status': status if results or run_lines(text) else
                      'no commands',
            'seconds': round(time.time() - start, 1),
            'commands': [command_record(command, outcome)
                         for command, outcome in results],
        }


def command_record(command, outcome):
    record = {
        'run_lines': command.run_lines,
        'levels': command.levels,
        'action': command.action,
        'flags': command.flags,
    }
    if command.check_prefixes:
        record['check_prefixes'] = command.check_prefixes
    record.update(dataclasses.asdict(outcome))
    if outcome.argv:
        record['argv'] = ' '.join(shlex.quote(arg) for arg in outcome.argv)
    return record


def verify_problems(source, stderr):
    """Compares the compile's diagnostics with `expected-*` comments, by
    location only.  Returns a list of problems (empty when it matches)."""
    expected_errors, expected_warnings = set(), set()
    with open(source, errors='replace') as source_file:
        lines = source_file.read().splitlines()
    base = os.path.basename(source)
    for number, line in enumerate(lines, 1):
        for match in EXPECTED_RE.finditer(line):
            where, target_file, target = match.group('where'), base, number
            if where and re.match(r'^[+-]\d+$', where):
                target = number + int(where)
            elif where and where.isdigit():
                target = int(where)
            elif where:
                target_file, _, target = where.rpartition(':')
                target_file = os.path.basename(target_file)
                target = int(target) if target.isdigit() else 0
            location = (target_file, target, match.group('msg'))
            if match.group('kind') == 'error':
                expected_errors.add(location)
            elif match.group('kind') == 'warning':
                expected_warnings.add(location)
    errors, warnings, stray = set(), set(), []
    for line in stderr.splitlines():
        match = DIAG_RE.match(line)
        if not match:
            if re.match(r'^\S*: (fatal )?error: ', line) or \
                    line.startswith('error: '):
                stray.append(line.strip())
            continue
        location = (os.path.basename(match.group('file')),
                    int(match.group('line')))
        if match.group('kind') in ('error', 'fatal error'):
            errors.add(location)
            if location not in {loc[:2] for loc in expected_errors}:
                stray.append(line.strip())
        elif match.group('kind') == 'warning':
            warnings.add(location)
    problems = ['unexpected ' + line for line in stray]
    for file_name, number, message in sorted(expected_errors):
        if (file_name, number) not in errors:
            problems.append('no error at %s:%d (Enzyme expects "%s")' %
                            (file_name, number, message))
    for file_name, number, message in sorted(expected_warnings):
        if (file_name, number) not in warnings:
            problems.append('no warning at %s:%d (Enzyme expects "%s")' %
                            (file_name, number, message))
    return problems


def find_tests(suite, pattern):
    tests = []
    for root, dirs, files in os.walk(suite):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(('.c', '.cpp')):
                rel_path = os.path.relpath(os.path.join(root, name), suite)
                if not pattern or pattern in rel_path:
                    tests.append(rel_path)
    return tests


def trim(text, limit=TRIM_CHARS):
    text = ' '.join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + '...'


def cell(text):
    return trim(text).replace('|', '\\|')


def failing_levels(result):
    levels = []
    for command in result['commands']:
        if command['status'] != 'pass':
            levels += [level for level in command['levels']
                       if level not in levels]
    order = ['O0', 'O0TBAA', 'O', 'O1', 'O2', 'O3', 'Os', 'Oz', 'Ofast']
    return sorted(levels, key=lambda l: order.index(l) if l in order else 99)


def failure_row(result):
    failing = [c for c in result['commands'] if c['status'] != 'pass']
    if not failing:
        return '| %s | | no RUN lines | |' % result['file']
    categories = []
    for command in failing:
        if command['category'] not in categories:
            categories.append(command['category'])
    message = failing[0]['message']
    if failing[0].get('note'):
        message = '[%s] %s' % (failing[0]['note'], message)
    return '| %s | %s | %s | %s |' % (
        result['file'], ', '.join(failing_levels(result)),
        ', '.join(categories), cell(message))


def cause_key(command):
    """A failure's message with locations and numbers blurred, for grouping."""
    builtins = []
    for name in re.findall(r'__enzyme_\w+', command['message']):
        if name not in builtins:
            builtins.append(name)
    if command['category'] == 'link error' and builtins:
        return 'link error: %s not lowered' % ', '.join(builtins)
    message = re.sub(r'^\S+:\d+:(\d+:)? ', '', command['message'])
    message = re.sub(r'/\S+/', '', message)
    message = re.sub(r'\b0x[0-9a-f]+\b|\b\d+(\.\d+)?\b', 'N', message)
    return '%s: %s' % (command['category'], trim(message, 100))


def describe_plugin(path):
    """The plugin's path, modification time and hash: the build directory is
    often rebuilt while a run is under way, so say which plugin ran."""
    with open(path, 'rb') as plugin:
        digest = hashlib.sha256(plugin.read()).hexdigest()[:16]
    stamp = datetime.datetime.fromtimestamp(os.path.getmtime(path))
    return '%s (built %s, sha256 %s)' % (os.path.abspath(path),
                                         stamp.strftime('%Y-%m-%d %H:%M:%S'),
                                         digest)


def report(results, args, clang_version, plugin):
    target = [r for r in results if r['group'] == 'target']
    other = [r for r in results if r['group'] != 'target']
    passed = [r for r in results if r['status'] == 'pass']
    target_passed = [r for r in target if r['status'] == 'pass']
    commands = [c for r in results for c in r['commands']]
    out = []
    out.append('# Enzyme integration suite on Fluxion')
    out.append('')
    out.append('- suite: `%s`' % os.path.abspath(args.suite))
    out.append('- plugin: `%s`' % plugin)
    out.append('- compiler: %s' % clang_version)
    out.append('- date: %s' % datetime.datetime.now().strftime('%Y-%m-%d %H:%M'))
    out.append('')
    out.append('## Summary')
    out.append('')
    out.append('- **%d / %d** tests pass at every level (not counting the '
               '%d that need OpenMP/MPI)' % (len(target_passed), len(target),
                                             len(other)))
    out.append('- %d / %d tests pass overall' % (len(passed), len(results)))
    out.append('- %d / %d distinct commands pass' % (
        sum(c['status'] == 'pass' for c in commands), len(commands)))
    out.append('')
    by_category = {}
    for command in commands:
        if command['status'] != 'pass':
            by_category[command['category']] = \
                by_category.get(command['category'], 0) + 1
    if by_category:
        out.append('Failing commands by category: ' + ', '.join(
            '%s %d' % (name, by_category[name]) for name in CATEGORIES
            if name in by_category) + '.')
        out.append('')
    failing = [r for r in target if r['status'] != 'pass']
    if failing:
        out.append('## Failing tests (%d)' % len(failing))
        out.append('')
        out.append('| file | levels failing | category | first error |')
        out.append('|---|---|---|---|')
        out += [failure_row(r) for r in failing]
        out.append('')
    if other:
        out.append('## Needs OpenMP/MPI (%d, outside the target set)' %
                   len(other))
        out.append('')
        out.append('| file | result | levels failing | category | first error |')
        out.append('|---|---|---|---|---|')
        for result in other:
            if result['status'] == 'pass':
                out.append('| %s | pass | | | |' % result['file'])
            else:
                row = failure_row(result)
                out.append(row.replace('| %s |' % result['file'],
                                       '| %s | fail |' % result['file'], 1))
        out.append('')
    causes = {}
    for result in failing:
        for command in result['commands']:
            if command['status'] != 'pass':
                files = causes.setdefault(cause_key(command), [])
                if result['file'] not in files:
                    files.append(result['file'])
    if causes:
        out.append('## Failing tests by first error (target set)')
        out.append('')
        out.append('| tests | cause | files |')
        out.append('|---|---|---|')
        for key, files in sorted(causes.items(),
                                 key=lambda item: (-len(item[1]), item[0])):
            out.append('| %d | %s | %s |' % (len(files), cell(key),
                                             ', '.join(files)))
        out.append('')
    passing_verify = [(r['file'], c['message']) for r in results
                      for c in r['commands']
                      if c['action'] == 'verify' and c['status'] == 'pass'
                      and c['message']]
    if passing_verify:
        out.append('## Passing -verify commands (locations match; Fluxion\'s '
                   'wording differs from Enzyme\'s)')
        out.append('')
        seen = set()
        for file_name, message in passing_verify:
            if (file_name, message) not in seen:
                seen.add((file_name, message))
                out.append('- %s: `%s`' % (file_name, trim(message, 160)))
        out.append('')
    return '\n'.join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--suite', required=True,
                        help='path to enzyme/test/Integration')
    parser.add_argument('--build', default='build',
                        help='Fluxion build directory (default: build)')
    parser.add_argument('-j', '--jobs', type=int, default=1,
                        help='tests run at once (default: 1)')
    parser.add_argument('--filter', default='',
                        help='run only tests whose path contains this')
    parser.add_argument('--json', help='write the full results here')
    parser.add_argument('--markdown', help='also write the report here')
    parser.add_argument('--timeout', type=int, default=RUN_TIMEOUT_S,
                        help='seconds a test program may run (default: 60)')
    parser.add_argument('--compile-timeout', type=int,
                        default=COMPILE_TIMEOUT_S,
                        help='seconds a compile may take (default: 600)')
    parser.add_argument('--clang', default='clang-22')
    parser.add_argument('--clangxx', default='clang++-22')
    parser.add_argument('--filecheck',
                        default='/usr/lib/llvm-22/bin/FileCheck')
    parser.add_argument('--list', action='store_true',
                        help='print the commands each test maps to and exit')
    args = parser.parse_args()

    plugin = os.path.join(args.build, 'lib', 'FluxionPlugin.so')
    if not os.path.isdir(args.suite):
        parser.error('no suite at %s' % args.suite)
    if not args.list and not os.path.isfile(plugin):
        parser.error('no plugin at %s' % plugin)
    tests = find_tests(args.suite, args.filter)
    if not tests:
        parser.error('no tests match')

    if args.list:
        for rel_path in tests:
            with open(os.path.join(args.suite, rel_path),
                      errors='replace') as source_file:
                text = source_file.read()
            group = ' [OpenMP/MPI]' if is_openmp_or_mpi(rel_path, text) else ''
            print('%s%s' % (rel_path, group))
            for command in commands_for(rel_path, text):
                print('  lines %s, %s: %s %s%s%s' % (
                    ','.join(map(str, command.run_lines)), command.action,
                    command.language, ' '.join(command.flags),
                    ' | FileCheck ' + ','.join(command.check_prefixes)
                    if command.check_prefixes else '',
                    '  ERROR: ' + command.error if command.error else ''))
        return 0

    args.work_dir = tempfile.mkdtemp(prefix='fluxion-enzyme-suite.')
    runner = Runner(args)
    plugin_description = describe_plugin(plugin)
    version = subprocess.run([args.clang, '--version'], capture_output=True,
                             text=True).stdout.splitlines()[0]
    results = []
    try:
        with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
            futures = {pool.submit(runner.run_file, t): t for t in tests}
            for future in concurrent.futures.as_completed(futures):
                result = future.result()
                results.append(result)
                print('[%d/%d] %s %s (%d commands, %.0f s)' % (
                    len(results), len(tests), result['status'].upper(),
                    result['file'], len(result['commands']),
                    result['seconds']), file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(args.work_dir, ignore_errors=True)
    results.sort(key=lambda r: r['file'])

    if describe_plugin(plugin) != plugin_description:
        print('warning: %s changed during the run' % plugin, file=sys.stderr)
    text = report(results, args, version, plugin_description)
    print(text)
    if args.markdown:
        with open(args.markdown, 'w') as out:
            out.write(text + '\n')
    if args.json:
        with open(args.json, 'w') as out:
            json.dump({'suite': os.path.abspath(args.suite),
                       'plugin': plugin_description,
                       'compiler': version,
                       'tests': results}, out, indent=1)
    return 0 if all(r['status'] == 'pass' for r in results
                    if r['group'] == 'target') else 1


if __name__ == '__main__':
    sys.exit(main())
