#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn make bench's console logs into a markdown table.

Usage: report.py LOGDIR ROUNDS PAGES RUNS FOLIOS BUILD_S TOTAL_S

Logs are named <kernel>-<mitigations>-<round>.log (kernel: base or series).
For each metric and mitigation mode: the median over the rounds of each
kernel's per-boot value (itself a median of RUNS runs), the spread
(min-max) and the ratio series/base.  A boot whose bench suite failed
contributes nothing and is listed.
"""
import glob
import os
import re
import statistics
import sys

BENCH = re.compile(r'@@ BENCH (\S+) (-?[0-9.]+) (\S+)')
LOWER_IS_BETTER = {'ns', 'ns/page', 'KiB'}


def main():
    logdir, rounds, pages, runs, folios, t_build, t_all = sys.argv[1:8]
    vals, units, failed, info = {}, {}, [], set()
    for path in sorted(glob.glob(os.path.join(logdir, '*.log'))):
        kernel, mit, _ = os.path.basename(path)[:-4].split('-')
        text = open(path, errors='replace').read()
        if '@@ RESULT bench run pass' not in text:
            failed.append(os.path.basename(path))
            continue
        for m in BENCH.finditer(text):
            vals.setdefault((m.group(1), mit, kernel), []).append(float(m.group(2)))
            units[m.group(1)] = m.group(3)
        if '@@ INFO benchmark_thp_migration failed' in text:
            info.add(f'{os.path.basename(path)}: hmm-tests benchmark_thp_migration '
                     'failed, its numbers are missing from that boot')
        for m in re.finditer(r'@@ INFO spectre_v2: (.*)', text):
            info.add(f'{kernel}, mitigations={mit}: spectre_v2 "{m.group(1).strip()}"')

    print('# make bench: the series vs pristine 7.3.4\n')
    print(f'{rounds} rounds, kernels alternating; each boot runs every workload '
          f'{runs} times ({pages} pages = {int(pages) * 4 // 1024} MiB per buffer; '
          f'the kernel-module loop {folios} folios x 7) and reports the median. '
          f'Below: median of the boots, spread min-max, ratio series/base '
          f'(for ns and KiB lower is better, for MB/s higher). '
          f'Build {t_build} s, whole run {t_all} s.\n')
    print('| metric | mitigations | unit | 7.3.4 | series | ratio |')
    print('|---|---|---|---|---|---|')
    metrics = sorted({k[0] for k in vals}, key=lambda n: (not n.startswith('kmod'), n))
    for name in metrics:
        for mit in ('default', 'off'):
            b, s = vals.get((name, mit, 'base')), vals.get((name, mit, 'series'))
            if not b or not s:
                continue
            bm, sm = statistics.median(b), statistics.median(s)
            ratio = f'{sm / bm:.2f}' if bm else 'n/a'
            print(f'| {name} | {mit} | {units[name]} | {bm:.0f} ({min(b):.0f}-{max(b):.0f}) '
                  f'| {sm:.0f} ({min(s):.0f}-{max(s):.0f}) | {ratio} |')
    print()
    for line in sorted(info):
        print(f'- {line}')
    if failed:
        print(f'- boots whose bench suite failed (not counted): {", ".join(failed)}')


if __name__ == '__main__':
    main()
