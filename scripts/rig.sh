#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make rig`: the patched kernel with a distribution config plus nouveau SVM,
# as installable Debian packages for a GPU rig (tests/igt/RIG.md).
#
# Base config, first that applies:
#   RIG_CONFIG=/path/config     a config you give (e.g. the rig's /boot/config-*)
#   RIG_LOCALMOD=1              make localmodconfig (run on the rig itself)
#   default                     Debian's newest linux-config-X.Y (amd64 "none"
#                               flavour), downloaded with a private apt config
# then configs/rig.config (+ configs/rig-debug.config with RIG_DEBUG=1) and
# olddefconfig; every requested option is verified.
# RIG_STAGE=config stops after the config, RIG_STAGE=nouveau builds
# modules_prepare and nouveau.ko only, the default builds bindeb-pkg.
. "$(dirname "$0")/lib.sh"
. "$TOP/scripts/debian-apt.sh"

out=$BUILD/rig
stage=${RIG_STAGE:-pkg}
mkdir -p "$out"
rmake() { make -C "$TREE" O="$out" -j"$JOBS" CC="ccache gcc" HOSTCC="ccache gcc" "$@"; }

debian_config() {	# newest linux-config-X.Y in Debian unstable/testing
	local d=$BUILD/apt-rig pkg
	debian_apt "$d" || die "no Debian mirror reachable through /etc/apt: give RIG_CONFIG="
	pkg=$(apt-cache "${APT_OPTS[@]}" search '^linux-config-[0-9]+\.[0-9]+$' | cut -d' ' -f1 | sort -V | tail -1)
	[ -n "$pkg" ] || die "no linux-config-X.Y package found: give RIG_CONFIG="
	rm -rf "$d/pkg"/* "$d/root"
	(cd "$d/pkg" && apt-get "${APT_OPTS[@]}" download "$pkg" >/dev/null 2>&1)
	dpkg-deb -x "$d"/pkg/*.deb "$d/root"
	log "base config: $pkg (config.amd64_none_amd64), olddefconfig for $KVER"
	xzcat "$d"/root/usr/src/"$pkg"/config.amd64_none_amd64.xz > "$out/.config"
	echo "$pkg" > "$out/base-config.txt"
}

if [ -n "${RIG_CONFIG:-}" ]; then
	cp "$RIG_CONFIG" "$out/.config"
	echo "$RIG_CONFIG" > "$out/base-config.txt"
elif [ "${RIG_LOCALMOD:-0}" = 1 ]; then
	rmake -s defconfig >/dev/null
	rmake -s localmodconfig </dev/null
	echo "localmodconfig on $(hostname)" > "$out/base-config.txt"
else
	debian_config
fi

frags=("$TOP/configs/rig.config")
[ "${RIG_DEBUG:-0}" = 1 ] && frags+=("$TOP/configs/rig-debug.config")
(cd "$out" && "$TREE/scripts/kconfig/merge_config.sh" -m -O "$out" .config "${frags[@]}" >/dev/null)
rmake -s olddefconfig >/dev/null
bad=0
for f in "${frags[@]}"; do
	while IFS= read -r line; do
		case $line in CONFIG_*=*) grep -qxF "$line" "$out/.config" ||
			{ echo >&2 "  ${line%%=*}: wanted ${line#*=}, got $(grep "^${line%%=*}=" "$out/.config" || echo 'not set')"; bad=1; } ;;
		esac
	done < "$f"
done
[ $bad = 0 ] || die "the rig config lost requested options (above)"
log "config verified: $out/.config ($(cat "$out/base-config.txt") + ${frags[*]##*/})"
[ "$stage" = config ] && exit 0

# The package version names the series: 7.3.4-devmap-<commits>-g<hash>.
localversion=-devmap-$(git -C "$TREE" rev-list --count "$BASE_TAG"..HEAD)-g$(git -C "$TREE" rev-parse --short=12 HEAD)
if [ "$stage" = nouveau ]; then
	rmake -s LOCALVERSION="$localversion" modules_prepare
	# Builds and links nouveau.o; modpost needs vmlinux, which this stage skips.
	rmake -s LOCALVERSION="$localversion" drivers/gpu/drm/nouveau/
	ls -l "$out/drivers/gpu/drm/nouveau/nouveau.o"
	exit 0
fi
rmake -s LOCALVERSION="$localversion" KDEB_PKGVERSION="$KVER$localversion-1" bindeb-pkg
log "packages:"
ls -1 "$BUILD"/linux-image-*"$localversion"*.deb "$BUILD"/linux-headers-*"$localversion"*.deb
log "nouveau.ko: $(find "$out" -name nouveau.ko | head -1)"
