// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input to every test_hmm ioctl: misaligned, empty, wrapping and
 * oversized ranges, unmapped and kernel addresses, bad user buffers, a bad
 * argument pointer and unknown commands.  Structural errors must give
 * EINVAL; a range or buffer the kernel cannot use must give an errno, or
 * nothing at all for the commands that only look at a range.  The console's
 * splat scan catches any WARN or BUG on the way, the last case any
 * allocation warning.  After the sweep the device must still migrate and
 * read back a page.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "test_hmm_uapi.h"
#include "kselftest_harness.h"

#define KERNEL_ADDR	0xffffffff81000000ULL

/* Commands that take a struct hmm_dmirror_cmd naming a range. */
static const struct {
	unsigned long req;
	const char *name;
	bool range_only;	/* may succeed on a hole: it only looks */
} cmds[] = {
	{ HMM_DMIRROR_READ, "READ", false },
	{ HMM_DMIRROR_WRITE, "WRITE", false },
	{ HMM_DMIRROR_MIGRATE_TO_DEV, "MIGRATE_TO_DEV", false },
	{ HMM_DMIRROR_MIGRATE_TO_SYS, "MIGRATE_TO_SYS", true },
	{ HMM_DMIRROR_SNAPSHOT, "SNAPSHOT", true },
	{ HMM_DMIRROR_EXCLUSIVE, "EXCLUSIVE", false },
	{ HMM_DMIRROR_CHECK_EXCLUSIVE, "CHECK_EXCLUSIVE", true },
	{ HMM_DMIRROR_RELEASE, "RELEASE", true },
	{ HMM_DMIRROR_READ_UNLOCKED, "READ_UNLOCKED", false },
};

FIXTURE(badinput) {
	int fd;
	long page;
	char *buf;	/* 4 mapped pages */
	char *hole;	/* 4 unmapped pages */
	char *out;	/* the commands' user buffer, 8 pages */
};

FIXTURE_SETUP(badinput)
{
	self->fd = open("/dev/hmm_dmirror0", O_RDWR);
	if (self->fd < 0)
		SKIP(return, "no test_hmm device: %s", strerror(errno));
	self->page = sysconf(_SC_PAGESIZE);
	self->buf = mmap(NULL, 8 * self->page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(self->buf, MAP_FAILED);
	memset(self->buf, 0x5a, 4 * self->page);
	self->hole = self->buf + 4 * self->page;
	ASSERT_EQ(munmap(self->hole, 4 * self->page), 0);
	self->out = malloc(8 * self->page);
	ASSERT_NE(self->out, NULL);
}

FIXTURE_TEARDOWN(badinput)
{
	if (self->fd < 0)
		return;
	munmap(self->buf, 4 * self->page);
	free(self->out);
	close(self->fd);
}

/* Returns 0 or the errno of the ioctl. */
static int dmirror(int fd, unsigned long req, uint64_t addr, uint64_t ptr,
		   uint64_t npages)
{
	struct hmm_dmirror_cmd cmd = {
		.addr = addr, .ptr = ptr, .npages = npages,
	};

	return ioctl(fd, req, &cmd) ? errno : 0;
}

TEST_F(badinput, malformed_ranges)
{
	uint64_t buf = (uintptr_t)self->buf, out = (uintptr_t)self->out;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		TH_LOG("%s", cmds[i].name);
		EXPECT_EQ(dmirror(self->fd, cmds[i].req, buf + 1, out, 1), EINVAL);
		EXPECT_EQ(dmirror(self->fd, cmds[i].req, buf, out, 0), EINVAL);
		/* addr + size wraps around */
		EXPECT_EQ(dmirror(self->fd, cmds[i].req, -(uint64_t)self->page,
				  out, 2), EINVAL);
		/* npages << PAGE_SHIFT is 0 */
		EXPECT_EQ(dmirror(self->fd, cmds[i].req, buf, out,
				  1ULL << (64 - __builtin_ctzl(self->page))),
			  EINVAL);
	}
}

/*
 * A range the kernel cannot use fails, except for the commands that only
 * look at it, which may also report it as empty (or, CHECK_EXCLUSIVE, as
 * not exclusive).
 */
static bool unusable_ok(int err, bool range_only)
{
	bool ok = range_only ? err == 0 || err == EINVAL || err == EFAULT ||
			       err == ENOENT || err == ENOMEM || err == EPERM :
			       err != 0;

	if (!ok)
		ksft_print_msg("unexpected result: %s\n", strerror(err));
	return ok;
}

TEST_F(badinput, unusable_ranges)
{
	uint64_t hole = (uintptr_t)self->hole, out = (uintptr_t)self->out;
	uint64_t buf = (uintptr_t)self->buf;
	unsigned int i;
	bool ro;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		TH_LOG("%s", cmds[i].name);
		ro = cmds[i].range_only;
		EXPECT_TRUE(unusable_ok(dmirror(self->fd, cmds[i].req, hole,
						out, 4), ro));
		EXPECT_TRUE(unusable_ok(dmirror(self->fd, cmds[i].req,
						KERNEL_ADDR, out, 1), ro));
		/* runs off the end of the mapping into the hole */
		EXPECT_TRUE(unusable_ok(dmirror(self->fd, cmds[i].req, buf,
						out, 8), ro));
		/* larger than memory, and nowhere to put it */
		EXPECT_TRUE(unusable_ok(dmirror(self->fd, cmds[i].req, buf,
						0, 1ULL << 30), ro));
	}
}

TEST_F(badinput, bad_user_buffers)
{
	uint64_t buf = (uintptr_t)self->buf;

	EXPECT_EQ(dmirror(self->fd, HMM_DMIRROR_READ, buf, 0, 4), EFAULT);
	EXPECT_EQ(dmirror(self->fd, HMM_DMIRROR_READ, buf, KERNEL_ADDR, 4), EFAULT);
	EXPECT_EQ(dmirror(self->fd, HMM_DMIRROR_WRITE, buf, 0, 4), EFAULT);
	EXPECT_EQ(dmirror(self->fd, HMM_DMIRROR_WRITE, buf, KERNEL_ADDR, 4), EFAULT);
	EXPECT_EQ(dmirror(self->fd, HMM_DMIRROR_SNAPSHOT, buf, KERNEL_ADDR, 4), EFAULT);
	/* The data did not change on the way. */
	EXPECT_EQ(self->buf[0], 0x5a);
	EXPECT_EQ(self->buf[4 * self->page - 1], 0x5a);
}

TEST_F(badinput, bad_arguments)
{
	struct hmm_dmirror_reclaim rc = { .flags = 1 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		EXPECT_EQ(ioctl(self->fd, cmds[i].req, NULL), -1);
		EXPECT_EQ(errno, EFAULT);
		EXPECT_EQ(ioctl(self->fd, cmds[i].req, (void *)KERNEL_ADDR), -1);
		EXPECT_EQ(errno, EFAULT);
	}
	EXPECT_EQ(ioctl(self->fd, HMM_DMIRROR_STATS, NULL), -1);
	EXPECT_EQ(errno, EFAULT);
	EXPECT_EQ(ioctl(self->fd, HMM_DMIRROR_RECLAIM, NULL), -1);
	EXPECT_EQ(errno, EFAULT);
	EXPECT_EQ(ioctl(self->fd, HMM_DMIRROR_RECLAIM, &rc), -1);
	EXPECT_EQ(errno, EINVAL);
	EXPECT_EQ(ioctl(self->fd, _IOWR('H', 0x7f, struct hmm_dmirror_cmd), &rc), -1);
	EXPECT_TRUE(errno == EINVAL || errno == ENOTTY);
}

/* After all of it the device still works. */
TEST_F(badinput, device_still_works)
{
	uint64_t buf = (uintptr_t)self->buf, out = (uintptr_t)self->out;

	ASSERT_EQ(dmirror(self->fd, HMM_DMIRROR_MIGRATE_TO_DEV, buf, out, 4), 0);
	memset(self->out, 0, 4 * self->page);
	ASSERT_EQ(dmirror(self->fd, HMM_DMIRROR_READ, buf, out, 4), 0);
	EXPECT_EQ(self->out[0], 0x5a);
	EXPECT_EQ(self->out[4 * self->page - 1], 0x5a);
	ASSERT_EQ(dmirror(self->fd, HMM_DMIRROR_MIGRATE_TO_SYS, buf, 0, 4), 0);
	EXPECT_EQ(self->buf[4 * self->page - 1], 0x5a);
}

/*
 * Runs last: none of the above may make the kernel warn about an
 * allocation that userspace sized (the task name is in the warning).
 */
TEST_F(badinput, no_allocation_warnings)
{
	int kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	char rec[8192];
	int warnings = 0;
	ssize_t n;

	ASSERT_GE(kmsg, 0);
	while ((n = read(kmsg, rec, sizeof(rec) - 1)) > 0 || errno == EPIPE) {
		if (n <= 0)
			continue;	/* overwritten record */
		rec[n] = 0;
		if (strstr(rec, "hmm-badinput") &&
		    (strstr(rec, "allocation failure") ||
		     strstr(rec, "vmalloc error"))) {
			TH_LOG("%s", strchr(rec, ';') + 1);
			warnings++;
		}
	}
	close(kmsg);
	EXPECT_EQ(warnings, 0);
}

TEST_HARNESS_MAIN
