#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# sparse (C=2, Debian's sparse) on the objects of the VM config that the
# series touches, on 7.3.4 and on the series, in a worktree of its own:
# any sparse message the series adds fails.  Messages are compared without
# line numbers, which the series moves.
# Prints "sparse: P passed, F failed, 0 skipped" (one per object).
. "$(dirname "$0")/lib.sh"

wt=$BUILD/sparse-tree
obj=$BUILD/sparse
[ -f "$KOBJ/.config" ] || die "no $KOBJ/.config: run make kernel first"
fresh_worktree "$wt" "$BASE_TAG"
trap 'git -C "$TREE" worktree remove --force "$wt" >/dev/null 2>&1 || true' EXIT
mkdir -p "$obj"
cp "$KOBJ/.config" "$obj/.config"
smake() { TREE=$wt KOBJ=$obj kmake -s C=2 CHECK=sparse "$@"; }

mapfile -t objs < <(git -C "$TREE" diff --name-only "$BASE_TAG" HEAD -- '*.c' |
	grep -v '^tools/' | sed 's/\.c$/.o/' | while read -r o; do
		[ -f "$KOBJ/$o" ] && echo "$o"; done)

messages() {	# objects...: sparse's messages about them, without line numbers
	local o
	for o in "$@"; do
		[ -f "$wt/${o%.o}.c" ] || continue
		smake "$o" 2>&1 | grep -F "${o%.o}.c:" |
			sed -E 's/\.c:[0-9]+:[0-9]+:/.c:/' || true
	done | sort -u
}

TREE=$wt KOBJ=$obj kmake -s olddefconfig prepare >/dev/null
messages "${objs[@]}" > "$obj/base.txt"
git -C "$wt" checkout -q "$(git -C "$TREE" rev-parse HEAD)"
TREE=$wt KOBJ=$obj kmake -s olddefconfig >/dev/null
messages "${objs[@]}" > "$obj/series.txt"

for o in "${objs[@]}"; do
	new=$(comm -13 "$obj/base.txt" "$obj/series.txt" | grep -F "${o%.o}.c:" || true)
	st=0; [ -z "$new" ] || st=1
	report $st "$o ($(grep -cF "${o%.o}.c:" "$obj/series.txt" || true) messages in the series)" "$new"
done
echo "sparse: $pass passed, $fail failed, 0 skipped"
