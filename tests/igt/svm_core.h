/* SPDX-License-Identifier: MIT */
/*
 * Plain-C helpers for the nouveau SVM tests: device, SVM ioctls, pagemap,
 * data patterns, THP-aligned buffers and the nouveau "dmem" debugfs file.
 * No igt dependency, so that igt (nouveau_svm.c) and the standalone runner
 * share one implementation and the helpers can be unit-tested without a GPU.
 */
#ifndef SVM_CORE_H
#define SVM_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The kernel uapi header: igt has it in include/drm-uapi, CI in KERNEL_UAPI. */
#include "nouveau_drm.h"

/* libdrm's copy of the header (2.4.114) has the structs but not these. */
#ifndef DRM_IOCTL_NOUVEAU_SVM_INIT
#define DRM_IOCTL_NOUVEAU_SVM_INIT DRM_IOWR(DRM_COMMAND_BASE + \
	DRM_NOUVEAU_SVM_INIT, struct drm_nouveau_svm_init)
#endif
#ifndef DRM_IOCTL_NOUVEAU_SVM_BIND
#define DRM_IOCTL_NOUVEAU_SVM_BIND DRM_IOWR(DRM_COMMAND_BASE + \
	DRM_NOUVEAU_SVM_BIND, struct drm_nouveau_svm_bind)
#endif

/* ---- device ---- */

bool svm_is_nouveau(int fd);
/*
 * Opens the first nouveau node in @dir ("/dev/dri": renderD128.. then card0..).
 * Returns the fd, or -errno with a reason in @why (-ENODEV: none found).
 */
int svm_find_nouveau(const char *dir, char *path, size_t path_len,
		     char *why, size_t why_len);
/* A new open file of the same device: a new DRM client, a new nouveau_cli. */
int svm_reopen(int fd);

/* ---- SVM ioctls ---- */

/*
 * The unmanaged window of DRM_NOUVEAU_SVM_INIT is where the kernel places its
 * own GPU mappings; userspace must keep CPU allocations out of it, so it is
 * reserved PROT_NONE at a size-aligned address, as Mesa does.
 */
#define SVM_WINDOW_SIZE (1ULL << 32)

struct svm_window {
	void *addr;
	uint64_t size;
};

int svm_window_reserve(struct svm_window *w);
void svm_window_release(struct svm_window *w);

struct svm_client {
	int fd;
	struct svm_window window;
};

int svm_ioctl_init(int fd, uint64_t addr, uint64_t size);
/* New client on @base_fd's device, window reserved, SVM_INIT done. */
int svm_client_open(int base_fd, struct svm_client *c, char *why, size_t len);
void svm_client_close(struct svm_client *c);

uint64_t svm_bind_header(uint64_t command, uint64_t priority, uint64_t target);
void svm_bind_args(struct drm_nouveau_svm_bind *args, const void *addr,
		   size_t len);
int svm_bind(int fd, struct drm_nouveau_svm_bind *args);
/* Best effort: 0 does not mean anything moved, check with the pagemap. */
int svm_bind_migrate(int fd, const void *addr, size_t len);

/*
 * What nouveau_svmm_bind() returns for @args (0 or -EINVAL), checks in its
 * order; @have_svm: SVM_INIT was done on the client.
 */
int svm_bind_expected(const struct drm_nouveau_svm_bind *args, bool have_svm);
/* Invalid variants of a valid bind: count, and the i-th with its name. */
size_t svm_bind_invalid_count(void);
const char *svm_bind_invalid(size_t i, const struct drm_nouveau_svm_bind *valid,
			     struct drm_nouveau_svm_bind *out);

/* ---- /proc/self/pagemap ---- */

#define SVM_PM_PFN_MASK		((1ULL << 55) - 1)
#define SVM_PM_SOFT_DIRTY	(1ULL << 55)
#define SVM_PM_EXCLUSIVE	(1ULL << 56)
#define SVM_PM_UFFD_WP		(1ULL << 57)
#define SVM_PM_GUARD		(1ULL << 58)
#define SVM_PM_FILE		(1ULL << 61)
#define SVM_PM_SWAP		(1ULL << 62)
#define SVM_PM_PRESENT		(1ULL << 63)
#define SVM_PM_SWAP_TYPE_BITS	5

struct svm_pme {
	bool present, swap, file, exclusive, soft_dirty, guard;
	uint64_t pfn;		/* present; 0 without CAP_SYS_ADMIN */
	unsigned int swap_type;	/* swap; 0 without CAP_SYS_ADMIN */
	uint64_t swap_offset;
};

/*
 * SVM_PAGE_SWAP is any non-present swap-type entry. The tests use fresh
 * anonymous memory that is not swapped out, so there it means device private.
 */
enum svm_page_state {
	SVM_PAGE_NONE,
	SVM_PAGE_RAM,
	SVM_PAGE_SWAP,
};

struct svm_page_count {
	size_t none, ram, swap;
};

void svm_pme_decode(uint64_t v, struct svm_pme *pme);
enum svm_page_state svm_pme_state(uint64_t v);
const char *svm_page_state_name(enum svm_page_state s);
int svm_pagemap_read(const void *addr, size_t npages, uint64_t *out);
int svm_pagemap_count(const void *addr, size_t npages,
		      struct svm_page_count *count);
/* 0: all @want; 1: page *@bad is *@got; -errno: pagemap unreadable. */
int svm_pagemap_expect(const void *addr, size_t npages,
		       enum svm_page_state want, size_t *bad,
		       enum svm_page_state *got);

/* ---- data patterns ---- */

/* Depends on the address, so a page that lands at the wrong place shows. */
uint64_t svm_pattern_word(uintptr_t addr, uint64_t seed);
void svm_pattern_fill(void *buf, size_t len, uint64_t seed);
/* Byte offset of the first byte that differs, or -1. */
ssize_t svm_pattern_check(const void *buf, size_t len, uint64_t seed);
uint8_t svm_pattern_byte(uintptr_t addr, uint64_t seed);

/* ---- buffers ---- */

size_t svm_page_size(void);
size_t svm_thp_size(void);
/* "always", "madvise" or "never" into @mode; -ENOENT without THP. */
int svm_thp_mode(char *mode, size_t len);

struct svm_buf {
	void *ptr;
	size_t len;
};

/*
 * Anonymous private mapping of exactly @len bytes at an @align-aligned
 * address (the slack is unmapped), then madvise(@advice) unless 0. A failing
 * MADV_NOHUGEPAGE is ignored: without THP every page is small anyway.
 */
int svm_buf_alloc(struct svm_buf *b, size_t len, size_t align, int advice);
void svm_buf_free(struct svm_buf *b);

struct svm_vma {
	uintptr_t start, end;
	unsigned long anon_huge_kb;
	char flags[160];	/* smaps VmFlags */
};

/* The smaps entry of the VMA holding @addr. */
int svm_vma_info(const void *addr, struct svm_vma *vma);

/* ---- nouveau dmem debugfs ---- */

struct svm_dmem_stats {
	unsigned long pgmaps;
	unsigned long backed;		/* 2 MiB blocks with pinned VRAM */
	unsigned long idle;		/* pooled blocks with no page in use */
	unsigned long retired;
	unsigned long used_pages;
	unsigned long reclaimed;	/* blocks whose VRAM was given back */
	unsigned long alloc_failed;
	unsigned long idle_floor;
};

/* Every key once, "key value" per line; unknown keys are skipped. */
int svm_dmem_parse(const char *text, struct svm_dmem_stats *st);
int svm_dmem_read_path(const char *path, struct svm_dmem_stats *st);
void svm_set_debugfs_root(const char *root);
int svm_dmem_path(int fd, char *path, size_t len);
/* -errno with a reason in @why when the file cannot be used. */
int svm_dmem_read(int fd, struct svm_dmem_stats *st, char *why, size_t len);
unsigned long svm_module_param(const char *name, unsigned long def);

/* ---- misc ---- */

uint64_t svm_now_ms(void);
void svm_sleep_ms(unsigned int ms);

#endif
