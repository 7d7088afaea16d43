#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Documentation hygiene of the series, without Sphinx:
# - scripts/kernel-doc -none on every .c/.h the series adds or changes: no
#   warning in a file it adds, and no more warnings than 7.3.4 had in a file
#   it changes (kfd_svm.h's svm_range has six of its own);
# - every .rst it adds or changes parses with docutils (scripts/rst-check.py):
#   sections, targets, literal blocks and kernel-doc directive options
#   (Debian's python3-docutils, hence /usr/bin/python3).
. "$(dirname "$0")/lib.sh"

cd "$TREE"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Line numbers move with the series: compare the messages only.
kdoc() { scripts/kernel-doc -none "$1" 2>&1 | sed -E "s|$1(:[0-9]+)?|F|" | sort -u; }

while read -r st f; do
	kdoc "$f" > "$tmp/new"
	: > "$tmp/old"
	if [ "$st" = M ]; then
		git show "$BASE_TAG:$f" > "$tmp/base.${f##*.}"
		kdoc "$tmp/base.${f##*.}" > "$tmp/old"
	fi
	added=$(comm -13 "$tmp/old" "$tmp/new" | sed "s|F|$f|")
	st=0; [ -z "$added" ] || st=1
	report $st "kernel-doc $f ($(wc -l < "$tmp/new") warnings, $(wc -l < "$tmp/old") in 7.3.4)" "$added"
done < <(git diff --name-status --diff-filter=AM "$BASE_TAG" HEAD -- '*.c' '*.h')

mapfile -t rst < <(git diff --name-only --diff-filter=AM "$BASE_TAG" HEAD -- '*.rst')
for f in "${rst[@]}"; do
	st=0; out=$(/usr/bin/python3 "$TOP/scripts/rst-check.py" "$f" 2>&1) || st=1
	report $st "rst $f" "$out"
done

echo "docs: $pass passed, $fail failed, 0 skipped"
