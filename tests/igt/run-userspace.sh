#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The svm-userspace suite: builds the plain-C side of the nouveau SVM igt test,
# runs its unit tests (svm_core_test), its cases on the machine's device
# (svm_standalone: each one SKIPs without a nouveau device with SVM), the same
# cases against a simulated device (svm_fake.so, which checks the cases' logic,
# not the kernel), and checks that the igt test, the testlist, the README and
# the standalone name the same cases.
#
# Counts individual test cases and ends with exactly one line:
#   svm-userspace: P passed, F failed, S skipped
# Exit status 1 when anything failed (a build error counts as one failure).
#
# Environment: KERNEL_UAPI, KSFT_DIR (see Makefile), SVM_OUT (build output,
# default build/igt), SVM_DEVICE (DRM node for the cases), SVM_TIMEOUT (per
# case, seconds, default 120).

set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${SVM_OUT:-$repo/build/igt}
case_timeout=${SVM_TIMEOUT:-120}
pass=0 fail=0 skip=0

finish() {
	echo "svm-userspace: $pass passed, $fail failed, $skip skipped"
	[ "$fail" -eq 0 ] && exit 0
	exit 1
}

# Adds the TAP results of one run; results missing from the plan, or an exit
# status that is neither 0 nor kselftest's 4 (skip) without a failed result,
# are failures too.
count_tap() {
	local name=$1 log=$2 rc=$3 p f s plan

	read -r p f s plan < <(awk '
		/^ok [0-9]+/ { if ($0 ~ /# SKIP/) s++; else p++ }
		/^not ok [0-9]+/ { f++ }
		/^1\.\.[0-9]+$/ { plan = substr($0, 4) + 0 }
		END { print p + 0, f + 0, s + 0, plan + 0 }' "$log")
	if [ $((p + f + s)) -lt "$plan" ]; then
		echo "# $name: $((plan - p - f - s)) of $plan results missing (exit $rc)"
		f=$((f + plan - p - f - s))
	fi
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ] && [ "$f" -eq 0 ]; then
		echo "# $name: exit status $rc"
		f=1
	fi
	echo "# $name: $p passed, $f failed, $s skipped"
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
}

# The case names must agree everywhere a runner or a reader finds them.
check_names() {
	local cases igt list want desc bad=0 n

	cases=$("$out/svm_standalone" -l)
	igt=$(sed -n 's/^[[:space:]]*igt_subtest("\([^"]*\)").*/\1/p' "$here/nouveau_svm.c")
	list=$(grep -v '^[[:space:]]*\(#\|$\)' "$here/nouveau-svm.testlist")
	desc=$(grep -c '^[[:space:]]*igt_describe(' "$here/nouveau_svm.c")
	if [ "$cases" != "$igt" ]; then
		echo "# names: nouveau_svm.c subtests differ from svm_cases.c:"
		diff <(echo "$cases") <(echo "$igt") | sed 's/^/#   /'
		bad=1
	fi
	want=$(while read -r n; do echo "igt@nouveau_svm@$n"; done <<<"$cases")
	if [ "$want" != "$list" ]; then
		echo "# names: nouveau-svm.testlist differs from svm_cases.c:"
		diff <(echo "$want") <(echo "$list") | sed 's/^/#   /'
		bad=1
	fi
	if [ "$desc" -ne "$(echo "$igt" | wc -l)" ]; then
		echo "# names: $desc igt_describe() for $(echo "$igt" | wc -l) subtests"
		bad=1
	fi
	for n in $cases; do
		if ! grep -q "run_case(fd, svm_case_${n//-/_})" "$here/nouveau_svm.c"; then
			echo "# names: subtest $n does not run svm_case_${n//-/_}()"
			bad=1
		fi
		if ! grep -q "\`$n\`" "$here/README.md"; then
			echo "# names: README.md does not describe $n"
			bad=1
		fi
	done
	if [ "$bad" -eq 0 ]; then
		echo "ok names: $(echo "$cases" | wc -l) cases agree (svm_cases.c, nouveau_svm.c, testlist, README)"
		pass=$((pass + 1))
	else
		echo "not ok names"
		fail=$((fail + 1))
	fi
}

make_args=(-C "$here" O="$out")
[ -n "${KERNEL_UAPI:-}" ] && make_args+=(KERNEL_UAPI="$KERNEL_UAPI")
[ -n "${KSFT_DIR:-}" ] && make_args+=(KSFT_DIR="$KSFT_DIR")
# Not the caller's make variables (O=, CFLAGS= of a kernel build).
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s "${make_args[@]}"; then
	echo "# build failed"
	fail=$((fail + 1))
	finish
fi

echo "# svm_core_test"
timeout -k 10 300 "$out/svm_core_test" >"$out/svm_core_test.log" 2>&1
rc=$?
cat "$out/svm_core_test.log"
count_tap svm_core_test "$out/svm_core_test.log" "$rc"

echo "# svm_standalone"
timeout -k 10 $((case_timeout * 12 + 60)) \
	"$out/svm_standalone" -t "$case_timeout" >"$out/svm_standalone.log" 2>&1
rc=$?
cat "$out/svm_standalone.log"
count_tap svm_standalone "$out/svm_standalone.log" "$rc"

echo "# svm_standalone on the simulated device (svm_fake_kernel.c, not a GPU)"
: >"$out/fake-nouveau"
timeout -k 10 $((case_timeout * 12 + 60)) \
	env SVM_FAKE_DEVICE="$out/fake-nouveau" SVM_DEVICE="$out/fake-nouveau" \
	LD_PRELOAD="$out/svm_fake.so" \
	"$out/svm_standalone" -t "$case_timeout" >"$out/svm_fake.log" 2>&1
rc=$?
cat "$out/svm_fake.log"
count_tap "svm_standalone (simulated device)" "$out/svm_fake.log" "$rc"

check_names
finish
