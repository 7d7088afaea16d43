#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make mbox`: the series as mail, ready for git send-email or b4.
# Each patch gets To: (maintainers) and Cc: (lists, reviewers) from the
# tree's scripts/get_maintainer.pl, plus linux-mm on every patch (the whole
# series goes there); the cover letter goes to the union of all of them and
# dri-devel.  Writes $BUILD/mail/*.patch and $BUILD/mail/series.mbox, then
# proves the mail survives: git mailsplit + git am of series.mbox onto a
# pristine worktree must give the tree's HEAD tree exactly.
# Prints "mbox: P passed, F failed, 0 skipped".
. "$(dirname "$0")/lib.sh"

out=$BUILD/mail
rm -rf "$out"
mkdir -p "$out"
mapfile -t series < <(series_files)
cover=$PATCHES/0000-cover-letter.patch
[ "${#series[@]}" -gt 0 ] && [ -f "$cover" ] || die "no patches or no cover letter"

# "Name <addr> (role:...)" lines: maintainers go to To, everything else Cc.
addresses() {	# patch kind(to|cc)
	(cd "$TREE" && ./scripts/get_maintainer.pl --no-git --no-git-fallback "$1") |
		awk -v kind="$2" '{ to = /\(maintainer:/; sub(/ \([^()]*(\([^()]*\)[^()]*)*\)$/, "") }
			(kind == "to") == to { print }'
}

header() {	# name addr-file: one address per folded line
	[ -s "$2" ] || return 0
	printf '%s: ' "$1"
	sed '$!s/$/,/; 2,$s/^/ /' "$2"
}

add_headers() {	# in out to-file cc-file: after Subject (may be folded)
	awk -v hdrs="$(header To "$3"; header Cc "$4")" '
		!done && /^$/ { print hdrs; done = 1 } { print }' "$1" > "$2"
}

: > "$out/all-to"; : > "$out/all-cc"
for p in "${series[@]}"; do
	b=$(basename "$p")
	addresses "$p" to > "$out/$b.to"
	{ addresses "$p" cc; echo "linux-mm@kvack.org"; } |
		grep -vxF -f "$out/$b.to" | awk '!seen[$0]++' > "$out/$b.cc" || true
	add_headers "$p" "$out/$b" "$out/$b.to" "$out/$b.cc"
	cat "$out/$b.to" >> "$out/all-to"; cat "$out/$b.cc" >> "$out/all-cc"
done
awk '!seen[$0]++' "$out/all-to" > "$out/cover.to"
{ cat "$out/all-cc"; echo "dri-devel@lists.freedesktop.org"; } |
	grep -vxF -f "$out/cover.to" | awk '!seen[$0]++' > "$out/cover.cc" || true
add_headers "$cover" "$out/0000-cover-letter.patch" "$out/cover.to" "$out/cover.cc"
cat "$out/0000-cover-letter.patch" "${series[@]/#$PATCHES/$out}" > "$out/series.mbox"
rm -f "$out"/*.to "$out"/*.cc "$out"/all-*

nto=$(grep -c '^To: ' "$out"/[0-9]*.patch | grep -c ':1$')
report $(( nto == ${#series[@]} + 1 ? 0 : 1 )) "To: on the cover letter and all ${#series[@]} patches ($nto)"
# (set -e: a failed test must reach report, not end the script)
st=0
{ grep -q 'dri-devel@lists.freedesktop.org' "$out/0000-cover-letter.patch" &&
	grep -q 'linux-mm@kvack.org' "$out/0000-cover-letter.patch"; } || st=1
report $st "the cover letter goes to dri-devel and linux-mm"

# The mail as a list archive would hand it out: split it, check that the
# first message is the cover letter, git am the rest (git am stops on the
# diff-less cover letter, as a maintainer's --skip shows).  Debian 12's
# b4 0.12 cannot read a folded Subject: from a local mbox (it raises on the
# line feed), so it is not used for this check.
wt=$BUILD/mbox-am
fresh_worktree "$wt" "$BASE_TAG"
trap 'git -C "$TREE" worktree remove --force "$wt" >/dev/null 2>&1 || true' EXIT
rm -rf "$out/split"
mkdir "$out/split"
nmsg=$(git mailsplit -o"$out/split" "$out/series.mbox")
st=0; grep -q "^Subject: \[$SUBJECT_PREFIX 0*/${#series[@]}\]" "$out/split/0001" || st=1
report $st "series.mbox: $nmsg messages, the first is the cover letter 0/${#series[@]}"
msgs=("$out"/split/*)
if git -C "$wt" am -q --whitespace=error-all "${msgs[@]:1}" > "$out/am.log" 2>&1; then
	n=$(git -C "$wt" rev-list --count "$BASE_TAG"..HEAD)
	st=0
	{ [ "$(git -C "$wt" rev-parse 'HEAD^{tree}')" = "$(git -C "$TREE" rev-parse 'HEAD^{tree}')" ] &&
		[ "$n" = "${#series[@]}" ]; } || st=1
	report $st "git am of the mailed patches: $n commits, tree identical to HEAD"
else
	sed 's/^/    /' "$out/am.log" | tail -20
	report 1 "git am of the mailed patches"
fi
log "mail in $out (send with: git send-email $out/0*.patch)"
echo "mbox: $pass passed, $fail failed, 0 skipped"
