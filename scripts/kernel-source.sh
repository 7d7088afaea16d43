#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Create $TREE: a git repository holding pristine Linux 7.3.4 as one
# deterministic baseline commit tagged $BASE_TAG.  Source, in this order:
#   KERNEL_SRC=dir        an existing clean tree, only read (copied into git)
#   KERNEL_TARBALL=file   a linux-source tarball
#   ../shared/linux/linux-source-7.3.4.tar.xz, checked against SHA256SUMS
#   Debian's linux-source-7.3 package, downloaded with a private apt config
. "$(dirname "$0")/lib.sh"
. "$TOP/scripts/debian-apt.sh"

if git -C "$TREE" rev-parse -q --verify "refs/tags/$BASE_TAG" >/dev/null 2>&1; then
	exit 0
fi

SHARED_TARBALL=${SHARED_TARBALL:-$TOP/../shared/linux/linux-source-$KVER.tar.xz}
tried=()

from_dir() {
	local src=$1
	[ -f "$src/Makefile" ] && [ -d "$src/mm" ] || return 1
	if [ -e "$src/.config" ] || [ -d "$src/include/config" ]; then
		die "KERNEL_SRC=$src has been configured or built in-tree; the harness only reads it and builds with O=, which needs a clean tree (make mrproper there)"
	fi
	log "copying $src into $TREE (read-only use)"
	rm -rf "$TREE"; mkdir -p "$TREE"
	tar -C "$src" --exclude=./.git -cf - . | tar -C "$TREE" -xf -
}

from_tarball() {
	local tb=$1
	[ -r "$tb" ] || return 1
	log "unpacking $tb"
	rm -rf "$TREE"; mkdir -p "$TREE"
	tar -C "$TREE" --strip-components=1 -xf "$tb"
}

from_debian() {
	local d=$BUILD/apt
	debian_apt "$d" || return 1
	(cd "$d/pkg" && apt-get "${APT_OPTS[@]}" download linux-source-7.3) || return 1
	dpkg-deb -x "$d"/pkg/linux-source-7.3_*.deb "$d/root" || return 1
	from_tarball "$(ls "$d"/root/usr/src/linux-source-7.3.tar.* | head -1)"
}

ok=
if [ -n "${KERNEL_SRC:-}" ]; then
	tried+=("KERNEL_SRC=$KERNEL_SRC")
	from_dir "$KERNEL_SRC" && ok=1
fi
if [ -z "$ok" ] && [ -n "${KERNEL_TARBALL:-}" ]; then
	tried+=("KERNEL_TARBALL=$KERNEL_TARBALL")
	from_tarball "$KERNEL_TARBALL" && ok=1
fi
if [ -z "$ok" ]; then
	tried+=("$SHARED_TARBALL (sha256 from SHA256SUMS)")
	if [ -r "$SHARED_TARBALL" ]; then
		log "verifying $SHARED_TARBALL"
		(cd "$(dirname "$SHARED_TARBALL")" && sha256sum --quiet -c SHA256SUMS) ||
			die "$SHARED_TARBALL does not match SHA256SUMS"
		from_tarball "$SHARED_TARBALL" && ok=1
	fi
fi
if [ -z "$ok" ]; then
	tried+=("Debian package linux-source-7.3 (apt-get download, private apt config)")
	from_debian && ok=1
fi
if [ -z "$ok" ]; then
	{
		echo "error: no Linux 7.3.4 source found. Tried, in order:"
		printf '  - %s\n' "${tried[@]}"
		echo "Set KERNEL_SRC=/path/to/clean/tree or KERNEL_TARBALL=/path/to/linux-7.3.4.tar.xz,"
		echo "or put linux-source-7.3.4.tar.xz and SHA256SUMS in ../shared/linux/,"
		echo "or allow apt to download Debian's linux-source-7.3."
	} >&2
	rm -rf "$TREE"
	exit 1
fi

v=$(make -s -C "$TREE" kernelversion 2>/dev/null || true)
case $v in
7.3.*) [ "$v" = "$KVER" ] || log "warning: source is $v, the series is against $KVER" ;;
*) rm -rf "$TREE"; die "source is '$v', not Linux 7.3" ;;
esac

log "committing the baseline ($v) in $TREE"
cd "$TREE"
git init -q
git config core.autocrlf false
git config am.keepcr false
git config user.name "$GIT_AUTHOR_NAME"
git config user.email "$GIT_AUTHOR_EMAIL"
git add -Af .
GIT_AUTHOR_DATE='2026-01-01T00:00:00Z' GIT_COMMITTER_DATE='2026-01-01T00:00:00Z' \
	git commit -q --no-verify -m "Linux $v (pristine source)"
git tag "$BASE_TAG"
log "baseline $(git rev-parse --short HEAD) tagged $BASE_TAG"
