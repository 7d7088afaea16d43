#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the in-VM userspace tests statically against the tree's own uapi
# headers into $KOBJ/tests.  hmm-tests is compiled straight from
# tools/testing/selftests/mm without its Makefile, which would generate files
# inside the source tree.
. "$(dirname "$0")/../../scripts/lib.sh"

kmake -s headers_install INSTALL_HDR_PATH="$KOBJ/usr" >/dev/null
mkdir -p "$KOBJ/tests"
st=$TREE/tools/testing/selftests
cc=(ccache gcc -static -O2 -Wall -U_FORTIFY_SOURCE -isystem "$KOBJ/usr/include"
    -isystem "$TREE/tools/include/uapi" -I "$TREE" -I "$st" -I "$st/mm")
"${cc[@]}" -o "$KOBJ/tests/hmm-tests" "$st/mm/hmm-tests.c" "$st/mm/vm_util.c" \
	"$st/mm/hugepage_settings.c" -lrt -lpthread -lm
"${cc[@]}" -o "$KOBJ/tests/p2pmem-test" "$TOP/tests/p2pdma/p2pmem-test.c"
"${cc[@]}" -o "$KOBJ/tests/hmm-bench" "$TOP/tests/bench/hmm-bench.c" -lpthread
"${cc[@]}" -I "$TREE/lib" -o "$KOBJ/tests/hmm-stress" "$TOP/tests/stress/hmm-stress.c" -lpthread
# hmm-badinput calls the series' new ioctls too: make bench and
# bench-profile build the tests against pristine 7.3.4 as well.
if grep -q HMM_DMIRROR_RECLAIM "$TREE/lib/test_hmm_uapi.h"; then
	"${cc[@]}" -I "$TREE/lib" -o "$KOBJ/tests/hmm-badinput" "$TOP/tests/badinput/hmm-badinput.c"
fi
# The free-path microbenchmark, an external module; MO= keeps its build
# output out of the repository.
# From scratch: kbuild does not rebuild it after a config change (a
# different struct module, refused at insmod), and it takes seconds.
rm -rf "$KOBJ/bench-mod"
kmake -s M="$TOP/tests/bench" MO="$KOBJ/bench-mod" modules
cp "$KOBJ/bench-mod/devmap_free_bench.ko" "$KOBJ/tests/"
log "built $(ls "$KOBJ/tests" | tr '\n' ' ')"
