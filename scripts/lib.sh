# SPDX-License-Identifier: GPL-2.0
# Shared settings for the harness scripts; sourced, never run.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
TREE=${TREE:-$BUILD/linux}		# git tree: baseline commit + series
KOBJ=${KOBJ:-$BUILD/vm}			# O= dir of the VM kernel
RESULTS=${RESULTS:-$BUILD/results}
PATCHES=$TOP/patches
BASE_TAG=v7.3.4-base
KVER=7.3.4
JOBS=${JOBS:-2}
# An RFC until the benchmarks are in and hardware has run it.
SUBJECT_PREFIX=${SUBJECT_PREFIX:-RFC PATCH}

# Deterministic identity and dates: the baseline commit gets the same hash
# on every machine, so exported patches do not churn.
export GIT_AUTHOR_NAME=${GIT_AUTHOR_NAME:-devmap harness}
export GIT_AUTHOR_EMAIL=${GIT_AUTHOR_EMAIL:-devmap@localhost}
export GIT_COMMITTER_NAME=${GIT_COMMITTER_NAME:-$GIT_AUTHOR_NAME}
export GIT_COMMITTER_EMAIL=${GIT_COMMITTER_EMAIL:-$GIT_AUTHOR_EMAIL}

# ccache outside the repo; paths below $BUILD are hashed relative so a
# clone in another directory (CI) still hits the cache.
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/devmap-ccache}
export CCACHE_BASEDIR=$BUILD
export CCACHE_NOHASHDIR=1
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
export KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2026'
export KBUILD_BUILD_USER=devmap KBUILD_BUILD_HOST=harness

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The series in order, without the cover letter.
series_files() {
	find "$PATCHES" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' \
		! -name '0000-*' 2>/dev/null | sort
}

# One "ok: WHAT" or "not ok: WHAT" line (then DETAILS, indented), counted in
# $pass and $fail for the script's "suite: P passed, F failed" line.
pass=0 fail=0
report() {	# STATUS WHAT [DETAILS]
	if [ "$1" = 0 ]; then
		echo "ok: $2"
		pass=$((pass + 1))
	else
		echo "not ok: $2"
		[ -z "${3:-}" ] || printf '%s\n' "$3" | sed 's/^/    /'
		fail=$((fail + 1))
	fi
}

# A fresh detached worktree of $TREE at REV in DIR (a leftover one is removed).
fresh_worktree() {	# DIR REV
	git -C "$TREE" worktree remove --force "$1" >/dev/null 2>&1 || rm -rf "$1"
	git -C "$TREE" worktree prune
	git -C "$TREE" worktree add -q --detach "$1" "$2"
}

# DIR as a worktree at $BASE_TAG, replacing one left at another commit.
pristine_worktree() {	# DIR
	[ "$(git -C "$1" rev-parse -q --verify HEAD 2>/dev/null)" = \
	  "$(git -C "$TREE" rev-parse "$BASE_TAG^{commit}")" ] || fresh_worktree "$1" "$BASE_TAG"
}

# make bench and bench-profile: both kernels from configs/bench.config on
# top of the VM config, in O= dirs of their own.
bench_kernels() {
	export KOBJ=$BUILD/bench-series CONFIGS="$TOP/configs/vm.config $TOP/configs/bench.config"
}

kmake() {
	make -C "$TREE" O="$KOBJ" -j"$JOBS" CC="ccache gcc" HOSTCC="ccache gcc" "$@"
}
