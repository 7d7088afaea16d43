#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make export`: write the tree's commits on $BASE_TAG back to patches/.
# --zero-commit and --no-signature keep the files stable across rebases and
# git versions; the hand-written cover letter (0000-cover-letter.patch) is kept
# and its generated tail (count, shortlog, diffstat, base-commit) refreshed.
. "$(dirname "$0")/lib.sh"

git -C "$TREE" rev-parse -q --verify "refs/tags/$BASE_TAG" >/dev/null || die "no tree: run make tree"
[ -z "$(git -C "$TREE" status --porcelain --untracked-files=no)" ] ||
	die "$TREE has uncommitted changes: commit them first"
mkdir -p "$PATCHES"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=$(git -C "$TREE" rev-list --count "$BASE_TAG"..HEAD)
if [ "$n" -gt 0 ]; then
	git -C "$TREE" format-patch -q --zero-commit --no-signature --numbered \
		--subject-prefix="$SUBJECT_PREFIX" -o "$tmp" "$BASE_TAG"..HEAD
fi
find "$PATCHES" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' ! -name '0000-*' -delete
[ "$n" -gt 0 ] && cp "$tmp"/*.patch "$PATCHES"/
log "exported $n patches to $PATCHES"
git -C "$TOP" status --short -- patches >&2 || true
"$TOP/scripts/cover-letter.sh"
