// SPDX-License-Identifier: MIT

/**
 * TEST: nouveau svm
 * Category: Core
 * Mega feature: General Core features
 * Sub-category: SVM
 * Functionality: migration of process memory to VRAM and back
 * Description: DRM_NOUVEAU_SVM_INIT and DRM_NOUVEAU_SVM_BIND, and the
 *	nouveau_dmem device memory they drive, checked through
 *	/proc/self/pagemap and by reading the data back.
 *
 * SUBTEST: init-busy
 * Description: SVM_INIT once per client (nouveau_svmm_init), EBUSY the
 *	second time, the first SVM VMM still working.
 *
 * SUBTEST: bind-invalid
 * Description: every malformed SVM_BIND rejected with EINVAL by
 *	nouveau_svmm_bind() before anything migrates.
 *
 * SUBTEST: migrate-4k
 * Description: 4 KiB pages to VRAM (nouveau_dmem_migrate_vma) and back on
 *	CPU fault (nouveau_dmem_migrate_to_ram), twice.
 *
 * SUBTEST: migrate-thp
 * Description: a THP migrates as one order-9 device folio and one fault
 *	brings it all back.
 *
 * SUBTEST: thp-partial-munmap
 * Description: unmapping part of a device THP splits it; the rest faults
 *	back page by page and every device page is freed.
 *
 * SUBTEST: munmap-in-vram
 * Description: unmapping memory that is in VRAM frees its device pages to
 *	the nouveau_dmem pool.
 *
 * SUBTEST: fork-read
 * Description: device-private pages inherited by a child read right in the
 *	child and in the parent, in either order.
 *
 * SUBTEST: sizes-offsets
 * Description: exactly the pages of the range migrate, for many sizes and
 *	offsets and across a hole between two VMAs.
 *
 * SUBTEST: threads-disjoint
 * Description: threads migrating disjoint ranges of one buffer at once.
 *
 * SUBTEST: reclaim-idle
 * Description: idle 2 MiB blocks of VRAM given back by the dmem idle worker,
 *	as the dmem debugfs file shows.
 */

#include "igt.h"
#include "igt_debugfs.h"

#include "svm_cases.h"

IGT_TEST_DESCRIPTION("Migrate process memory to VRAM and back through nouveau "
		     "SVM: placement checked in /proc/self/pagemap, data by "
		     "reading it back.");

/* The cases are plain C (svm_cases.c): map their result onto igt's. */
static void run_case(int fd, svm_case_fn fn)
{
	char msg[SVM_MSG_LEN] = "";
	enum svm_result res;

	res = fn(fd, msg, sizeof(msg));
	igt_skip_on_f(res == SVM_SKIP, "%s\n", msg);
	igt_assert_f(res == SVM_PASS, "%s\n", msg);
	if (msg[0])
		igt_info("%s\n", msg);
}

int igt_main()
{
	int fd = -1;

	igt_fixture() {
		char msg[SVM_MSG_LEN] = "";
		enum svm_result res;

		fd = drm_open_driver(DRIVER_ANY);
		igt_require_nouveau(fd);
		svm_set_debugfs_root(igt_debugfs_mount());
		/* ENOSYS: SVM off, or not Pascal (7.3 has it on Pascal only). */
		res = svm_probe(fd, msg, sizeof(msg));
		igt_require_f(res != SVM_SKIP, "%s\n", msg);
		igt_assert_f(res == SVM_PASS, "%s\n", msg);
	}

	igt_describe("DRM_NOUVEAU_SVM_INIT builds a client's SVM VMM once "
		     "(nouveau_svmm_init): a second call on the same client "
		     "returns EBUSY and leaves the first working, another "
		     "client gets its own.");
	igt_subtest("init-busy")
		run_case(fd, svm_case_init_busy);

	igt_describe("nouveau_svmm_bind() rejects each malformed "
		     "DRM_NOUVEAU_SVM_BIND (reserved fields, header bits past "
		     "48, empty or reversed range, other command or target, "
		     "stride, no SVM_INIT) with EINVAL before "
		     "nouveau_dmem_migrate_vma() moves anything.");
	igt_subtest("bind-invalid")
		run_case(fd, svm_case_bind_invalid);

	igt_describe("4 KiB pages go to VRAM through nouveau_dmem_migrate_vma() "
		     "and nouveau_dmem_migrate_chunk() and come back with their "
		     "data through nouveau_dmem_migrate_to_ram() on CPU fault, "
		     "twice.");
	igt_subtest("migrate-4k")
		run_case(fd, svm_case_migrate_4k);

	igt_describe("A 2 MiB THP goes to VRAM as one order-9 device folio "
		     "(nouveau_dmem_migrate_vma() with "
		     "MIGRATE_VMA_SELECT_COMPOUND, "
		     "nouveau_dmem_page_alloc_locked(is_large)) and one CPU "
		     "fault brings the whole folio back through "
		     "nouveau_dmem_migrate_to_ram().");
	igt_subtest("migrate-thp")
		run_case(fd, svm_case_migrate_thp);

	igt_describe("Unmapping pages inside a device THP splits the "
		     "device-private PMD: the rest faults back page by page "
		     "through nouveau_dmem_migrate_to_ram() (split-PMD path), "
		     "and every device page, read back or unmapped, is freed "
		     "through free_zone_device_folio() into the nouveau_dmem "
		     "pool.");
	igt_subtest("thp-partial-munmap")
		run_case(fd, svm_case_thp_partial_munmap);

	igt_describe("munmap() of memory that sits in VRAM frees its device "
		     "pages through free_zone_device_folio() into the "
		     "nouveau_dmem page pool: dmem used_pages drops back.");
	igt_subtest("munmap-in-vram")
		run_case(fd, svm_case_munmap_in_vram);

	igt_describe("fork() copies device-private entries to the child "
		     "(copy_nonpresent_pte()); child and parent fault their "
		     "copy back through nouveau_dmem_migrate_to_ram() in either "
		     "order, read the right data, and the child's writes stay "
		     "in the child.");
	igt_subtest("fork-read")
		run_case(fd, svm_case_fork_read);

	igt_describe("nouveau_svmm_bind() widens the range to whole pages and "
		     "walks every VMA in it; nouveau_dmem_migrate_vma() moves "
		     "exactly those pages, for many sizes and offsets and "
		     "across a hole between two VMAs.");
	igt_subtest("sizes-offsets")
		run_case(fd, svm_case_sizes_offsets);

	igt_describe("Threads migrate disjoint ranges of one buffer at once "
		     "(nouveau_svmm_bind() and nouveau_dmem_migrate_vma() "
		     "concurrently, nouveau_dmem_migrate_to_ram() on read-back) "
		     "without losing or crossing data.");
	igt_subtest("threads-disjoint")
		run_case(fd, svm_case_threads_disjoint);

	igt_describe("Once device memory goes idle, nouveau_dmem_idle_work() "
		     "retires idle 2 MiB blocks down to nouveau.dmem_idle_floor "
		     "and unpins their VRAM, not before "
		     "nouveau.dmem_idle_delay_ms: the dmem debugfs file shows "
		     "idle, backed and reclaimed move. Skips without that file.");
	igt_subtest("reclaim-idle")
		run_case(fd, svm_case_reclaim_idle);

	igt_fixture()
		drm_close_driver(fd);
}
