#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Put make bench-profile's two flat profiles side by side, as markdown.

Usage: profile-diff.py BASE_LOG SERIES_LOG

Each log is a VM console with hmm-bench's "@@ BENCH" lines and, between
"@@ PROFILE" and "@@ END profile", perf report --sort symbol output
("  12.34%  comm  [k] symbol").  Shares are of all samples of the VM
(cpu-clock, all CPUs, idle included): both kernels run the same rounds,
so a symbol that costs the series more time shows as a larger share.
"""
import re
import sys

ROW = re.compile(r'^\s*([0-9.]+)%\s+(?:\S+\s+)?\[([k.])\]\s+(\S+)')
BENCH = re.compile(r'@@ BENCH (\S+) (-?[0-9.]+) (\S+)')


def load(path):
    text = open(path, errors='replace').read()
    prof = text.split('@@ PROFILE', 1)[-1].split('@@ END profile', 1)[0]
    shares = {}
    for line in prof.splitlines():
        m = ROW.match(line)
        if m:
            sym = ('' if m.group(2) == 'k' else 'user: ') + m.group(3)
            shares[sym] = shares.get(sym, 0.0) + float(m.group(1))
    bench = {m.group(1): (float(m.group(2)), m.group(3)) for m in BENCH.finditer(text)}
    return shares, bench


def main():
    (bs, bb), (ss, sb) = load(sys.argv[1]), load(sys.argv[2])
    print('# make bench-profile: hmm-bench migrate_thp under perf\n')
    print('| metric | 7.3.4 | series | ratio |')
    print('|---|---|---|---|')
    for k in sorted(set(bb) & set(sb)):
        r = sb[k][0] / bb[k][0] if bb[k][0] else float('nan')
        print(f'| {k} | {bb[k][0]:.0f} {bb[k][1]} | {sb[k][0]:.0f} {sb[k][1]} | {r:.2f} |')
    print('\nShare of all samples (both vCPUs, idle included), symbols at 0.3% or more'
          ' in either kernel, by the difference:\n')
    print('| symbol | 7.3.4 % | series % | series - 7.3.4 |')
    print('|---|---|---|---|')
    rows = [(ss.get(s, 0.0) - bs.get(s, 0.0), s) for s in set(bs) | set(ss)]
    for d, s in sorted(rows, key=lambda r: -abs(r[0]))[:40]:
        print(f'| {s} | {bs.get(s, 0.0):.2f} | {ss.get(s, 0.0):.2f} | {d:+.2f} |')


if __name__ == '__main__':
    main()
