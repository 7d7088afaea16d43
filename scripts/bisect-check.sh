#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build every patch of the series on its own, for the objects the series can
# break: every .c file a patch touches, plus the users of the headers it
# touches, with W=1 and the VM config.  A worktree at each commit and its
# own O= dir keep build/linux and build/vm as they are; a full kernel per
# patch would take hours on two cores.
# Prints "bisect: P passed, F failed, 0 skipped" (one per patch) last.
. "$(dirname "$0")/lib.sh"

wt=$BUILD/bisect-tree
obj=$BUILD/bisect
# Users of include/linux/memremap.h and mm/internal.h that the series
# touches the semantics of; absent ones are not in the VM config.
header_users="mm/memremap.o mm/memremap_pool.o mm/huge_memory.o
	mm/migrate_device.o mm/memory.o mm/rmap.o mm/swap.o mm/page_alloc.o
	lib/test_hmm.o drivers/gpu/drm/nouveau/nouveau_dmem.o
	drivers/gpu/drm/nouveau/nouveau_svm.o drivers/pci/p2pdma.o
	mm/tests/memremap_pool_kunit.o"

[ -f "$KOBJ/.config" ] || die "no $KOBJ/.config: run make kernel first"
fresh_worktree "$wt" "$BASE_TAG"
mkdir -p "$obj"
cp "$KOBJ/.config" "$obj/.config"
bmake() { TREE=$wt KOBJ=$obj kmake "$@"; }
bmake -s olddefconfig prepare >/dev/null

pass=0 fail=0
for c in $(git -C "$TREE" rev-list --reverse "$BASE_TAG"..HEAD); do
	git -C "$wt" checkout -q "$c"
	subj=$(git -C "$wt" log -1 --format='%h %s')
	# A symbol a later patch adds to Kconfig is in .config already.
	bmake -s olddefconfig >/dev/null
	objs=$(git -C "$wt" diff-tree --no-commit-id --name-only -r "$c" |
	       sed -n 's/\.c$/.o/p' | grep -v '^tools/' || true)
	git -C "$wt" diff-tree --no-commit-id --name-only -r "$c" |
		grep -q -e '\.h$' -e 'Kconfig' -e 'Makefile' && objs="$objs $header_users"
	want=""
	for o in $objs; do
		# Only what exists at this commit and the VM config builds.
		[ -f "$wt/${o%.o}.c" ] && [ -f "$KOBJ/$o" ] && want="$want $o"
	done
	want=$(printf '%s\n' $want | sort -u | xargs)
	if [ -z "$want" ]; then
		echo "ok (nothing to build): $subj"
		pass=$((pass + 1))
		continue
	fi
	# W=1 warnings count in the files the series changed so far only:
	# the rest of mm/ has its own.
	touched=$(git -C "$wt" diff --name-only "$BASE_TAG" "$c")
	if out=$(bmake W=1 $want 2>&1) &&
	   ! grep 'warning:' <<<"$out" | grep -qF "$touched"; then
		echo "ok: $subj ($want)"
		pass=$((pass + 1))
	else
		echo "not ok: $subj"
		{ grep -E 'error|warning:|\*\*\*' <<<"$out" || tail -5 <<<"$out"; } |
			sed 's/^/    /' | head -20
		fail=$((fail + 1))
	fi
done
git -C "$TREE" worktree remove --force "$wt"
echo "bisect: $pass passed, $fail failed, 0 skipped"
[ "$fail" = 0 ]
