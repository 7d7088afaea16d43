# SPDX-License-Identifier: GPL-2.0
# devmap free path series: build, boot and test a patched Linux 7.3.4.
# See README.md.  Variables: KERNEL_SRC, KERNEL_TARBALL, JOBS, VM_TIMEOUT.

SHELL := /bin/bash
S := scripts

.PHONY: all deps tree export roundtrip checkpatch series mbox docs grep-proof bisect bisect-check matrix stress rig bench bench-profile kernel nouveau check vm clean distclean

all: nouveau

deps:
	@$(S)/deps.sh

tree: deps
	@$(S)/tree.sh

export:
	@$(S)/export.sh

roundtrip: tree
	@$(S)/roundtrip.sh

checkpatch: tree
	@$(S)/checkpatch.sh

series: tree
	@$(S)/series-check.sh

mbox: tree
	@$(S)/mbox.sh

docs: tree
	@$(S)/docs-check.sh

grep-proof: tree
	@$(S)/grep-proof.sh

# Each patch on its own (W=1, the objects the series can break); needs the
# VM kernel's .config, so it runs after `make kernel`.
bisect: kernel
	@$(S)/bisect-check.sh

bisect-check: bisect

# The series vs pristine 7.3.4, side by side (build/results/bench.md).
bench: tree
	@$(S)/bench.sh

# Where hmm-bench's THP migration to system memory spends its time (perf).
bench-profile: tree
	@$(S)/bench-profile.sh

# Installable packages for a GPU rig (tests/igt/RIG.md); hours on two cores.
rig: tree
	@$(S)/rig.sh

stress: tree
	@$(S)/stress.sh

# Every compile configuration and sparse, one build at a time.
matrix: tree
	@$(S)/matrix.sh

kernel: tree
	@$(S)/build-kernel.sh
	@tests/vm/build-tests.sh

nouveau: kernel
	@. $(S)/lib.sh; ko=$$KOBJ/drivers/gpu/drm/nouveau/nouveau.ko; \
	 test -f $$ko || { echo "error: $$ko was not built" >&2; exit 1; }; \
	 echo "bzImage:    $$KOBJ/arch/x86/boot/bzImage"; \
	 echo "nouveau.ko: $$ko"

check:
	@$(S)/check.sh

vm: kernel
	@tests/vm/run.sh --interactive

clean:
	rm -rf build/vm build/kasan build/results build/roundtrip build/bisect build/bisect-tree build/mail build/mbox-am build/sparse build/sparse-tree build/rig build/bench-base build/bench-series

distclean:
	rm -rf build
