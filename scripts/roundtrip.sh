#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Apply patches/ as one mbox with git am onto a fresh pristine worktree and
# require the result to be identical to $TREE's HEAD: the series applies, is
# mail-safe (no whitespace damage) and nothing in the tree is unexported.
# Prints "roundtrip: P passed, F failed, 0 skipped".
. "$(dirname "$0")/lib.sh"

cd "$TREE"
wt=$BUILD/roundtrip
fresh_worktree "$wt" "$BASE_TAG"
trap 'git -C "$TREE" worktree remove --force "$wt" >/dev/null 2>&1 || true' EXIT

mbox=$BUILD/series.mbox
mapfile -t series < <(series_files)
cat /dev/null "${series[@]}" > "$mbox"
pass=0 fail=0
if [ "${#series[@]}" -eq 0 ] || git -C "$wt" am -q --whitespace=error-all "$mbox"; then
	echo "ok: ${#series[@]} patches apply with git am --whitespace=error-all"
	pass=$((pass + 1))
	want=$(git rev-parse "HEAD^{tree}") got=$(git -C "$wt" rev-parse "HEAD^{tree}")
	if [ "$want" = "$got" ]; then
		echo "ok: mbox round-trip gives the tree's HEAD tree ($got)"
		pass=$((pass + 1))
	else
		echo "not ok: mbox applies but differs from $TREE HEAD (unexported commits? run make export):"
		git diff --stat "$got" "$want" | tail -5
		fail=$((fail + 1))
	fi
else
	git -C "$wt" am --abort >/dev/null 2>&1 || true
	echo "not ok: patches/ does not apply with git am onto $BASE_TAG"
	fail=$((fail + 1))
fi
echo "roundtrip: $pass passed, $fail failed, 0 skipped"
