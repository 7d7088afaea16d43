// SPDX-License-Identifier: GPL-2.0
/*
 * An LD_PRELOAD stand-in for nouveau SVM, so that the cases of svm_cases.c
 * run here, without a GPU, against a device that behaves as the kernel is
 * meant to. It checks the cases' own logic (ranges, expected placements,
 * fork and thread plumbing), not the kernel.
 *
 * With SVM_FAKE_DEVICE=<regular file>, an fd open on that file is a nouveau
 * node: DRM_IOCTL_VERSION says "nouveau", SVM_INIT and SVM_BIND follow
 * nouveau_svmm_init() and nouveau_svmm_bind(). "Migrating" a page makes it
 * PROT_NONE and /proc/self/pagemap reads show it swap-type, as a
 * device-private entry; touching it faults it "back" (SIGSEGV handler). A
 * 2 MiB aligned run of a THP VMA moves and comes back as one unit, and is
 * split by a partial munmap, as an order-9 device folio is. No dmem debugfs.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "svm_core.h"

#define MAX_UNITS	16384
#define MAX_FDS		1024

struct unit {
	uintptr_t start;
	size_t len;
};

static struct unit units[MAX_UNITS];
static size_t nr_units;
static char units_lock;
static char fake_path[4096];
static bool svm_inited[MAX_FDS];
static size_t page;

static int (*real_ioctl)(int, unsigned long, ...);
static int (*real_munmap)(void *, size_t);
static int (*real_close)(int);
static ssize_t (*real_pread)(int, void *, size_t, off_t);
static ssize_t (*real_pread64)(int, void *, size_t, off_t);

static void lock(void)
{
	while (__atomic_test_and_set(&units_lock, __ATOMIC_ACQUIRE))
		;
}

static void unlock(void)
{
	__atomic_clear(&units_lock, __ATOMIC_RELEASE);
}

static struct unit *find_unit(uintptr_t addr)
{
	size_t i;

	for (i = 0; i < nr_units; i++)
		if (units[i].start <= addr && addr < units[i].start + units[i].len)
			return &units[i];
	return NULL;
}

static void del_unit(struct unit *u)
{
	*u = units[--nr_units];
}

static bool add_unit(uintptr_t start, size_t len)
{
	if (nr_units == MAX_UNITS)
		return false;
	units[nr_units].start = start;
	units[nr_units].len = len;
	nr_units++;
	return true;
}

/* A CPU fault on a device page: the whole unit comes back. */
static void segv(int sig, siginfo_t *si, void *ctx)
{
	uintptr_t addr = (uintptr_t)si->si_addr;
	struct unit *u;

	(void)ctx;
	lock();
	u = find_unit(addr);
	if (u) {
		mprotect((void *)u->start, u->len, PROT_READ | PROT_WRITE);
		del_unit(u);
		unlock();
		return;
	}
	unlock();
	signal(sig, SIG_DFL);
}

__attribute__((constructor))
static void init(void)
{
	const char *p = getenv("SVM_FAKE_DEVICE");
	struct sigaction sa;

	real_ioctl = dlsym(RTLD_NEXT, "ioctl");
	real_munmap = dlsym(RTLD_NEXT, "munmap");
	real_close = dlsym(RTLD_NEXT, "close");
	real_pread = dlsym(RTLD_NEXT, "pread");
	real_pread64 = dlsym(RTLD_NEXT, "pread64");
	page = sysconf(_SC_PAGESIZE);
	if (!p || !realpath(p, fake_path)) {
		fake_path[0] = '\0';
		return;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = segv;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
}

static bool fd_is(int fd, const char *path)
{
	char link[64], target[4096];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	return !strcmp(target, path);
}

static bool fd_is_pagemap(int fd)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/pagemap", getpid());
	return fd_is(fd, path);
}

static bool is_mapped(uintptr_t addr)
{
	unsigned char vec;

	return mincore((void *)addr, page, &vec) == 0;
}

/* As nouveau_dmem_migrate_vma(): THP runs move whole, the rest by page. */
static void migrate(uintptr_t start, uintptr_t end)
{
	size_t thp = svm_thp_size();
	uintptr_t a = start;

	lock();
	while (a < end) {
		struct svm_vma vma;
		size_t len = page;

		if (!is_mapped(a) || find_unit(a)) {
			a += page;
			continue;
		}
		if (a % thp == 0 && a + thp <= end && !find_unit(a + thp - 1) &&
		    !svm_vma_info((void *)a, &vma) && strstr(vma.flags, "hg") &&
		    vma.anon_huge_kb && a + thp <= vma.end)
			len = thp;
		if (!mprotect((void *)a, len, PROT_NONE) && !add_unit(a, len))
			mprotect((void *)a, len, PROT_READ | PROT_WRITE);
		a += len;
	}
	unlock();
}

static int svm_bind_ioctl(int fd, struct drm_nouveau_svm_bind *args)
{
	uint64_t cmd, target;

	args->va_start &= ~(uint64_t)(page - 1);
	args->va_end = (args->va_end + page - 1) & ~(uint64_t)(page - 1);
	cmd = args->header >> NOUVEAU_SVM_BIND_COMMAND_SHIFT &
	      NOUVEAU_SVM_BIND_COMMAND_MASK;
	target = args->header >> NOUVEAU_SVM_BIND_TARGET_SHIFT &
		 NOUVEAU_SVM_BIND_TARGET_MASK;
	if (args->reserved0 || args->reserved1 ||
	    args->header & ~NOUVEAU_SVM_BIND_VALID_MASK ||
	    args->va_start >= args->va_end ||
	    cmd != NOUVEAU_SVM_BIND_COMMAND__MIGRATE ||
	    target != NOUVEAU_SVM_BIND_TARGET__GPU_VRAM || args->stride ||
	    fd >= MAX_FDS || !svm_inited[fd]) {
		errno = EINVAL;
		return -1;
	}
	migrate(args->va_start, args->va_end);
	args->result = 0;
	return 0;
}

int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!fake_path[0] || !fd_is(fd, fake_path))
		return real_ioctl(fd, request, arg);

	if (request == DRM_IOCTL_VERSION) {
		struct drm_version *v = arg;

		strncpy(v->name, "nouveau", v->name_len);
		v->name_len = strlen("nouveau");
		return 0;
	}
	if (request == DRM_IOCTL_NOUVEAU_SVM_INIT) {
		if (fd >= MAX_FDS || svm_inited[fd]) {
			errno = EBUSY;
			return -1;
		}
		svm_inited[fd] = true;
		return 0;
	}
	if (request == DRM_IOCTL_NOUVEAU_SVM_BIND)
		return svm_bind_ioctl(fd, arg);
	errno = ENOTTY;
	return -1;
}

int close(int fd)
{
	if (fd >= 0 && fd < MAX_FDS)
		svm_inited[fd] = false;
	return real_close(fd);
}

/* Unmapped device pages are freed; a unit cut in part splits into pages. */
int munmap(void *addr, size_t len)
{
	uintptr_t s = (uintptr_t)addr, e = s + len;
	int ret = real_munmap(addr, len);
	size_t i = 0;

	if (ret || !fake_path[0])
		return ret;
	lock();
	while (i < nr_units) {
		struct unit u = units[i];
		uintptr_t a;

		if (u.start + u.len <= s || u.start >= e) {
			i++;
			continue;
		}
		del_unit(&units[i]);
		for (a = u.start; a < u.start + u.len; a += page)
			if (a < s || a >= e)
				add_unit(a, page);
	}
	unlock();
	return 0;
}

static void fake_pagemap(int fd, void *buf, ssize_t n, off_t off)
{
	uint64_t *pm = buf;
	ssize_t i;

	if (n <= 0 || !fake_path[0] || !fd_is_pagemap(fd))
		return;
	lock();
	for (i = 0; i < n / 8; i++) {
		uintptr_t addr = (uintptr_t)(off / 8 + i) * page;

		if (find_unit(addr))
			pm[i] = SVM_PM_SWAP | 0x1e;
	}
	unlock();
}

ssize_t pread(int fd, void *buf, size_t count, off_t off)
{
	ssize_t n = real_pread(fd, buf, count, off);

	fake_pagemap(fd, buf, n, off);
	return n;
}

ssize_t pread64(int fd, void *buf, size_t count, off_t off)
{
	ssize_t n = real_pread64(fd, buf, count, off);

	fake_pagemap(fd, buf, n, off);
	return n;
}
