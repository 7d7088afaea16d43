#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Refresh the generated parts of patches/0000-cover-letter.patch from the
# tree: the patch count in the subject, and everything from the shortlog on
# (shortlog, diffstat, base-commit), as git format-patch --cover-letter
# writes them.  The prose above the shortlog is hand-written and kept.
. "$(dirname "$0")/lib.sh"

cover=$PATCHES/0000-cover-letter.patch
[ -f "$cover" ] || die "$cover is missing: it is written by hand, not generated"
n=$(git -C "$TREE" rev-list --count "$BASE_TAG"..HEAD)
base=$(git -C "$TREE" rev-parse "$BASE_TAG^{commit}")

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
# The prose ends at the shortlog header: "Name (N):".
awk '/^[^ ].* \([0-9]+\):$/ { exit } { print }' "$cover" |
	sed -E "s/^Subject: \[[A-Z ]*PATCH 0+\/[0-9]+\]/Subject: [$SUBJECT_PREFIX $(printf "%0${#n}d" 0)\/$n]/" |
	sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' > "$tmp"
{
	cat "$tmp"
	echo
	git -C "$TREE" shortlog "$BASE_TAG"..HEAD
	git -C "$TREE" diff --stat=72 --summary "$BASE_TAG" HEAD
	echo
	echo "base-commit: $base"
} > "$cover"
log "refreshed $cover ($n patches)"
