#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Suite "series": what a maintainer checks before reading a posted series.
# - checkpatch.pl --strict: 0 errors, warnings and checks per patch;
# - every patch has a commit message body and a Signed-off-by: of its author;
# - the cover letter is current (patch count, shortlog, base-commit);
# - the mail built by `make mbox` splits and applies back to the same tree.
. "$(dirname "$0")/lib.sh"

pass=0 fail=0
count() {	# log-with-"name: P passed, F failed" name
	local p f
	read -r p f < <(sed -nE "s/^$2: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/p" "$1" | tail -1)
	pass=$((pass + ${p:-0})) fail=$((fail + ${f:-1}))
	grep -E '^(not )?ok' "$1"
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$TOP/scripts/checkpatch.sh" > "$log" 2>&1 || true
count "$log" checkpatch

while read -r p; do
	b=$(basename "$p")
	author=$(sed -n 's/^From: //p;/^$/q' "$p" | head -1)
	# The message: after the headers, up to the "---" before the diffstat.
	msg=$(awk 'h && /^---$/ { exit } h { print } /^$/ { h = 1 }' "$p")
	body=$(echo "$msg" | grep -vE '^[A-Za-z-]+: .*<.*>$|^$' | wc -l)
	if echo "$msg" | grep -qxF "Signed-off-by: $author" && [ "$body" -ge 2 ]; then
		echo "ok: $b: body of $body lines, signed off by its author"
		pass=$((pass + 1))
	else
		echo "not ok: $b: needs a body and \"Signed-off-by: $author\""
		fail=$((fail + 1))
	fi
done < <(series_files)

cover=$PATCHES/0000-cover-letter.patch
n=$(series_files | wc -l)
want=$(git -C "$TREE" rev-parse "$BASE_TAG^{commit}")
if [ -f "$cover" ] && grep -q "^Subject: \[$SUBJECT_PREFIX 0*/$n\]" "$cover" &&
   grep -qx "base-commit: $want" "$cover" &&
   diff <(git -C "$TREE" log --reverse --format='      %s' "$BASE_TAG"..HEAD) \
	<(sed -n '/^[^ ].* ([0-9]*):$/,/^$/p' "$cover" | sed '1d;$d') >/dev/null; then
	echo "ok: cover letter: 0/$n, shortlog of the tree, base-commit $want"
	pass=$((pass + 1))
else
	echo "not ok: cover letter missing or stale (make export refreshes it)"
	fail=$((fail + 1))
fi

"$TOP/scripts/mbox.sh" > "$log" 2>&1 || true
count "$log" mbox

echo "series: $pass passed, $fail failed, 0 skipped"
