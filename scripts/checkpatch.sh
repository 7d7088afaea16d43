#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# checkpatch.pl --strict on every patch of the series (the cover letter is
# prose).  A patch passes with 0 errors, 0 warnings and 0 checks.
. "$(dirname "$0")/lib.sh"

# The tree is a tarball import without linux.git history, so checkpatch
# cannot look up the commits that Fixes: tags name (UNKNOWN_COMMIT_ID):
# their form is checked here instead, the ids were taken from upstream.
fixes_form() {
	grep '^Fixes:' "$1" | grep -Ev '^Fixes: [0-9a-f]{12} \(".+"\)$' || true
}

pass=0 fail=0
while read -r p; do
	if out=$(cd "$TREE" && PATH=/usr/bin:$PATH ./scripts/checkpatch.pl --strict --quiet --show-types \
			--ignore UNKNOWN_COMMIT_ID "$p" 2>&1; fixes_form "$p") && [ -z "$out" ]; then
		echo "ok: $(basename "$p")"
		pass=$((pass + 1))
	else
		echo "not ok: $(basename "$p")"
		echo "$out" | sed 's/^/    /'
		fail=$((fail + 1))
	fi
done < <(series_files)
[ $((pass + fail)) -gt 0 ] || echo "note: patches/ holds no patches yet"
echo "checkpatch: $pass passed, $fail failed, 0 skipped"
