#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the test VM's initramfs: busybox-static, the modules staged by
# scripts/build-kernel.sh, the userspace tests, and tests/vm/init.
. "$(dirname "$0")/../../scripts/lib.sh"

out=${1:-$KOBJ/initramfs.cpio.gz}
root=$KOBJ/initramfs
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,lib,etc,root}
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$TOP/tests/vm/init" "$root/init"
cp -a "$KOBJ/mods/lib/modules" "$root/lib/"
for t in "$KOBJ"/tests/*; do
	[ -x "$t" ] && cp "$t" "$root/bin/"
	case $t in *.ko) cp "$t" "$root/lib/" ;; esac
done
# make bench-profile: perf (PERF=path) and the shared libraries it needs.
if [ -n "${PERF:-}" ]; then
	cp "$PERF" "$root/bin/perf"
	ldd "$PERF" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
		while read -r l; do
			mkdir -p "$root$(dirname "$l")" && cp -L "$l" "$root$l"
		done
fi
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 > "$out"
log "initramfs $(du -h "$out" | cut -f1) at $out"
