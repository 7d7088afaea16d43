#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Compile-test the code the series touches that the VM kernel cannot build:
#   compile-test.sh TARGET    (ppc64le, drm, x86_64-allnoconfig, i386-allnoconfig)
# Configures build/compile-TARGET from a defconfig plus configs/TARGET.config
# (verified: every requested option must survive olddefconfig), then builds
# the target's objects with W=1 (a whole vmlinux without).  Prints
# "compile-TARGET: P passed, F failed, 0 skipped", one pass per object or
# directory built without a warning.
. "$(dirname "$0")/lib.sh"

target=$1
out=$TOP/build/compile-$target
case $target in
ppc64le)
	arch=(ARCH=powerpc CROSS_COMPILE=powerpc64le-linux-gnu-)
	cc="ccache powerpc64le-linux-gnu-gcc"
	defconfig=ppc64le_defconfig
	objs=(arch/powerpc/kvm/ mm/memremap.o mm/memremap_pool.o mm/migrate_device.o) ;;
drm)
	arch=()
	cc="ccache gcc"
	defconfig=x86_64_defconfig
	objs=(drivers/gpu/drm/drm_pagemap.o drivers/gpu/drm/drm_gpusvm.o
	      drivers/gpu/drm/xe/xe_svm.o drivers/gpu/drm/amd/amdgpu/) ;;
x86_64-allnoconfig)
	# What 0-day's allnoconfig run sees: no ZONE_DEVICE, the stubs only.
	arch=(ARCH=x86_64)
	cc="ccache gcc"
	defconfig=allnoconfig
	objs=(vmlinux) ;;
i386-allnoconfig)
	# MEMORY_HOTPLUG depends on 64BIT, so no 32-bit config has ZONE_DEVICE:
	# this builds the headers' !ZONE_DEVICE side on a 32-bit target.
	arch=(ARCH=i386)
	cc="ccache gcc"
	defconfig=allnoconfig
	objs=(vmlinux) ;;
*)
	echo >&2 "usage: $0 ppc64le|drm|x86_64-allnoconfig|i386-allnoconfig"; exit 2 ;;
esac
# W=1 on the objects the series touches; a whole vmlinux is built without
# it (7.3.4 is not W=1-clean everywhere), and any warning still fails.
wflag=W=1
[ "${objs[*]}" = vmlinux ] && wflag=W=
frag=$TOP/configs/$target.config
cmake_() { make -C "$TREE" O="$out" -j"$JOBS" "${arch[@]}" CC="$cc" HOSTCC="ccache gcc" "$@"; }

mkdir -p "$out"
want=$(sha256sum < "$frag" | cut -c1-16)-$(git -C "$TREE" rev-parse HEAD)
if [ "$(cat "$out/.harness-config" 2>/dev/null)" != "$want" ]; then
	log "configuring $out from $defconfig + $frag"
	cmake_ -s "$defconfig" >/dev/null
	(cd "$out" && "$TREE/scripts/kconfig/merge_config.sh" -m -O "$out" .config "$frag" >/dev/null)
	cmake_ -s olddefconfig >/dev/null
	bad=0
	while IFS= read -r line; do
		case $line in CONFIG_*=*) grep -qxF "$line" "$out/.config" ||
			{ echo >&2 "  ${line%%=*}: wanted ${line#*=}, got $(grep "^${line%%=*}=" "$out/.config" || echo 'not set')"; bad=1; } ;;
		esac
	done < "$frag"
	if [ $bad = 1 ]; then
		echo "compile-$target: 0 passed, 1 failed, 0 skipped"
		exit 1
	fi
	echo "$want" > "$out/.harness-config"
fi

log "building $target: ${objs[*]}"
cmake_ -s prepare >/dev/null
pass=0 fail=0
for o in "${objs[@]}"; do
	logf=$out/build-$(echo "$o" | tr '/' '_').log
	if cmake_ "$wflag" "$o" > "$logf" 2>&1 && ! grep -q 'warning:' "$logf"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "  FAIL $o:"; grep -E 'warning:|error:' "$logf" | head -20 | sed 's/^/    /'
		grep -qE 'warning:|error:' "$logf" || tail -5 "$logf" | sed 's/^/    /'
	fi
done
echo "compile-$target: $pass passed, $fail failed, 0 skipped"
[ $fail = 0 ]
