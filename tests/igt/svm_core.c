// SPDX-License-Identifier: MIT
/*
 * Plain-C helpers for the nouveau SVM tests; see svm_core.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "svm_core.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- device ---- */

static int svm_drm_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	/* As libdrm's drmIoctl(): a signal or a busy GPU is not an answer. */
	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret ? -errno : 0;
}

bool svm_is_nouveau(int fd)
{
	char name[32];
	struct drm_version v;

	memset(name, 0, sizeof(name));
	memset(&v, 0, sizeof(v));
	v.name = name;
	v.name_len = sizeof(name) - 1;
	if (svm_drm_ioctl(fd, DRM_IOCTL_VERSION, &v))
		return false;
	return strcmp(name, "nouveau") == 0;
}

int svm_find_nouveau(const char *dir, char *path, size_t path_len,
		     char *why, size_t why_len)
{
	static const struct {
		const char *name;
		int first;
	} nodes[] = {
		{ "renderD", 128 },
		{ "card", 0 },
	};
	unsigned int seen = 0, denied = 0;
	size_t n;
	int i;

	for (n = 0; n < ARRAY_LEN(nodes); n++) {
		for (i = nodes[n].first; i < nodes[n].first + 64; i++) {
			int fd;

			snprintf(path, path_len, "%s/%s%d", dir, nodes[n].name, i);
			fd = open(path, O_RDWR | O_CLOEXEC);
			if (fd < 0) {
				if (errno == EACCES || errno == EPERM) {
					seen++;
					denied++;
				}
				continue;
			}
			seen++;
			if (svm_is_nouveau(fd))
				return fd;
			close(fd);
		}
	}
	path[0] = '\0';
	if (!seen) {
		snprintf(why, why_len, "no nouveau device: no DRM node in %s",
			 dir);
		return -ENODEV;
	}
	if (denied == seen) {
		snprintf(why, why_len,
			 "no nouveau device: %u DRM node(s) in %s, permission denied",
			 seen, dir);
		return -EACCES;
	}
	snprintf(why, why_len,
		 "no nouveau device among %u DRM node(s) in %s", seen, dir);
	return -ENODEV;
}

int svm_reopen(int fd)
{
	char path[64];
	int nfd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	nfd = open(path, O_RDWR | O_CLOEXEC);
	return nfd < 0 ? -errno : nfd;
}

/* ---- SVM ioctls ---- */

int svm_window_reserve(struct svm_window *w)
{
	int err = ENOMEM;
	uint64_t k;

	w->addr = NULL;
	w->size = 0;
	for (k = 1; k <= 64; k++) {
		uintptr_t want = (uintptr_t)(k * SVM_WINDOW_SIZE);
		void *p = mmap((void *)want, SVM_WINDOW_SIZE, PROT_NONE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
			       MAP_FIXED_NOREPLACE, -1, 0);

		if (p == MAP_FAILED) {
			err = errno;
			continue;
		}
		/* Kernels before 4.17 take the address as a hint only. */
		if ((uintptr_t)p != want) {
			munmap(p, SVM_WINDOW_SIZE);
			continue;
		}
		w->addr = p;
		w->size = SVM_WINDOW_SIZE;
		return 0;
	}
	return -err;
}

void svm_window_release(struct svm_window *w)
{
	if (w->addr)
		munmap(w->addr, w->size);
	w->addr = NULL;
	w->size = 0;
}

int svm_ioctl_init(int fd, uint64_t addr, uint64_t size)
{
	struct drm_nouveau_svm_init args = {
		.unmanaged_addr = addr,
		.unmanaged_size = size,
	};

	return svm_drm_ioctl(fd, DRM_IOCTL_NOUVEAU_SVM_INIT, &args);
}

int svm_client_open(int base_fd, struct svm_client *c, char *why, size_t len)
{
	int ret;

	memset(&c->window, 0, sizeof(c->window));
	c->fd = svm_reopen(base_fd);
	if (c->fd < 0) {
		ret = c->fd;
		snprintf(why, len, "reopening the DRM device: %s",
			 strerror(-ret));
		return ret;
	}
	ret = svm_window_reserve(&c->window);
	if (ret) {
		snprintf(why, len, "reserving the unmanaged window: %s",
			 strerror(-ret));
		goto err;
	}
	ret = svm_ioctl_init(c->fd, (uintptr_t)c->window.addr,
			     c->window.size);
	if (ret == -ENOSYS) {
		snprintf(why, len,
			 "DRM_IOCTL_NOUVEAU_SVM_INIT: ENOSYS: SVM is disabled or the GPU is not supported (nouveau enables SVM on Pascal only)");
		goto err;
	}
	if (ret) {
		snprintf(why, len, "DRM_IOCTL_NOUVEAU_SVM_INIT: %s",
			 strerror(-ret));
		goto err;
	}
	return 0;
err:
	svm_client_close(c);
	return ret;
}

void svm_client_close(struct svm_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	svm_window_release(&c->window);
}

uint64_t svm_bind_header(uint64_t command, uint64_t priority, uint64_t target)
{
	return command << NOUVEAU_SVM_BIND_COMMAND_SHIFT |
	       priority << NOUVEAU_SVM_BIND_PRIORITY_SHIFT |
	       target << NOUVEAU_SVM_BIND_TARGET_SHIFT;
}

void svm_bind_args(struct drm_nouveau_svm_bind *args, const void *addr,
		   size_t len)
{
	memset(args, 0, sizeof(*args));
	args->header = svm_bind_header(NOUVEAU_SVM_BIND_COMMAND__MIGRATE, 0,
				       NOUVEAU_SVM_BIND_TARGET__GPU_VRAM);
	args->va_start = (uintptr_t)addr;
	args->va_end = (uintptr_t)addr + len;
	args->npages = len / svm_page_size();
}

int svm_bind(int fd, struct drm_nouveau_svm_bind *args)
{
	return svm_drm_ioctl(fd, DRM_IOCTL_NOUVEAU_SVM_BIND, args);
}

int svm_bind_migrate(int fd, const void *addr, size_t len)
{
	struct drm_nouveau_svm_bind args;

	svm_bind_args(&args, addr, len);
	return svm_bind(fd, &args);
}

int svm_bind_expected(const struct drm_nouveau_svm_bind *args, bool have_svm)
{
	uint64_t mask = svm_page_size() - 1;
	uint64_t start = args->va_start & ~mask;
	uint64_t end = (args->va_end + mask) & ~mask;
	uint64_t cmd, target;

	if (args->reserved0 || args->reserved1)
		return -EINVAL;
	if (args->header & ~NOUVEAU_SVM_BIND_VALID_MASK)
		return -EINVAL;
	if (start >= end)
		return -EINVAL;
	cmd = args->header >> NOUVEAU_SVM_BIND_COMMAND_SHIFT &
	      NOUVEAU_SVM_BIND_COMMAND_MASK;
	if (cmd != NOUVEAU_SVM_BIND_COMMAND__MIGRATE)
		return -EINVAL;
	target = args->header >> NOUVEAU_SVM_BIND_TARGET_SHIFT &
		 NOUVEAU_SVM_BIND_TARGET_MASK;
	if (target != NOUVEAU_SVM_BIND_TARGET__GPU_VRAM)
		return -EINVAL;
	if (args->stride)
		return -EINVAL;
	if (!have_svm)
		return -EINVAL;
	return 0;
}

static const char *const invalid_binds[] = {
	"reserved0 set",
	"reserved1 set",
	"header bit 48 set",
	"header bit 63 set",
	"empty range",
	"va_end below va_start",
	"command 1",
	"command 255",
	"target 0 (system memory)",
	"target GPU_VRAM + 1",
	"stride 1",
	"stride of one page",
};

size_t svm_bind_invalid_count(void)
{
	return ARRAY_LEN(invalid_binds);
}

const char *svm_bind_invalid(size_t i, const struct drm_nouveau_svm_bind *valid,
			     struct drm_nouveau_svm_bind *out)
{
	*out = *valid;
	switch (i) {
	case 0:
		out->reserved0 = 1;
		break;
	case 1:
		out->reserved1 = 1;
		break;
	case 2:
		out->header |= 1ULL << NOUVEAU_SVM_BIND_VALID_BITS;
		break;
	case 3:
		out->header |= 1ULL << 63;
		break;
	case 4:
		out->va_end = out->va_start;
		break;
	case 5:
		out->va_start = valid->va_end;
		out->va_end = valid->va_start;
		break;
	case 6:
		out->header = svm_bind_header(1, 0,
					      NOUVEAU_SVM_BIND_TARGET__GPU_VRAM);
		break;
	case 7:
		out->header = svm_bind_header(255, 0,
					      NOUVEAU_SVM_BIND_TARGET__GPU_VRAM);
		break;
	case 8:
		out->header = svm_bind_header(NOUVEAU_SVM_BIND_COMMAND__MIGRATE,
					      0, 0);
		break;
	case 9:
		out->header = svm_bind_header(NOUVEAU_SVM_BIND_COMMAND__MIGRATE,
					      0,
					      NOUVEAU_SVM_BIND_TARGET__GPU_VRAM + 1);
		break;
	case 10:
		out->stride = 1;
		break;
	case 11:
		out->stride = svm_page_size();
		break;
	default:
		return NULL;
	}
	return invalid_binds[i];
}

/* ---- /proc/self/pagemap ---- */

void svm_pme_decode(uint64_t v, struct svm_pme *pme)
{
	memset(pme, 0, sizeof(*pme));
	pme->present = v & SVM_PM_PRESENT;
	pme->swap = v & SVM_PM_SWAP;
	pme->file = v & SVM_PM_FILE;
	pme->exclusive = v & SVM_PM_EXCLUSIVE;
	pme->soft_dirty = v & SVM_PM_SOFT_DIRTY;
	pme->guard = v & SVM_PM_GUARD;
	if (pme->present) {
		pme->pfn = v & SVM_PM_PFN_MASK;
	} else if (pme->swap) {
		pme->swap_type = v & ((1U << SVM_PM_SWAP_TYPE_BITS) - 1);
		pme->swap_offset = (v & SVM_PM_PFN_MASK) >> SVM_PM_SWAP_TYPE_BITS;
	}
}

enum svm_page_state svm_pme_state(uint64_t v)
{
	struct svm_pme pme;

	svm_pme_decode(v, &pme);
	if (pme.present)
		return SVM_PAGE_RAM;
	/* A guard region marker is swap-type too, but holds no data. */
	if (pme.swap && !pme.guard)
		return SVM_PAGE_SWAP;
	return SVM_PAGE_NONE;
}

const char *svm_page_state_name(enum svm_page_state s)
{
	switch (s) {
	case SVM_PAGE_NONE:
		return "not populated";
	case SVM_PAGE_RAM:
		return "present (system memory)";
	case SVM_PAGE_SWAP:
		return "swap-type (device private)";
	}
	return "?";
}

int svm_pagemap_read(const void *addr, size_t npages, uint64_t *out)
{
	size_t want = npages * sizeof(*out), done = 0;
	off_t off = (off_t)((uintptr_t)addr / svm_page_size()) * sizeof(*out);
	int fd, err = 0;

	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (done < want) {
		ssize_t n = pread(fd, (char *)out + done, want - done,
				  off + done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? errno : EIO;
			break;
		}
		done += n;
	}
	close(fd);
	return -err;
}

int svm_pagemap_count(const void *addr, size_t npages,
		      struct svm_page_count *count)
{
	uint64_t *pm = calloc(npages ? npages : 1, sizeof(*pm));
	size_t i;
	int ret;

	memset(count, 0, sizeof(*count));
	if (!pm)
		return -ENOMEM;
	ret = svm_pagemap_read(addr, npages, pm);
	for (i = 0; !ret && i < npages; i++) {
		switch (svm_pme_state(pm[i])) {
		case SVM_PAGE_NONE:
			count->none++;
			break;
		case SVM_PAGE_RAM:
			count->ram++;
			break;
		case SVM_PAGE_SWAP:
			count->swap++;
			break;
		}
	}
	free(pm);
	return ret;
}

int svm_pagemap_expect(const void *addr, size_t npages,
		       enum svm_page_state want, size_t *bad,
		       enum svm_page_state *got)
{
	uint64_t *pm = calloc(npages ? npages : 1, sizeof(*pm));
	size_t i;
	int ret;

	if (!pm)
		return -ENOMEM;
	ret = svm_pagemap_read(addr, npages, pm);
	for (i = 0; !ret && i < npages; i++) {
		enum svm_page_state s = svm_pme_state(pm[i]);

		if (s != want) {
			*bad = i;
			*got = s;
			ret = 1;
		}
	}
	free(pm);
	return ret;
}

/* ---- data patterns ---- */

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

uint64_t svm_pattern_word(uintptr_t addr, uint64_t seed)
{
	return mix64((uint64_t)addr ^ mix64(seed + 0x9e3779b97f4a7c15ULL));
}

uint8_t svm_pattern_byte(uintptr_t addr, uint64_t seed)
{
	uint64_t w = svm_pattern_word(addr & ~(uintptr_t)7, seed);
	uint8_t b[8];

	memcpy(b, &w, sizeof(b));
	return b[addr & 7];
}

/*
 * Word by word through volatile pointers: every page must really be touched,
 * since touching is what faults device pages back (or writes them in RAM).
 * @buf is 8-byte aligned and @len a multiple of 8.
 */
void svm_pattern_fill(void *buf, size_t len, uint64_t seed)
{
	volatile uint64_t *p = buf;
	size_t i;

	for (i = 0; i < len / sizeof(*p); i++)
		p[i] = svm_pattern_word((uintptr_t)&p[i], seed);
}

ssize_t svm_pattern_check(const void *buf, size_t len, uint64_t seed)
{
	const volatile uint64_t *p = buf;
	size_t i, b;

	for (i = 0; i < len / sizeof(*p); i++) {
		uint64_t want = svm_pattern_word((uintptr_t)&p[i], seed);
		uint64_t got = p[i];
		uint8_t gb[8], wb[8];

		if (got == want)
			continue;
		memcpy(gb, &got, sizeof(gb));
		memcpy(wb, &want, sizeof(wb));
		for (b = 0; b < sizeof(gb) && gb[b] == wb[b]; b++)
			;
		return i * sizeof(*p) + b;
	}
	return -1;
}

/* ---- buffers ---- */

static int read_text(const char *path, char *buf, size_t len)
{
	size_t done = 0;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (done < len - 1) {
		ssize_t n = read(fd, buf + done, len - 1 - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err = errno;
		if (n <= 0)
			break;
		done += n;
	}
	close(fd);
	buf[done] = '\0';
	return -err;
}

size_t svm_page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

size_t svm_thp_size(void)
{
	char buf[32];
	unsigned long v;

	if (read_text("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size",
		      buf, sizeof(buf)) == 0) {
		v = strtoul(buf, NULL, 10);
		if (v)
			return v;
	}
	return 2UL << 20;
}

int svm_thp_mode(char *mode, size_t len)
{
	char buf[128], *open_b, *close_b;
	int ret;

	ret = read_text("/sys/kernel/mm/transparent_hugepage/enabled", buf,
			sizeof(buf));
	if (ret)
		return ret;
	open_b = strchr(buf, '[');
	close_b = open_b ? strchr(open_b, ']') : NULL;
	if (!close_b)
		return -EINVAL;
	*close_b = '\0';
	snprintf(mode, len, "%s", open_b + 1);
	return 0;
}

int svm_buf_alloc(struct svm_buf *b, size_t len, size_t align, int advice)
{
	size_t ps = svm_page_size(), map_len;
	uintptr_t p, a;
	void *m;

	b->ptr = NULL;
	b->len = 0;
	if (!len || len % ps || align < ps || (align & (align - 1)))
		return -EINVAL;
	map_len = len + align - ps;
	m = mmap(NULL, map_len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -errno;
	p = (uintptr_t)m;
	a = (p + align - 1) & ~(uintptr_t)(align - 1);
	if (a > p)
		munmap(m, a - p);
	if (p + map_len > a + len)
		munmap((void *)(a + len), p + map_len - (a + len));
	if (advice && madvise((void *)a, len, advice)) {
		int err = errno;

		if (advice != MADV_NOHUGEPAGE || err != EINVAL) {
			munmap((void *)a, len);
			return -err;
		}
	}
	b->ptr = (void *)a;
	b->len = len;
	return 0;
}

void svm_buf_free(struct svm_buf *b)
{
	if (b->ptr)
		munmap(b->ptr, b->len);
	b->ptr = NULL;
	b->len = 0;
}

int svm_vma_info(const void *addr, struct svm_vma *vma)
{
	uintptr_t a = (uintptr_t)addr;
	char *line = NULL;
	size_t cap = 0;
	bool in = false, found = false;
	FILE *f;

	memset(vma, 0, sizeof(*vma));
	f = fopen("/proc/self/smaps", "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		unsigned long start, end, kb;
		char c;

		if (sscanf(line, "%lx-%lx %c", &start, &end, &c) == 3) {
			if (in)
				break;
			in = start <= a && a < end;
			if (in) {
				found = true;
				vma->start = start;
				vma->end = end;
			}
			continue;
		}
		if (!in)
			continue;
		if (sscanf(line, "AnonHugePages: %lu kB", &kb) == 1)
			vma->anon_huge_kb = kb;
		if (!strncmp(line, "VmFlags:", 8)) {
			char *s = line + 8;

			while (*s == ' ')
				s++;
			s[strcspn(s, "\n")] = '\0';
			snprintf(vma->flags, sizeof(vma->flags), "%s", s);
		}
	}
	free(line);
	fclose(f);
	return found ? 0 : -ENOENT;
}

/* ---- nouveau dmem debugfs ---- */

static const struct {
	const char *key;
	size_t off;
} dmem_keys[] = {
	{ "pgmaps", offsetof(struct svm_dmem_stats, pgmaps) },
	{ "backed", offsetof(struct svm_dmem_stats, backed) },
	{ "idle", offsetof(struct svm_dmem_stats, idle) },
	{ "retired", offsetof(struct svm_dmem_stats, retired) },
	{ "used_pages", offsetof(struct svm_dmem_stats, used_pages) },
	{ "reclaimed", offsetof(struct svm_dmem_stats, reclaimed) },
	{ "alloc_failed", offsetof(struct svm_dmem_stats, alloc_failed) },
	{ "idle_floor", offsetof(struct svm_dmem_stats, idle_floor) },
};

int svm_dmem_parse(const char *text, struct svm_dmem_stats *st)
{
	const unsigned int all = (1U << ARRAY_LEN(dmem_keys)) - 1;
	unsigned int seen = 0;
	const char *p = text;

	memset(st, 0, sizeof(*st));
	while (*p) {
		const char *key = p;
		unsigned long v;
		size_t klen, i;
		char *end;

		while (*p == '_' || (*p >= 'a' && *p <= 'z'))
			p++;
		klen = p - key;
		if (!klen || (*p != ' ' && *p != '\t'))
			return -EINVAL;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		errno = 0;
		v = strtoul(p, &end, 10);
		if (errno)
			return -EINVAL;
		p = end;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p && *p != '\n')
			return -EINVAL;
		if (*p)
			p++;
		for (i = 0; i < ARRAY_LEN(dmem_keys); i++) {
			if (strlen(dmem_keys[i].key) != klen ||
			    strncmp(dmem_keys[i].key, key, klen))
				continue;
			if (seen & 1U << i)
				return -EINVAL;
			seen |= 1U << i;
			*(unsigned long *)((char *)st + dmem_keys[i].off) = v;
		}
	}
	return seen == all ? 0 : -EINVAL;
}

int svm_dmem_read_path(const char *path, struct svm_dmem_stats *st)
{
	char buf[4096];
	int ret;

	ret = read_text(path, buf, sizeof(buf));
	if (ret)
		return ret;
	return svm_dmem_parse(buf, st);
}

static char debugfs_root[256] = "/sys/kernel/debug";

void svm_set_debugfs_root(const char *root)
{
	if (root)
		snprintf(debugfs_root, sizeof(debugfs_root), "%s", root);
}

/* dri/<minor> links to the device's directory, render minors included. */
int svm_dmem_path(int fd, char *path, size_t len)
{
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	if (!S_ISCHR(st.st_mode))
		return -ENOTTY;
	snprintf(path, len, "%s/dri/%u/dmem", debugfs_root,
		 minor(st.st_rdev));
	return 0;
}

int svm_dmem_read(int fd, struct svm_dmem_stats *st, char *why, size_t len)
{
	char path[320], dri[300];
	struct stat sb;
	int ret;

	ret = svm_dmem_path(fd, path, sizeof(path));
	if (ret) {
		snprintf(why, len, "no debugfs path for the DRM fd: %s",
			 strerror(-ret));
		return ret;
	}
	ret = svm_dmem_read_path(path, st);
	switch (ret) {
	case 0:
		break;
	case -ENOENT:
		snprintf(dri, sizeof(dri), "%s/dri", debugfs_root);
		if (stat(dri, &sb))
			snprintf(why, len, "debugfs is not mounted at %s",
				 debugfs_root);
		else
			snprintf(why, len,
				 "%s is absent: a kernel without the nouveau dmem debugfs file",
				 path);
		break;
	case -EACCES:
	case -EPERM:
		snprintf(why, len, "%s: permission denied (needs root)", path);
		break;
	case -ENODEV:
		snprintf(why, len,
			 "%s: ENODEV: nouveau has no SVM device memory", path);
		break;
	case -EINVAL:
		snprintf(why, len, "%s: not the expected \"key value\" lines",
			 path);
		break;
	default:
		snprintf(why, len, "%s: %s", path, strerror(-ret));
		break;
	}
	return ret;
}

unsigned long svm_module_param(const char *name, unsigned long def)
{
	char path[160], buf[32], *end;
	unsigned long v;

	snprintf(path, sizeof(path), "/sys/module/nouveau/parameters/%s",
		 name);
	if (read_text(path, buf, sizeof(buf)))
		return def;
	v = strtoul(buf, &end, 10);
	return end == buf ? def : v;
}

/* ---- misc ---- */

uint64_t svm_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void svm_sleep_ms(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}
