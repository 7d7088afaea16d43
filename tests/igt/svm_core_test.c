// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of svm_core.c that need no GPU: pagemap decoding (synthetic
 * entries and this process's own anonymous memory), data patterns,
 * THP-aligned buffers, the dmem debugfs parser and reader (on a fake debugfs
 * tree), the SVM_BIND argument model and device lookup. kselftest harness:
 * TAP output, exit 0 when every test passed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "svm_core.h"

/* What nouveau_dmem_debugfs_show() prints. */
static const char dmem_sample[] =
	"pgmaps 1\n"
	"backed 5\n"
	"idle 3\n"
	"retired 0\n"
	"used_pages 1024\n"
	"reclaimed 7\n"
	"alloc_failed 2\n"
	"idle_floor 1\n";

static size_t ps(void)
{
	return svm_page_size();
}

/* VmSize in kB, read without malloc so that the heap does not move it. */
static long vm_size_kb(void)
{
	char buf[4096], *p;
	ssize_t n;
	int fd;

	fd = open("/proc/self/status", O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "VmSize:");
	return p ? strtol(p + 7, NULL, 10) : -1;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

TEST(pme_present)
{
	uint64_t v = SVM_PM_PRESENT | SVM_PM_EXCLUSIVE | 0x12345;
	struct svm_pme pme;

	svm_pme_decode(v, &pme);
	ASSERT_TRUE(pme.present);
	ASSERT_FALSE(pme.swap);
	ASSERT_TRUE(pme.exclusive);
	ASSERT_FALSE(pme.file);
	ASSERT_EQ(0x12345, pme.pfn);
	ASSERT_EQ(SVM_PAGE_RAM, svm_pme_state(v));
	ASSERT_EQ(SVM_PAGE_RAM, svm_pme_state(v | SVM_PM_FILE));
	svm_pme_decode(v | SVM_PM_FILE, &pme);
	ASSERT_TRUE(pme.file);
}

/* A device-private entry: swap-type, not present, type and offset set. */
TEST(pme_device_private)
{
	uint64_t v = SVM_PM_SWAP | 0xabcdeULL << SVM_PM_SWAP_TYPE_BITS | 0x1d;
	struct svm_pme pme;

	svm_pme_decode(v, &pme);
	ASSERT_FALSE(pme.present);
	ASSERT_TRUE(pme.swap);
	ASSERT_EQ(0x1d, pme.swap_type);
	ASSERT_EQ(0xabcde, pme.swap_offset);
	ASSERT_EQ(0, pme.pfn);
	ASSERT_EQ(SVM_PAGE_SWAP, svm_pme_state(v));
	ASSERT_EQ(SVM_PAGE_SWAP, svm_pme_state(v | SVM_PM_SOFT_DIRTY));
	/* Unprivileged readers see the flag only. */
	ASSERT_EQ(SVM_PAGE_SWAP, svm_pme_state(SVM_PM_SWAP));
}

TEST(pme_none)
{
	ASSERT_EQ(SVM_PAGE_NONE, svm_pme_state(0));
	/* VM_SOFTDIRTY marks unpopulated entries too. */
	ASSERT_EQ(SVM_PAGE_NONE, svm_pme_state(SVM_PM_SOFT_DIRTY));
	ASSERT_EQ(SVM_PAGE_NONE, svm_pme_state(SVM_PM_SWAP | SVM_PM_GUARD));
	ASSERT_EQ(SVM_PAGE_NONE, svm_pme_state(SVM_PM_EXCLUSIVE | 0x42));
}

TEST(pagemap_anon)
{
	enum svm_page_state got = SVM_PAGE_SWAP;
	struct svm_page_count cnt;
	struct svm_buf b;
	size_t bad = 99;
	char *p;

	ASSERT_EQ(0, svm_buf_alloc(&b, 8 * ps(), ps(), MADV_NOHUGEPAGE));
	p = b.ptr;
	ASSERT_EQ(0, svm_pagemap_expect(p, 8, SVM_PAGE_NONE, &bad, &got));

	p[0] = 1;
	p[2 * ps()] = 1;
	p[5 * ps() + 17] = 1;
	ASSERT_EQ(0, svm_pagemap_count(p, 8, &cnt));
	ASSERT_EQ(3, cnt.ram);
	ASSERT_EQ(5, cnt.none);
	ASSERT_EQ(0, cnt.swap);
	ASSERT_EQ(1, svm_pagemap_expect(p, 8, SVM_PAGE_RAM, &bad, &got));
	ASSERT_EQ(1, bad);
	ASSERT_EQ(SVM_PAGE_NONE, got);
	ASSERT_EQ(0, svm_pagemap_expect(p + 5 * ps(), 1, SVM_PAGE_RAM, &bad,
					&got));

	/* Dropped pages are unpopulated again. */
	ASSERT_EQ(0, madvise(p + 2 * ps(), ps(), MADV_DONTNEED));
	ASSERT_EQ(0, svm_pagemap_count(p, 8, &cnt));
	ASSERT_EQ(2, cnt.ram);
	svm_buf_free(&b);
}

TEST(pagemap_hole)
{
	struct svm_page_count cnt;
	struct svm_buf b;
	char *p;

	ASSERT_EQ(0, svm_buf_alloc(&b, 3 * ps(), ps(), MADV_NOHUGEPAGE));
	p = b.ptr;
	memset(p, 1, 3 * ps());
	ASSERT_EQ(0, munmap(p + ps(), ps()));
	ASSERT_EQ(0, svm_pagemap_count(p, 3, &cnt));
	ASSERT_EQ(2, cnt.ram);
	ASSERT_EQ(1, cnt.none);
	svm_buf_free(&b);
}

TEST(pattern_roundtrip)
{
	struct svm_buf b;
	ssize_t off;

	ASSERT_EQ(0, svm_buf_alloc(&b, 4 * ps(), ps(), 0));
	svm_pattern_fill(b.ptr, b.len, 1);
	ASSERT_EQ(-1, svm_pattern_check(b.ptr, b.len, 1));
	off = svm_pattern_check(b.ptr, b.len, 2);
	ASSERT_GE(off, 0);
	ASSERT_LT(off, 8);
	svm_buf_free(&b);
}

TEST(pattern_detects_corruption)
{
	struct svm_buf b;
	char *p;

	ASSERT_EQ(0, svm_buf_alloc(&b, 4 * ps(), ps(), 0));
	p = b.ptr;
	svm_pattern_fill(p, b.len, 5);
	p[ps() + 7] ^= 0x10;
	ASSERT_EQ((ssize_t)ps() + 7, svm_pattern_check(p, b.len, 5));
	p[ps() + 7] ^= 0x10;
	p[b.len - 1] ^= 0x80;
	ASSERT_EQ((ssize_t)b.len - 1, svm_pattern_check(p, b.len, 5));
	p[b.len - 1] ^= 0x80;
	ASSERT_EQ(-1, svm_pattern_check(p, b.len, 5));
	svm_buf_free(&b);
}

/* Right data at the wrong address is caught: the pattern follows the address. */
TEST(pattern_address_dependent)
{
	struct svm_buf b;
	ssize_t off;
	char *p;

	ASSERT_EQ(0, svm_buf_alloc(&b, 2 * ps(), ps(), 0));
	p = b.ptr;
	svm_pattern_fill(p, b.len, 9);
	memcpy(p + ps(), p, ps());
	off = svm_pattern_check(p, b.len, 9);
	ASSERT_GE(off, (ssize_t)ps());
	ASSERT_LT(off, (ssize_t)ps() + 8);
	svm_buf_free(&b);
}

TEST(pattern_byte)
{
	uint64_t word = svm_pattern_word(0x7f0000001000, 3);
	uint8_t bytes[8];
	int i;

	memcpy(bytes, &word, sizeof(bytes));
	for (i = 0; i < 8; i++)
		ASSERT_EQ(bytes[i], svm_pattern_byte(0x7f0000001000 + i, 3));
	ASSERT_NE(svm_pattern_word(0x7f0000001000, 3),
		  svm_pattern_word(0x7f0000001008, 3));
}

TEST(buf_thp_aligned)
{
	size_t thp = svm_thp_size();
	struct svm_vma vma;
	struct svm_buf b;
	long before, after;
	int ret;

	before = vm_size_kb();
	ASSERT_GT(before, 0);
	ret = svm_buf_alloc(&b, 2 * thp, thp, MADV_HUGEPAGE);
	if (ret == -EINVAL)
		SKIP(return, "kernel without THP");
	ASSERT_EQ(0, ret);
	after = vm_size_kb();
	ASSERT_EQ(0, (uintptr_t)b.ptr % thp);
	ASSERT_EQ(2 * thp, b.len);
	/* The alignment slack was unmapped. */
	ASSERT_EQ((long)(2 * thp / 1024), after - before);
	ASSERT_EQ(0, svm_vma_info(b.ptr, &vma));
	ASSERT_EQ((uintptr_t)b.ptr, vma.start);
	ASSERT_EQ((uintptr_t)b.ptr + b.len, vma.end);
	ASSERT_NE(NULL, strstr(vma.flags, "hg")) TH_LOG("VmFlags: %s", vma.flags);
	svm_buf_free(&b);
	ASSERT_EQ(before, vm_size_kb());
}

TEST(buf_nohuge)
{
	struct svm_vma vma;
	struct svm_buf b;

	ASSERT_EQ(0, svm_buf_alloc(&b, 16 * ps(), 64 << 10, MADV_NOHUGEPAGE));
	ASSERT_EQ(0, (uintptr_t)b.ptr % (64 << 10));
	ASSERT_EQ(0, svm_vma_info(b.ptr, &vma));
	if (!strstr(vma.flags, "nh"))
		TH_LOG("no nh in VmFlags (kernel without THP?): %s", vma.flags);
	memset(b.ptr, 0, b.len);
	svm_buf_free(&b);
}

TEST(buf_rejects)
{
	struct svm_buf b;

	ASSERT_EQ(-EINVAL, svm_buf_alloc(&b, 0, ps(), 0));
	ASSERT_EQ(-EINVAL, svm_buf_alloc(&b, ps() + 1, ps(), 0));
	ASSERT_EQ(-EINVAL, svm_buf_alloc(&b, ps(), 3 * ps(), 0));
	ASSERT_EQ(-EINVAL, svm_buf_alloc(&b, ps(), ps() / 2, 0));
	ASSERT_NULL(b.ptr);
}

TEST(dmem_parse_sample)
{
	struct svm_dmem_stats st;

	ASSERT_EQ(0, svm_dmem_parse(dmem_sample, &st));
	ASSERT_EQ(1, st.pgmaps);
	ASSERT_EQ(5, st.backed);
	ASSERT_EQ(3, st.idle);
	ASSERT_EQ(0, st.retired);
	ASSERT_EQ(1024, st.used_pages);
	ASSERT_EQ(7, st.reclaimed);
	ASSERT_EQ(2, st.alloc_failed);
	ASSERT_EQ(1, st.idle_floor);
}

TEST(dmem_parse_order_and_new_keys)
{
	struct svm_dmem_stats st;

	ASSERT_EQ(0, svm_dmem_parse("idle_floor 4\nidle 0\nfuture_key 9\n"
				    "used_pages 18446744073709551615\n"
				    "backed 2\npgmaps 1\nretired 1\n"
				    "reclaimed 0\nalloc_failed 0", &st));
	ASSERT_EQ(4, st.idle_floor);
	ASSERT_EQ(0, st.idle);
	ASSERT_EQ(18446744073709551615UL, st.used_pages);
	ASSERT_EQ(1, st.retired);
}

TEST(dmem_parse_rejects)
{
	static const char *const bad[] = {
		"",
		"\n",
		"pgmaps 1\n",
		"idle 1\nidle 1\npgmaps 1\nbacked 5\nretired 0\nused_pages 1\nreclaimed 7\nalloc_failed 2\nidle_floor 1\n",
		"idle x\n",
		"idle 3x\n",
		"idle -1\n",
		"idle 99999999999999999999999\n",
		"Idle 1\n",
		"idle\n",
		"idle 1 2\n",
		"pgmaps 1\n\nbacked 5\n",
		"idle: 1\n",
	};
	struct svm_dmem_stats st;
	char text[512];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_EQ(-EINVAL, svm_dmem_parse(bad[i], &st))
			TH_LOG("accepted: \"%s\"", bad[i]);

	/* Each key is required. */
	for (i = 0; i < 8; i++) {
		const char *line = dmem_sample;
		size_t k, n = 0;

		for (k = 0; k < i; k++)
			line = strchr(line, '\n') + 1;
		memcpy(text, dmem_sample, line - dmem_sample);
		n = line - dmem_sample;
		strcpy(text + n, strchr(line, '\n') + 1);
		EXPECT_EQ(-EINVAL, svm_dmem_parse(text, &st))
			TH_LOG("accepted without line %zu", i);
	}
}

/* The reader against a fake debugfs tree, with /dev/null as the DRM node. */
TEST(dmem_read_fake_debugfs)
{
	char root[] = "/tmp/svm-debugfs-XXXXXX", path[320], why[256];
	struct svm_dmem_stats st;
	struct stat sb;
	int fd;

	ASSERT_NE(NULL, mkdtemp(root));
	fd = open("/dev/null", O_RDWR);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, fstat(fd, &sb));
	svm_set_debugfs_root(root);

	ASSERT_EQ(0, svm_dmem_path(fd, path, sizeof(path)));
	ASSERT_EQ(-ENOENT, svm_dmem_read(fd, &st, why, sizeof(why)));
	ASSERT_NE(NULL, strstr(why, "not mounted")) TH_LOG("%s", why);

	snprintf(path, sizeof(path), "%s/dri", root);
	ASSERT_EQ(0, mkdir(path, 0755));
	ASSERT_EQ(-ENOENT, svm_dmem_read(fd, &st, why, sizeof(why)));
	ASSERT_NE(NULL, strstr(why, "absent")) TH_LOG("%s", why);

	snprintf(path, sizeof(path), "%s/dri/%u", root, minor(sb.st_rdev));
	ASSERT_EQ(0, mkdir(path, 0755));
	strcat(path, "/dmem");
	write_file(path, dmem_sample);
	ASSERT_EQ(0, svm_dmem_read(fd, &st, why, sizeof(why))) TH_LOG("%s", why);
	ASSERT_EQ(1024, st.used_pages);

	write_file(path, "idle lots\n");
	ASSERT_EQ(-EINVAL, svm_dmem_read(fd, &st, why, sizeof(why)));
	ASSERT_NE(NULL, strstr(why, "expected")) TH_LOG("%s", why);

	unlink(path);
	*strrchr(path, '/') = '\0';
	rmdir(path);
	*strrchr(path, '/') = '\0';
	rmdir(path);
	rmdir(root);
	close(fd);
	svm_set_debugfs_root("/sys/kernel/debug");
}

TEST(dmem_path_needs_char_device)
{
	char file[] = "/tmp/svm-file-XXXXXX", path[320];
	int fd = mkstemp(file);

	ASSERT_GE(fd, 0);
	ASSERT_EQ(-ENOTTY, svm_dmem_path(fd, path, sizeof(path)));
	close(fd);
	unlink(file);
}

TEST(bind_header)
{
	uint64_t h = svm_bind_header(NOUVEAU_SVM_BIND_COMMAND__MIGRATE, 0,
				     NOUVEAU_SVM_BIND_TARGET__GPU_VRAM);

	ASSERT_EQ(1ULL << 47, h);
	ASSERT_EQ(0, h & ~NOUVEAU_SVM_BIND_VALID_MASK);
	ASSERT_EQ(0x305ULL, svm_bind_header(5, 3, 0));
}

TEST(bind_model_valid)
{
	struct drm_nouveau_svm_bind a;
	char *p = (char *)0x7f0000000000;

	svm_bind_args(&a, p, 4 * ps());
	ASSERT_EQ((uintptr_t)p, a.va_start);
	ASSERT_EQ((uintptr_t)p + 4 * ps(), a.va_end);
	ASSERT_EQ(4, a.npages);
	ASSERT_EQ(0, svm_bind_expected(&a, true));
	ASSERT_EQ(-EINVAL, svm_bind_expected(&a, false));

	/* Widened to whole pages: a range inside one page is one page. */
	a.va_start = (uintptr_t)p + 1;
	a.va_end = (uintptr_t)p + 2;
	ASSERT_EQ(0, svm_bind_expected(&a, true));

	/* The priority field is not looked at. */
	svm_bind_args(&a, p, ps());
	a.header |= svm_bind_header(0, 5, 0);
	ASSERT_EQ(0, svm_bind_expected(&a, true));
}

TEST(bind_model_invalid_table)
{
	struct drm_nouveau_svm_bind valid, bad;
	size_t i;

	svm_bind_args(&valid, (void *)0x7f0000000000, 4 * ps());
	ASSERT_GE(svm_bind_invalid_count(), 10);
	for (i = 0; i < svm_bind_invalid_count(); i++) {
		const char *what = svm_bind_invalid(i, &valid, &bad);

		ASSERT_NE(NULL, what);
		EXPECT_NE(0, memcmp(&valid, &bad, sizeof(bad))) TH_LOG("%s", what);
		EXPECT_EQ(-EINVAL, svm_bind_expected(&bad, true))
			TH_LOG("%s", what);
	}
	ASSERT_NULL(svm_bind_invalid(i, &valid, &bad));
}

TEST(find_nouveau_empty_dir)
{
	char dir[] = "/tmp/svm-dri-XXXXXX", path[256], why[256];

	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(-ENODEV, svm_find_nouveau(dir, path, sizeof(path), why,
					    sizeof(why)));
	ASSERT_NE(NULL, strstr(why, "no DRM node")) TH_LOG("%s", why);
	rmdir(dir);
}

TEST(find_nouveau_not_drm)
{
	char dir[] = "/tmp/svm-dri-XXXXXX", path[256], why[256];
	int fd;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/renderD128", dir);
	write_file(path, "not a DRM device");
	ASSERT_EQ(-ENODEV, svm_find_nouveau(dir, path, sizeof(path), why,
					    sizeof(why)));
	ASSERT_NE(NULL, strstr(why, "among 1 DRM node")) TH_LOG("%s", why);
	snprintf(path, sizeof(path), "%s/renderD128", dir);
	unlink(path);
	rmdir(dir);

	fd = open("/dev/null", O_RDWR);
	ASSERT_GE(fd, 0);
	ASSERT_FALSE(svm_is_nouveau(fd));
	close(fd);
}

TEST(window_reserve)
{
	struct svm_window a, b;
	struct svm_vma vma;
	void *addr;

	ASSERT_EQ(0, svm_window_reserve(&a));
	ASSERT_EQ(SVM_WINDOW_SIZE, a.size);
	ASSERT_EQ(0, (uintptr_t)a.addr % SVM_WINDOW_SIZE);
	ASSERT_EQ(0, svm_vma_info(a.addr, &vma));
	ASSERT_EQ((uintptr_t)a.addr, vma.start);
	ASSERT_EQ((uintptr_t)a.addr + SVM_WINDOW_SIZE, vma.end);
	/* PROT_NONE: no rd or wr in VmFlags. */
	ASSERT_NULL(strstr(vma.flags, "rd")) TH_LOG("VmFlags: %s", vma.flags);
	ASSERT_NULL(strstr(vma.flags, "wr"));
	/* A second client's window does not overlap (it may merge). */
	ASSERT_EQ(0, svm_window_reserve(&b));
	ASSERT_NE(a.addr, b.addr);
	ASSERT_EQ(0, (uintptr_t)b.addr % SVM_WINDOW_SIZE);
	addr = a.addr;
	svm_window_release(&a);
	ASSERT_NULL(a.addr);
	ASSERT_EQ(-ENOENT, svm_vma_info(addr, &vma));
	svm_window_release(&b);
	ASSERT_NULL(b.addr);
}

/* A new open file, not a dup: its own offset, as a new DRM client. */
TEST(reopen_is_new_open_file)
{
	char file[] = "/tmp/svm-file-XXXXXX";
	int fd = mkstemp(file), nfd;

	ASSERT_GE(fd, 0);
	ASSERT_EQ(4, write(fd, "abcd", 4));
	nfd = svm_reopen(fd);
	ASSERT_GE(nfd, 0);
	ASSERT_NE(fd, nfd);
	ASSERT_EQ(4, lseek(fd, 0, SEEK_CUR));
	ASSERT_EQ(0, lseek(nfd, 0, SEEK_CUR));
	ASSERT_LT(svm_reopen(1000), 0);
	close(nfd);
	close(fd);
	unlink(file);
}

TEST_HARNESS_MAIN
