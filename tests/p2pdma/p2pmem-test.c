// SPDX-License-Identifier: GPL-2.0
/*
 * p2pmem through sysfs: mmap of <pci device>/p2pmem/allocate hands out
 * refcounted P2PDMA pages that the core frees when the last mapping goes.
 * Run in the test VM on a QEMU NVMe controller with a CMB (cmb_size_mb=),
 * which nvme registers as p2pmem.  Every test ends with the device's
 * "available" back at its starting value: nothing leaks.
 *
 * With P2PMEM_TEST_DESTRUCTIVE=1 (the test VM sets it) two more cases run:
 * io moves data between p2pmem and an NVMe namespace of the same controller
 * with O_DIRECT (GUP pins of P2PDMA pages; the namespace's first 128 KiB are
 * restored afterwards), and unbind_while_mapped unbinds and rebinds the
 * device's driver.  Without it they skip: do not run them on a machine
 * whose NVMe device holds anything.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <glob.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"

#define NVME_DISK "/dev/nvme0n1"
#define NVME_DISK_PCI "/sys/block/nvme0n1/device/device"

static bool destructive(void)
{
	const char *v = getenv("P2PMEM_TEST_DESTRUCTIVE");

	return v && !strcmp(v, "1");
}

/* Name of the driver bound to the PCI device at @bdf_dir, or "". */
static const char *driver_of(const char *bdf_dir, char *buf, size_t len)
{
	char path[PATH_MAX + 16];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/driver", bdf_dir);
	n = readlink(path, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
	return n > 0 ? strrchr(buf, '/') + 1 : buf;
}

static long read_attr(const char *dir, const char *name)
{
	char path[PATH_MAX], buf[64] = "";
	long val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		val = strtol(buf, NULL, 0);
	fclose(f);
	return val;
}

static void fill(void *p, size_t len, uint64_t seed)
{
	uint64_t *w = p;
	size_t i;

	for (i = 0; i < len / sizeof(*w); i++)
		w[i] = seed ^ (i * 0x9e3779b97f4a7c15ULL);
}

/* Index of the first word that differs from fill(seed), or -1. */
static long check(const void *p, size_t len, uint64_t seed)
{
	const uint64_t *w = p;
	size_t i;

	for (i = 0; i < len / sizeof(*w); i++)
		if (w[i] != (seed ^ (i * 0x9e3779b97f4a7c15ULL)))
			return i;
	return -1;
}

FIXTURE(p2pmem) {
	char dir[PATH_MAX];
	int fd;
	long page;
	long size;
	long avail0;
};

FIXTURE_SETUP(p2pmem)
{
	glob_t g;

	self->fd = -1;
	self->page = sysconf(_SC_PAGESIZE);
	if (glob("/sys/bus/pci/devices/*/p2pmem", 0, NULL, &g) || !g.gl_pathc)
		SKIP(return, "no PCI device with p2pmem");
	snprintf(self->dir, sizeof(self->dir), "%s", g.gl_pathv[0]);
	globfree(&g);

	self->size = read_attr(self->dir, "size");
	self->avail0 = read_attr(self->dir, "available");
	ASSERT_GT(self->size, 0);
	ASSERT_GT(self->avail0, 0);
	ASSERT_LE(self->avail0, self->size);
	ASSERT_EQ(self->avail0 % self->page, 0);
	self->fd = open(strcat(self->dir, "/allocate"), O_RDWR);
	*strrchr(self->dir, '/') = '\0';
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(p2pmem)
{
	if (self->fd < 0)
		return;
	close(self->fd);
	/* Every mapping is gone: every page is back. */
	EXPECT_EQ(read_attr(self->dir, "available"), self->avail0);
}

static void *map(FIXTURE_DATA(p2pmem) *self, size_t len)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
}

/* nvme puts its I/O submission queues in the CMB: pci_alloc_p2pmem(). */
TEST_F(p2pmem, kernel_users)
{
	char bdf[PATH_MAX], drv[PATH_MAX];

	snprintf(bdf, sizeof(bdf), "%s", self->dir);
	*strrchr(bdf, '/') = '\0';
	if (strcmp(driver_of(bdf, drv, sizeof(drv)), "nvme"))
		SKIP(return, "p2pmem provider is not nvme");
	EXPECT_LT(self->avail0, self->size);
}

TEST_F(p2pmem, one_page)
{
	void *p = map(self, self->page);

	ASSERT_NE(p, MAP_FAILED);
	EXPECT_EQ(read_attr(self->dir, "available"), self->avail0 - self->page);
	fill(p, self->page, 1);
	EXPECT_EQ(check(p, self->page, 1), -1);
	ASSERT_EQ(munmap(p, self->page), 0);
	EXPECT_EQ(read_attr(self->dir, "available"), self->avail0);
}

TEST_F(p2pmem, many_pages)
{
	size_t len = self->avail0 / 2 / self->page * self->page;
	void *p = map(self, len);

	ASSERT_NE(p, MAP_FAILED);
	EXPECT_EQ(read_attr(self->dir, "available"), self->avail0 - (long)len);
	fill(p, len, 2);
	EXPECT_EQ(check(p, len, 2), -1);
	ASSERT_EQ(munmap(p, len), 0);
}

/* nvme's queues sit at the bottom (first fit): the rest is one range. */
TEST_F(p2pmem, all_then_one_more)
{
	void *p = map(self, self->avail0), *q;

	ASSERT_NE(p, MAP_FAILED);
	EXPECT_EQ(read_attr(self->dir, "available"), 0);
	q = map(self, self->page);
	EXPECT_EQ(q, MAP_FAILED);
	EXPECT_EQ(errno, ENOMEM);
	if (q != MAP_FAILED)
		munmap(q, self->page);
	fill(p, self->avail0, 3);
	EXPECT_EQ(check(p, self->avail0, 3), -1);
	ASSERT_EQ(munmap(p, self->avail0), 0);
}

TEST_F(p2pmem, more_than_available)
{
	void *p = map(self, self->avail0 + self->page);

	EXPECT_EQ(p, MAP_FAILED);
	EXPECT_EQ(errno, ENOMEM);
	EXPECT_EQ(read_attr(self->dir, "available"), self->avail0);
}

TEST_F(p2pmem, bad_mappings)
{
	void *p;

	p = mmap(NULL, self->page, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		 self->fd, 0);
	EXPECT_EQ(p, MAP_FAILED);
	EXPECT_EQ(errno, EINVAL);
	p = mmap(NULL, self->page, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->fd, self->page);
	EXPECT_EQ(p, MAP_FAILED);
	EXPECT_EQ(errno, EINVAL);
	EXPECT_EQ(read_attr(self->dir, "available"), self->avail0);
}

TEST_F(p2pmem, partial_munmap)
{
	size_t len = 8 * self->page;
	char *p = map(self, len);

	ASSERT_NE(p, MAP_FAILED);
	fill(p, len, 4);
	ASSERT_EQ(munmap(p + 2 * self->page, 4 * self->page), 0);
	EXPECT_EQ(read_attr(self->dir, "available"),
		  self->avail0 - 4 * self->page);
	EXPECT_EQ(check(p, 2 * self->page, 4), -1);
	/* fill() numbers words from the start of the whole range. */
	EXPECT_EQ(((uint64_t *)(p + 6 * self->page))[0],
		  4 ^ (6 * self->page / 8 * 0x9e3779b97f4a7c15ULL));
	ASSERT_EQ(munmap(p, 2 * self->page), 0);
	ASSERT_EQ(munmap(p + 6 * self->page, 2 * self->page), 0);
}

/* Shared pages stay allocated until the last process unmaps them. */
TEST_F(p2pmem, fork)
{
	size_t len = 16 * self->page;
	int go[2], done[2], status;
	char c = 0;
	void *p;
	pid_t pid;

	p = map(self, len);
	ASSERT_NE(p, MAP_FAILED);
	fill(p, len, 5);
	ASSERT_EQ(pipe(go), 0);
	ASSERT_EQ(pipe(done), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		int bad = check(p, len, 5) != -1;

		close(go[1]);
		close(done[0]);

		fill(p, len, 6);
		if (write(done[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			bad = 1;
		/* The parent has unmapped: this process holds every page. */
		if (check(p, len, 6) != -1)
			bad = 1;
		_exit(bad);
	}
	close(go[0]);
	close(done[1]);
	/* An early ASSERT closes go[1] on exit: the child sees EOF. */
	ASSERT_EQ(read(done[0], &c, 1), 1);
	EXPECT_EQ(check(p, len, 6), -1);
	ASSERT_EQ(munmap(p, len), 0);
	EXPECT_EQ(read_attr(self->dir, "available"), self->avail0 - (long)len);
	ASSERT_EQ(write(go[1], &c, 1), 1);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
}

/* O_DIRECT to and from p2pmem: the disk DMAs into its own CMB. */
TEST_F(p2pmem, io)
{
	char bdf[PATH_MAX], a[PATH_MAX], b[PATH_MAX];
	size_t len = 64 * 1024;
	void *p, *sys, *saved;
	int disk;

	if (!destructive())
		SKIP(return, "writes " NVME_DISK ": P2PMEM_TEST_DESTRUCTIVE=1");
	snprintf(bdf, sizeof(bdf), "%s", self->dir);
	*strrchr(bdf, '/') = '\0';
	if (!realpath(NVME_DISK_PCI, a) || !realpath(bdf, b) || strcmp(a, b))
		SKIP(return, NVME_DISK " is not on the p2pmem device");
	disk = open(NVME_DISK, O_RDWR | O_DIRECT);
	ASSERT_GE(disk, 0);
	p = map(self, 2 * len);
	ASSERT_NE(p, MAP_FAILED);
	ASSERT_EQ(posix_memalign(&sys, 4096, len), 0);
	ASSERT_EQ(posix_memalign(&saved, 4096, 2 * len), 0);
	ASSERT_EQ(pread(disk, saved, 2 * len, 0), (ssize_t)(2 * len));

	fill(p, len, 7);
	ASSERT_EQ(pwrite(disk, p, len, 0), (ssize_t)len);
	ASSERT_EQ(pread(disk, sys, len, 0), (ssize_t)len);
	EXPECT_EQ(check(sys, len, 7), -1);

	fill(sys, len, 8);
	ASSERT_EQ(pwrite(disk, sys, len, len), (ssize_t)len);
	ASSERT_EQ(pread(disk, (char *)p + len, len, len), (ssize_t)len);
	EXPECT_EQ(check((char *)p + len, len, 8), -1);

	EXPECT_EQ(pwrite(disk, saved, 2 * len, 0), (ssize_t)(2 * len));
	free(saved);
	free(sys);
	close(disk);
	ASSERT_EQ(munmap(p, 2 * len), 0);
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ret;

	if (fd < 0)
		return -1;
	ret = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
	close(fd);
	return ret;
}

/*
 * Unbinding the driver tears the p2pmem down with a page still mapped: the
 * mapping is zapped first (a later access gets SIGBUS), so the pgmap's
 * last reference goes and the unbind completes.  Rebinding brings the
 * device back with all its memory.  Last: it replaces the device.
 */
TEST_F(p2pmem, unbind_while_mapped)
{
	char bdf[PATH_MAX], path[PATH_MAX + 64], drv[PATH_MAX];
	const char *name;
	int status, i;
	struct stat st;
	void *p;
	pid_t pid;

	if (!destructive())
		SKIP(return, "unbinds the device: P2PMEM_TEST_DESTRUCTIVE=1");
	snprintf(bdf, sizeof(bdf), "%s", self->dir);
	*strrchr(bdf, '/') = '\0';
	name = driver_of(bdf, drv, sizeof(drv));
	ASSERT_NE(name[0], '\0');
	snprintf(path, sizeof(path), "%s/driver/unbind", bdf);
	p = map(self, self->page);
	ASSERT_NE(p, MAP_FAILED);
	fill(p, self->page, 9);
	close(self->fd);
	self->fd = -1;

	ASSERT_EQ(write_str(path, strrchr(bdf, '/') + 1), 0);
	EXPECT_NE(stat(self->dir, &st), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		_exit(check(p, self->page, 9) == -1 ? 1 : 2);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS);
	ASSERT_EQ(munmap(p, self->page), 0);

	/*
	 * A leaked page reference would hang the unbind above in
	 * memunmap_pages(), uninterruptibly: the VM's timeout catches that.
	 */
	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/bind", name);
	ASSERT_EQ(write_str(path, strrchr(bdf, '/') + 1), 0);
	/* Probing may finish asynchronously for some drivers. */
	for (i = 0; i < 100 && read_attr(self->dir, "available") < 0; i++)
		usleep(100 * 1000);
	EXPECT_EQ(read_attr(self->dir, "size"), self->size);
	EXPECT_EQ(read_attr(self->dir, "available"), self->avail0);
}

TEST_HARNESS_MAIN
