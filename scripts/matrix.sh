#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make matrix`: the whole series through every compile configuration, one
# after the other (two cores: never two builds at once): x86_64 VM config
# (make kernel), ppc64le KVM PPC, x86_64 amdgpu/xe, x86_64 and i386
# allnoconfig, then sparse on the VM config.  Prints each target's summary
# line and "matrix: P passed, F failed, 0 skipped" (one per target).
. "$(dirname "$0")/lib.sh"

pass=0 fail=0
run() {	# name cmd...
	local name=$1 out st=ok sum
	shift
	if out=$("$@" 2>&1); then
		pass=$((pass + 1))
	else
		fail=$((fail + 1)) st=FAILED
		echo "$out" | tail -20
	fi
	sum=$(echo "$out" | grep -E "^$name: " | tail -1 || true)
	echo "${sum:-$name: $st}"
}
run build "$TOP/scripts/build-kernel.sh"
for t in ppc64le drm x86_64-allnoconfig i386-allnoconfig; do
	run "compile-$t" "$TOP/scripts/compile-test.sh" "$t"
done
run sparse "$TOP/scripts/sparse-check.sh"
echo "matrix: $pass passed, $fail failed, 0 skipped"
[ $fail = 0 ]
