#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn a VM console log into per-suite counts.

Usage: results.py CONSOLE_LOG KERNEL_TREE EXPECTED_DIR OUT_DIR

Writes OUT_DIR/<suite>.txt (details) and prints one line per suite:
"SUITE: P passed, F failed, S skipped".  Suites: kunit, hmm-tests, p2pdma,
modules, kmemleak, bench (when it ran), splat, vm.
"""
import os
import re
import subprocess
import sys

ANSI = re.compile(r'\x1b\[[0-9;]*m')
SPLAT = re.compile(r'WARNING:|BUG:|kernel BUG at|Oops|general protection fault|'
                   r'Kernel panic|UBSAN:|KASAN|INFO: task .* blocked|'
                   r'INFO: rcu_|refcount_t:|list_(add|del) corruption|'
                   r'possible (circular|recursive) locking|unreferenced object')
TAP = re.compile(r'^(not )?ok \d+ (\S+)(.*)$')


class Suite:
    def __init__(self, name):
        self.name, self.p, self.f, self.s, self.notes = name, 0, 0, 0, []

    def line(self):
        return f'{self.name}: {self.p} passed, {self.f} failed, {self.s} skipped'


def read_lines(path):
    with open(path, errors='replace') as f:
        return [ANSI.sub('', l.rstrip('\r\n').replace('\r', '')) for l in f]


def read_list(path):
    """Non-comment lines of an expected/ file."""
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [l.strip() for l in f if l.strip() and not l.startswith('#')]


def phases(lines):
    """Yield (phase, line): phase is the hmm-* block a line lies in, else
    'boot' before init and 'init' after."""
    phase = 'boot'
    for l in lines:
        m = re.search(r'@@ BEGIN (\S+)', l)
        if m:
            phase = m.group(1)
        elif '@@ INIT' in l:
            phase = 'init'
        yield phase, l
        if re.search(r'@@ END ', l):
            phase = 'init'


def kunit(lines, tree, out):
    s = Suite('kunit')
    boot = []
    for ph, l in phases(lines):
        if ph != 'boot':
            break
        boot.append(l)
    logf = os.path.join(out, 'kunit.log')
    with open(logf, 'w') as f:
        f.write('\n'.join(boot) + '\n')
    r = subprocess.run([sys.executable, os.path.join(tree, 'tools/testing/kunit/kunit.py'),
                        'parse', logf], capture_output=True, text=True)
    text = ANSI.sub('', r.stdout + r.stderr)
    with open(os.path.join(out, 'kunit.txt'), 'w') as f:
        f.write(text)
    m = re.search(r'Ran (\d+) tests?: (.*)', text)
    if not m or int(m.group(1)) == 0:
        s.f = 1
        s.notes.append('no KUnit results in the boot log')
        return s
    counts = dict((k, int(v)) for k, v in re.findall(r'(\w+): (\d+)', m.group(2)))
    s.p = counts.get('passed', 0)
    s.f = counts.get('failed', 0) + counts.get('crashed', 0) + counts.get('errors', 0)
    s.s = counts.get('skipped', 0)
    if r.returncode and not s.f:
        s.f = 1
        s.notes.append(f'kunit.py parse exited {r.returncode}')
    return s


def selftests(lines, expected, suite, required):
    """kselftest-harness output per phase (the "@@ BEGIN <phase>" blocks of
    the phases in @required): tests listed in expected/<phase>.xfail may fail
    (counted as skipped, named in the details); every other failure counts,
    and a pass count below expected/<phase>.pass is a failure too, so a
    suite that skips does not pass."""
    s = Suite(suite)
    details = []
    blocks = {}
    for ph, l in phases(lines):
        if ph in required:
            blocks.setdefault(ph, []).append(l)
    for ph in sorted(blocks):
        ok, bad, skip, known = [], [], [], []
        xfail = set(read_list(os.path.join(expected, ph + '.xfail')))
        end = None
        for l in blocks[ph]:
            m = TAP.match(l)
            if m and '.' in m.group(2):
                name = m.group(2)
                if '# SKIP' in m.group(3):
                    skip.append(name)
                elif m.group(1):
                    (known if name in xfail else bad).append(name)
                else:
                    ok.append(name)
            e = re.search(r'@@ END \S+ rc=(\S+)', l)
            if e:
                end = e.group(1)
        base = read_list(os.path.join(expected, ph + '.pass'))
        want = int(base[0]) if base else None
        details.append(f'{ph}: {len(ok)} passed, {len(bad)} failed, {len(skip)} skipped, '
                       f'{len(known)} known baseline failures; baseline passes: {want}; rc={end}')
        details += [f'  FAIL {n}' for n in bad]
        details += [f'  known failure {n}' for n in known]
        s.p += len(ok)
        s.f += len(bad)
        s.s += len(skip) + len(known)
        if end is None or not (ok or bad or skip or known):
            s.f += 1
            details.append(f'  {ph}: {suite} did not run to completion')
        if want is not None and len(ok) < want:
            s.f += 1
            details.append(f'  {ph}: {len(ok)} passes is below the unpatched baseline of {want}')
        for n in sorted(xfail - set(known)):
            details.append(f'  known failure now passes or did not run: {n}')
    for ph in required:
        if ph not in blocks:
            s.f += 1
            details.append(f'{ph}: not run')
    s.notes = details
    return s


def markers(lines, suite):
    s = Suite(suite)
    for l in lines:
        m = re.search(r'@@ RESULT (\S+) (\S+) (pass|fail|skip)', l)
        if m and m.group(1) == suite:
            setattr(s, m.group(3)[0], getattr(s, m.group(3)[0]) + 1)
            s.notes.append(f'{m.group(3)} {m.group(2)}')
    return s


def stress(lines):
    """hmm-stress reports one result; a kernel that dies under it does not."""
    s = markers(lines, 'stress')
    if not any(n.endswith(' hmm-stress') for n in s.notes):
        s.f += 1
        s.notes.append('fail hmm-stress did not complete')
    return s


BENCH_METRICS = ('kmod_alloc_ns_per_folio', 'kmod_free_ns_per_folio',
                 'migrate_4k_to_dev', 'migrate_4k_to_sys',
                 'migrate_4k_2t_round_trip', 'munmap_dev',
                 'migrate_thp_to_dev', 'migrate_thp_to_sys',
                 'mem_held_after', 'mem_held_after_reclaim')


def bench_smoke(lines):
    """make bench's programs on tiny sizes: they ran and printed every
    metric.  The numbers themselves are make bench's business."""
    s = markers(lines, 'bench')
    seen = {m.group(1) for l in lines
            for m in [re.search(r'@@ BENCH (\S+) (-?[0-9.]+) \S+', l)] if m}
    for name in BENCH_METRICS:
        if name in seen:
            s.p += 1
        else:
            s.f += 1
            s.notes.append(f'fail metric {name} not printed')
    return s


def splat(lines, expected):
    """Any splat line fails, except those a named allow-list entry covers
    (phase, regex, reason: tests/expected/splat-allow.txt)."""
    s = Suite('splat')
    allow = []
    for a in read_list(os.path.join(expected, 'splat-allow.txt')):
        ph, rx, why = a.split('\t', 2)
        allow.append((ph, re.compile(rx), why, [0]))
    for ph, l in phases(lines):
        if '@@ ' in l or not SPLAT.search(l):
            continue
        for aph, rx, why, n in allow:
            if aph == ph and rx.search(l):
                n[0] += 1
                break
        else:
            s.f += 1
            s.notes.append(f'[{ph}] {l}')
    if not s.f:
        s.p = 1
    for aph, rx, why, n in allow:
        if n[0]:
            s.notes.append(f'allowed in {aph}: {n[0]} x {rx.pattern} ({why})')
    return s


def main():
    logf, tree, expected, out = sys.argv[1:5]
    os.makedirs(out, exist_ok=True)
    lines = read_lines(logf)
    suites = [kunit(lines, tree, out),
              selftests(lines, expected, 'hmm-tests', ('hmm-private', 'hmm-coherent')),
              selftests(lines, expected, 'p2pdma', ('p2pdma',)),
              markers(lines, 'modules'), markers(lines, 'kmemleak'),
              splat(lines, expected), markers(lines, 'vm')]
    if any('@@ BEGIN bench' in l for l in lines):
        suites.insert(-2, bench_smoke(lines))
    if any('@@ BEGIN stress' in l for l in lines):
        suites.insert(-2, stress(lines))
    if any('@@ BEGIN badinput' in l for l in lines):
        suites.insert(-2, selftests(lines, expected, 'badinput', ('badinput',)))
    vm = suites[-1]
    if any('@@ DONE' in l for l in lines):
        vm.p += 1
    for s in suites:
        if s.notes:
            with open(os.path.join(out, s.name + '.txt'), 'a') as f:
                f.write('\n'.join(s.notes) + '\n')
        print(s.line())


if __name__ == '__main__':
    main()
