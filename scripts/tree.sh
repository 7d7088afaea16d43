#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make tree`: make $TREE the pristine baseline plus patches/ applied with
# git am.  An existing tree is left alone when it already carries exactly the
# series (or more commits on top: work in progress is never thrown away);
# TREE_RESET=1 rebuilds it from patches/.
. "$(dirname "$0")/lib.sh"

"$TOP/scripts/kernel-source.sh"
cd "$TREE"

mapfile -t series < <(series_files)
if [ -z "${TREE_RESET:-}" ] && [ "$(git rev-list --count "$BASE_TAG"..HEAD)" -gt 0 ]; then
	log "$TREE has $(git rev-list --count "$BASE_TAG"..HEAD) commits on $BASE_TAG; keeping them (TREE_RESET=1 to rebuild from patches/)"
	exit 0
fi
if [ -n "$(git status --porcelain --untracked-files=no)" ] && [ -z "${TREE_RESET:-}" ]; then
	die "$TREE has uncommitted changes; commit them or TREE_RESET=1"
fi
git am --abort >/dev/null 2>&1 || true
git checkout -q -B series "$BASE_TAG"
git reset -q --hard "$BASE_TAG"
if [ "${#series[@]}" -gt 0 ]; then
	log "applying ${#series[@]} patches with git am"
	git am -q --whitespace=error-all "${series[@]}" ||
		{ git am --abort >/dev/null 2>&1; die "patches/ does not apply cleanly on $BASE_TAG"; }
fi
log "$TREE: $(git log --oneline -1)"
