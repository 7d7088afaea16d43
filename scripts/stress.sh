#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make stress: tests/stress/hmm-stress for $STRESS_SECONDS (default 600) on
# the VM kernel (lockdep + DEBUG_VM + kmemleak: the kmemleak scan follows the
# stress in the same boot), then on a KASAN build of the same config in
# build/kasan (STRESS_KASAN=0 skips it: a cold build takes ~30 min here),
# then on the KASAN kernel again with fault injection for
# $STRESS_FAULT_SECONDS (default 300): failslab and fail_page_alloc fail
# $STRESS_FAULT_PERCENT (default 2) % of the workers' allocations.
# The KASAN phase runs in a memcg limited to $STRESS_MEMCG (default 64M)
# with zram swap behind it; the others run unlimited, for throughput.
# STRESS_LOCKDEP=0 skips the first phase.
# A phase passes with the stress passing (no lost byte, no failed child),
# no splat on the console and no leak in the code under test.
. "$(dirname "$0")/lib.sh"

secs=${STRESS_SECONDS:-600}
args="-j;${STRESS_THREADS:-4};-s;${STRESS_SEED:-$(date +%s)}"
out=${STRESS_RESULTS:-$BUILD/stress-results}	# not under $RESULTS: make check wipes that
mkdir -p "$out"
rc=0

phase() {	# name secs [kernel args]: boot $KOBJ, run the stress then kmemleak
	local name=$1 t=$2 dir=$out/$1
	shift 2
	rm -rf "$dir" && mkdir -p "$dir"
	VM_TIMEOUT=$((t + 600)) "$TOP/tests/vm/run.sh" "$dir/console.log" \
		stress,kmemleak "devmap.stress=-t;$t;$args" "$@"
	"$TOP/tests/vm/results.py" "$dir/console.log" "$TREE" "$TOP/tests/expected" "$dir" |
		grep -E '^(stress|kmemleak|splat|vm):' | tee "$dir/summary"
	sed -n '/^# [a-z_]* *[0-9]* ops/p;/^# mismatched/p;/^pswp\(in\|out\) /p;/^oom_kill /p' "$dir/console.log" | tee -a "$dir/summary"
	if awk '{f += $4} END {exit f > 0}' < <(grep -E '^[a-z]+:' "$dir/summary"); then
		log "stress $name: pass"
	else
		log "stress $name: FAIL (see $dir)"; rc=1
	fi
}

start=$(date +%s)
if [ "${STRESS_LOCKDEP:-1}" = 1 ]; then
	"$TOP/scripts/build-kernel.sh" && "$TOP/tests/vm/build-tests.sh"
	phase lockdep "$secs"
fi
if [ "${STRESS_KASAN:-1}" = 1 ]; then
	export KOBJ=$BUILD/kasan CONFIGS="$TOP/configs/vm.config $TOP/configs/kasan.config"
	"$TOP/scripts/build-kernel.sh" && "$TOP/tests/vm/build-tests.sh"
	phase kasan "$secs" "devmap.stress_memcg=${STRESS_MEMCG:-64M}"
	phase faults "${STRESS_FAULT_SECONDS:-300}" "devmap.stress_faults=${STRESS_FAULT_PERCENT:-2}"
fi
log "make stress: $(( $(date +%s) - start ))s, rc=$rc"
exit $rc
