#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: the series against pristine 7.3.4, in one run.
# Builds both kernels from the same config, the VM's without its debugging
# (configs/bench.config), into build/bench-series and, from a worktree at
# $BASE_TAG, build/bench-base; then boots them alternately, BENCH_ROUNDS
# rounds, same QEMU flags every time, and runs the bench suite
# (tests/vm/init: devmap_free_bench.ko and hmm-bench).  Writes
# build/results/bench/*.log and build/results/bench.md.
. "$(dirname "$0")/lib.sh"

rounds=${BENCH_ROUNDS:-3}
pages=${BENCH_PAGES:-4096}
runs=${BENCH_RUNS:-5}
folios=${BENCH_FOLIOS:-16384}
# "default off" adds boots with mitigations=off.  The VM config has no
# MITIGATION_RETPOLINE (spectre_v2 reads "Vulnerable" either way), so here
# the second mode would measure nothing new; a distro config would.
mitigations=${BENCH_MITIGATIONS:-default}
bench_kernels
base_tree=$BUILD/bench-base-tree
base_obj=$BUILD/bench-base
out=$RESULTS/bench
t0=$(date +%s)

log "series kernel ($KOBJ)"
"$TOP/scripts/build-kernel.sh"
"$TOP/tests/vm/build-tests.sh"
pristine_worktree "$base_tree"
log "pristine $KVER kernel ($base_obj)"
TREE=$base_tree KOBJ=$base_obj "$TOP/scripts/build-kernel.sh"
TREE=$base_tree KOBJ=$base_obj "$TOP/tests/vm/build-tests.sh"
t_build=$(( $(date +%s) - t0 ))

rm -rf "$out"
mkdir -p "$out"
args=("devmap.bench=-n;$pages;-r;$runs" "devmap.bench_mod=nr_folios=$folios;rounds=7"
      devmap.bench_thp=1)
for r in $(seq 1 "$rounds"); do
	# Alternate which kernel goes first, so that drift hits both alike.
	order="base series"
	[ $((r % 2)) = 0 ] && order="series base"
	for k in $order; do
		obj=$KOBJ
		[ "$k" = base ] && obj=$base_obj
		for mit in $mitigations; do
			extra=()
			[ "$mit" = off ] && extra=(mitigations=off)
			KOBJ=$obj VM_TIMEOUT=${BENCH_VM_TIMEOUT:-900} "$TOP/tests/vm/run.sh" \
				"$out/$k-$mit-$r.log" bench "${args[@]}" "${extra[@]}"
		done
	done
done
t_all=$(( $(date +%s) - t0 ))
"$TOP/tests/bench/report.py" "$out" "$rounds" "$pages" "$runs" "$folios" \
	"$t_build" "$t_all" > "$RESULTS/bench.md"
cat "$RESULTS/bench.md"
