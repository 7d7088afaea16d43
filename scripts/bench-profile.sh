#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make bench-profile`: where hmm-bench's THP migration back to system
# memory spends its time on pristine 7.3.4 and on the series.  Builds both
# kernels as `make bench` does, boots each once with perf (the host's, from
# Debian's linux-perf) in the initramfs, sampling only that ioctl, and
# writes build/results/profile/{base,series}{,-callers}.txt and
# build/results/profile.md: time per symbol side by side.
# PROFILE_ARGS: hmm-bench's arguments (';' for ' '; -p to_dev, or no -p for
# the whole run).
. "$(dirname "$0")/lib.sh"

command -v perf >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-perf >/dev/null ||
	die "perf is missing (Debian package linux-perf)"
perf=$(command -v perf)
args=${PROFILE_ARGS:--w;migrate_thp;-n;8192;-r;16;-p;to_sys}
bench_kernels
base_tree=$BUILD/bench-base-tree
base_obj=$BUILD/bench-base
out=$RESULTS/profile

"$TOP/scripts/build-kernel.sh"
"$TOP/tests/vm/build-tests.sh"
pristine_worktree "$base_tree"
TREE=$base_tree KOBJ=$base_obj "$TOP/scripts/build-kernel.sh"
# The series' hmm-bench, which has -w: its uapi use is 7.3.4's.
TREE=$base_tree KOBJ=$base_obj "$TOP/tests/vm/build-tests.sh"
cp "$KOBJ/tests/hmm-bench" "$base_obj/tests/hmm-bench"

rm -rf "$out"
mkdir -p "$out"
for k in base series; do
	obj=$KOBJ
	[ "$k" = base ] && obj=$base_obj
	PERF=$perf KOBJ=$obj VM_TIMEOUT=${BENCH_VM_TIMEOUT:-900} "$TOP/tests/vm/run.sh" \
		"$out/$k.log" profile "devmap.profile=$args"
	grep -q '^@@ RESULT profile run pass' "$out/$k.log" || die "$k: profile run failed (see $out/$k.log)"
	sed -n '/^@@ PROFILE[[:space:]]*$/,/^@@ PROFILE-END/p' "$out/$k.log" | sed '1d;$d' > "$out/$k.txt"
	sed -n '/^@@ CALLERS[[:space:]]*$/,/^@@ CALLERS-END/p' "$out/$k.log" | sed '1d;$d' > "$out/$k-callers.txt"
done
"$TOP/tests/bench/profile-diff.py" "$out/base.log" "$out/series.log" > "$RESULTS/profile.md"
cat "$RESULTS/profile.md"
