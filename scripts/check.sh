#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make check`: series hygiene (round trip; checkpatch, sign-offs, cover
# letter and the mailed mbox; kernel-doc and rst; the grep proof that no
# ->folio_free is left), the igt test's plain-C core, compile tests, VM
# kernel build, one VM boot running KUnit, module load/unload, hmm-tests
# (private and coherent), p2pmem and kmemleak, then the summary in
# $RESULTS/summary.txt and one closing "N passed, N failed, N skipped".
. "$(dirname "$0")/lib.sh"

rm -rf "$RESULTS"
mkdir -p "$RESULTS"
summary=$RESULTS/summary.txt
: > "$summary"
t0=$(date +%s)
stamp() { echo "$1 $(( $(date +%s) - t0 ))s" >> "$RESULTS/timings.txt"; }

suite() {	# name logfile cmd...: cmd prints "name: P passed, ..." last
	local name=$1 logf=$2; shift 2
	if ! "$@" > "$logf" 2>&1; then
		grep -q "^$name: " "$logf" || echo "$name: 0 passed, 1 failed, 0 skipped" >> "$logf"
	fi
	grep "^$name: " "$logf" | tail -1 >> "$summary"
	stamp "$name"
}

"$TOP/scripts/deps.sh"
"$TOP/scripts/tree.sh"
suite roundtrip "$RESULTS/roundtrip.log" "$TOP/scripts/roundtrip.sh"
suite series "$RESULTS/series.log" "$TOP/scripts/series-check.sh"
suite docs "$RESULTS/docs.log" "$TOP/scripts/docs-check.sh"
suite grep-proof "$RESULTS/grep-proof.log" "$TOP/scripts/grep-proof.sh"
# The igt nouveau SVM test's plain-C core: helper unit tests, the cases on a
# simulated device, and the skip path (no NVIDIA GPU here).
suite svm-userspace "$RESULTS/svm-userspace.log" env SVM_OUT="$BUILD/igt" "$TOP/tests/igt/run-userspace.sh"
# Code the VM kernel does not build: KVM PPC secure guests (ppc64le cross).
suite compile-ppc64le "$RESULTS/compile-ppc64le.log" "$TOP/scripts/compile-test.sh" ppc64le
# ... and amdkfd, drm_pagemap and xe (x86_64 with AMDGPU/HSA_AMD_SVM/XE/GPUSVM).
suite compile-drm "$RESULTS/compile-drm.log" "$TOP/scripts/compile-test.sh" drm

if "$TOP/scripts/build-kernel.sh" > "$RESULTS/build.log" 2>&1 &&
   "$TOP/tests/vm/build-tests.sh" >> "$RESULTS/build.log" 2>&1; then
	echo "build: 1 passed, 0 failed, 0 skipped" >> "$summary"
	stamp build
	# bench: make bench's programs on tiny sizes, so that they cannot rot.
	# stress: a short make stress, in a 64 MiB memcg with zram swap; its
	# kmemleak scan is the next suite.
	"$TOP/tests/vm/run.sh" "$RESULTS/console.log" \
		"${VM_SUITES:-modules,hmm-private,hmm-coherent,p2pdma,badinput,bench,stress,kmemleak}" \
		"devmap.bench=-n;512;-r;1" "devmap.bench_mod=nr_folios=512;rounds=1" \
		"devmap.stress=-t;${CHECK_STRESS_SECONDS:-60};-j;4;-s;$(date +%s)" \
		"devmap.stress_memcg=64M"
	stamp vm
	"$TOP/tests/vm/results.py" "$RESULTS/console.log" "$TREE" "$TOP/tests/expected" "$RESULTS" >> "$summary"
else
	tail -30 "$RESULTS/build.log" >&2
	echo "build: 0 passed, 1 failed, 0 skipped" >> "$summary"
fi

echo
echo "== results ($RESULTS, $(( $(date +%s) - t0 ))s)"
sed 's/^/  /' "$summary"
pat='not ok|FAIL|fail |below|not run|^\[(boot|init|hmm-)'
for f in "$RESULTS"/{roundtrip,series,docs,grep-proof,svm-userspace,compile-ppc64le,compile-drm}.log "$RESULTS"/{kunit,hmm-tests,p2pdma,badinput,modules,bench,stress,kmemleak,splat,vm}.txt; do
	[ -f "$f" ] && grep -qE "$pat" "$f" || continue
	echo "-- $f"
	grep -E "$pat" "$f" | sed -n 1,20p || true
done
read -r p f s < <(awk '{p+=$2; f+=$4; s+=$6} END {print p+0, f+0, s+0}' "$summary")
echo "$p passed, $f failed, $s skipped"
[ "$f" = 0 ]
