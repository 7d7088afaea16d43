#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The series' end state, checked on the whole tree (arch/ included) with
# git grep: no dev_pagemap_ops free or split method is declared, set or
# called, and none of the functions that implemented one in 7.3.4 is left.
# The same patterns must find them in the baseline, or the check proves
# nothing.
. "$(dirname "$0")/lib.sh"

cd "$TREE"
ops='(\.|->)(folio_free|page_free|folio_split)\b|\(\*(folio_free|page_free|folio_split)\)'
pass=0 fail=0
result() {	# ok? name detail...
	if [ "$1" = 0 ]; then
		echo "ok: $2"; pass=$((pass + 1))
	else
		echo "not ok: $2"; shift 2; printf '    %s\n' "$@"; fail=$((fail + 1))
	fi
}

mapfile -t base < <(git grep -nE "$ops" "$BASE_TAG" -- '*.c' '*.h')
# The functions 7.3.4 plugs into those methods: ".folio_free = name,".
mapfile -t impls < <(printf '%s\n' "${base[@]}" |
	sed -nE 's/.*\.(folio_free|page_free|folio_split)[[:space:]]*=[[:space:]]*([a-z0-9_]+).*/\2/p' | sort -u)
result $(( ${#base[@]} > 0 && ${#impls[@]} > 0 ? 0 : 1 )) \
	"the patterns find the methods in $BASE_TAG (${#base[@]} lines, ${#impls[@]} implementers)"

mapfile -t left < <(git grep -nE "$ops" HEAD -- '*.c' '*.h')
result ${#left[@]} "no free or split method declared, set or called" "${left[@]}"

mapfile -t stale < <(git grep -nwE "$(IFS='|'; echo "${impls[*]}")" HEAD -- '*.c' '*.h')
result ${#stale[@]} "none of ${impls[*]} is left" "${stale[@]}"

echo "grep-proof: $pass passed, $fail failed, 0 skipped"
