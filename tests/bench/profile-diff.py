#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Put make bench-profile's two flat profiles side by side, as markdown.

Usage: profile-diff.py BASE_LOG SERIES_LOG

Each log is a VM console with hmm-bench's "@@ BENCH" lines and, between
"@@ PROFILE" and "@@ PROFILE-END", perf report --sort symbol -n output
("  12.34%   567  [k] symbol").  perf sampled both vCPUs at 1000 Hz only
while hmm-bench held it on (one ioctl, or the whole run), and both kernels
run the same rounds: a symbol's sample count is milliseconds of CPU time,
so the difference in samples is where the series spends more or less time.
"""
import re
import sys

ROW = re.compile(r'^\s*([0-9.]+)%\s+(\d+)\s+\[([k.])\]\s+(\S+)')
BENCH = re.compile(r'@@ BENCH (\S+) (-?[0-9.]+) (\S+)')
TOTAL = re.compile(r'^Event count \(approx\.\): (\d+)', re.M)
# perf names the halt in .cpuidle.text after the section when it has no
# symbol of its own.
IDLE = {'default_idle', 'pv_native_safe_halt', 'native_safe_halt', 'cpu_idle_poll',
        'acpi_idle_do_entry', 'acpi_safe_halt', 'mwait_idle', '__cpuidle_text_start'}


def load(path):
    text = open(path, errors='replace').read()
    m = re.search(r'^@@ PROFILE\r?$(.*?)^@@ PROFILE-END', text, re.M | re.S)
    prof = m.group(1) if m else ''
    samples = {}
    for line in prof.splitlines():
        m = ROW.match(line)
        if m:
            sym = ('' if m.group(3) == 'k' else 'user: ') + m.group(4)
            samples[sym] = samples.get(sym, 0) + int(m.group(2))
    total = TOTAL.search(prof)
    total = int(total.group(1)) // 1000000 if total else sum(samples.values())
    bench = {m.group(1): (float(m.group(2)), m.group(3)) for m in BENCH.finditer(text)}
    return samples, total, bench


def main():
    (bs, bt, bb), (ss, st, sb) = load(sys.argv[1]), load(sys.argv[2])
    print('# make bench-profile: hmm-bench under perf\n')
    print('| metric | 7.3.4 | series | ratio |')
    print('|---|---|---|---|')
    for k in sorted(set(bb) & set(sb)):
        r = sb[k][0] / bb[k][0] if bb[k][0] else float('nan')
        print(f'| {k} | {bb[k][0]:.0f} {bb[k][1]} | {sb[k][0]:.0f} {sb[k][1]} | {r:.2f} |')
    bi = sum(v for s, v in bs.items() if s in IDLE)
    si = sum(v for s, v in ss.items() if s in IDLE)
    print(f'\nSampled: {bt} ms on 7.3.4, {st} ms on the series (both vCPUs; idle '
          f'{bi} and {si} ms, busy {bt - bi} and {st - si} ms).\n')
    print('Milliseconds of samples per symbol (0.3 % or more of either kernel\'s samples),'
          ' largest difference first:\n')
    print('| symbol | 7.3.4 ms | series ms | series - 7.3.4 |')
    print('|---|---|---|---|')
    rows = [(ss.get(s, 0) - bs.get(s, 0), s) for s in set(bs) | set(ss)]
    for d, s in sorted(rows, key=lambda r: -abs(r[0]))[:40]:
        print(f'| {s} | {bs.get(s, 0)} | {ss.get(s, 0)} | {d:+d} |')


if __name__ == '__main__':
    main()
