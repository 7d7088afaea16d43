// SPDX-License-Identifier: GPL-2.0
/*
 * Randomized stress of test_hmm's device memory: worker threads migrate,
 * read and write through the device, munmap, fork and reopen the device
 * files over their own regions of 4 KiB..8 MiB (some THP) on
 * /dev/hmm_dmirror0 and 1, while a background thread drops caches and
 * compacts.  Every page has a known pattern: each CPU check, device read,
 * fork child and the final pass compares every byte.  Bounded in time.
 *
 *   hmm-stress [-t seconds] [-j threads] [-s seed] [-d devices] [-x op,...] [-f]
 *
 * -x leaves out operations (by name below), or "thp" regions, to narrow
 * down a failure.  -f marks the worker threads (and so their fork children)
 * for the kernel's fault injection: with failslab and fail_page_alloc set
 * to task-filter, their allocations fail at the configured rate, and every
 * failure must surface as an error, never as a changed byte.
 *
 * Exit status 0 only with no data mismatch and no failed child.  Errors
 * from the device (full, busy, evicted) are counted and printed: they are
 * allowed, lost or changed data is not.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "test_hmm_uapi.h"
#include "kselftest.h"

#define PAGE		4096UL
#define THP		(2UL << 20)
#define MAX_REGIONS	4
#define MAX_CHILDREN	8

enum op { OP_NEW, OP_TO_DEV, OP_CPU_CHECK, OP_DEV_READ, OP_DEV_WRITE,
	  OP_TO_SYS, OP_MUNMAP, OP_FORK, OP_REOPEN, OP_CPU_WRITE, NR_OPS };
static const char *const op_name[NR_OPS] = {
	"new", "to_dev", "cpu_check", "dev_read", "dev_write", "to_sys",
	"munmap", "fork", "reopen", "cpu_write",
};

struct region {
	char *map;		/* what mmap() returned, for munmap() */
	size_t map_len;
	uint32_t *ptr;		/* the tracked range */
	size_t len;
	uint32_t *seed;		/* per page */
};

struct worker {
	pthread_t thread;
	unsigned int id;
	unsigned int rnd;
	int fd[2];
	struct region r[MAX_REGIONS];
	pid_t child[MAX_CHILDREN];
	unsigned long ops[NR_OPS], errs[NR_OPS];
};

static int ndev = 2;
static unsigned int skip_ops;
static bool no_thp, inject;
static time_t deadline;
static atomic_ulong mismatches, child_failures, unloads;
static atomic_int stop;

static unsigned int rnd(struct worker *w, unsigned int n)
{
	w->rnd = w->rnd * 1103515245 + 12345;
	return (w->rnd >> 8) % n;
}

/* A page's seed names its writer, so a mismatch tells whose data it is. */
static uint32_t new_seed(struct worker *w)
{
	return w->id << 24 ^ rnd(w, 1 << 24);
}

static inline uint32_t pattern(uint32_t seed, size_t word)
{
	return seed * 2654435761u ^ (uint32_t)word;
}

static void fill_page(uint32_t *p, uint32_t seed)
{
	size_t i;

	for (i = 0; i < PAGE / 4; i++)
		p[i] = pattern(seed, i);
}

/* Pages [first, first + n) of @r hold their pattern in @buf? */
static unsigned long check_pages(const struct region *r, const uint32_t *buf,
				 size_t first, size_t n, const char *what)
{
	unsigned long bad = 0;
	size_t pg, i;

	for (pg = 0; pg < n; pg++)
		for (i = 0; i < PAGE / 4; i++)
			if (buf[pg * PAGE / 4 + i] !=
			    pattern(r->seed[first + pg], i)) {
				if (!bad)
					ksft_print_msg("%s: page %zu word %zu: %#x, expected %#x\n",
						       what, first + pg, i,
						       buf[pg * PAGE / 4 + i],
						       pattern(r->seed[first + pg], i));
				bad++;
				break;
			}
	return bad;
}

static int dmirror(int fd, unsigned long req, void *addr, void *buf,
		   size_t npages)
{
	struct hmm_dmirror_cmd cmd = {
		.addr = (uintptr_t)addr, .ptr = (uintptr_t)buf, .npages = npages,
	};

	while (ioctl(fd, req, &cmd))
		if (errno != EINTR)
			return -errno;
	return 0;
}

/*
 * @req copies pages [first, first + n) of @r back from the device: check
 * them against their patterns.
 */
static int dev_check(struct worker *w, const struct region *r, int dev,
		     unsigned long req, size_t first, size_t n, const char *what)
{
	uint32_t *buf = malloc(n * PAGE);
	int ret;

	if (!buf)
		return 0;
	ret = dmirror(w->fd[dev], req, r->ptr + first * PAGE / 4, buf, n);
	if (!ret)
		mismatches += check_pages(r, buf, first, n, what);
	free(buf);
	return ret;
}

static void region_free(struct region *r)
{
	if (!r->map)
		return;
	munmap(r->map, r->map_len);
	free(r->seed);
	memset(r, 0, sizeof(*r));
}

static void region_new(struct worker *w, struct region *r)
{
	static const size_t big[] = { THP, 2 * THP, 4 * THP };
	bool huge = !no_thp && rnd(w, 2);
	size_t len, pg;

	len = huge ? big[rnd(w, 3)] : (1 + rnd(w, 64)) * PAGE;
	r->map_len = huge ? len + THP : len;
	r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		return;
	}
	r->ptr = huge ? (uint32_t *)(((uintptr_t)r->map + THP - 1) & ~(THP - 1)) :
			(uint32_t *)r->map;
	r->len = len;
	if (huge && rnd(w, 4))
		madvise(r->ptr, len, MADV_HUGEPAGE);
	r->seed = malloc(len / PAGE * sizeof(*r->seed));
	if (!r->seed) {
		munmap(r->map, r->map_len);
		memset(r, 0, sizeof(*r));
		return;
	}
	for (pg = 0; pg < len / PAGE; pg++) {
		r->seed[pg] = new_seed(w);
		fill_page(r->ptr + pg * PAGE / 4, r->seed[pg]);
	}
}

/* A random page range of @r: whole or in part. */
static void pick(struct worker *w, const struct region *r, size_t *first,
		 size_t *n)
{
	size_t pages = r->len / PAGE;

	if (rnd(w, 2)) {
		*first = 0;
		*n = pages;
		return;
	}
	*first = rnd(w, pages);
	*n = 1 + rnd(w, pages - *first);
}

static void reap(struct worker *w, bool wait)
{
	int i, status;

	for (i = 0; i < MAX_CHILDREN; i++) {
		if (!w->child[i] ||
		    waitpid(w->child[i], &status, wait ? 0 : WNOHANG) <= 0)
			continue;
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			ksft_print_msg("worker %u: fork child failed (status %#x)\n",
				       w->id, status);
			child_failures++;
		}
		w->child[i] = 0;
	}
}

/* The child checks its copy of every region, then writes to one. */
static void do_fork(struct worker *w)
{
	int i, slot = -1;
	pid_t pid;

	reap(w, false);
	for (i = 0; i < MAX_CHILDREN; i++)
		if (!w->child[i])
			slot = i;
	if (slot < 0)
		return;
	pid = fork();
	if (pid < 0)
		return;
	if (pid) {
		w->child[slot] = pid;
		return;
	}
	usleep(rnd(w, 20000));
	for (i = 0; i < MAX_REGIONS; i++) {
		struct region *r = &w->r[i];

		if (r->map && check_pages(r, r->ptr, 0, r->len / PAGE, "child"))
			_exit(1);
		if (r->map)
			r->ptr[0] = ~r->ptr[0];	/* COW: the parent keeps its own */
	}
	_exit(0);
}

static void step(struct worker *w)
{
	struct region *r = &w->r[rnd(w, MAX_REGIONS)];
	enum op op = rnd(w, NR_OPS);
	int dev = rnd(w, ndev), ret = 0;
	size_t first, n, pg;
	uint32_t *buf;

	if (skip_ops & 1U << op)
		return;
	if (!r->map && op != OP_FORK && op != OP_REOPEN)
		op = OP_NEW;
	w->ops[op]++;
	if (r->map)
		pick(w, r, &first, &n);

	switch (op) {
	case OP_NEW:
		region_free(r);
		region_new(w, r);
		break;
	case OP_TO_DEV:
		/* test_hmm reads the migrated range back through the device. */
		ret = dev_check(w, r, dev, HMM_DMIRROR_MIGRATE_TO_DEV, first, n,
				"to_dev");
		break;
	case OP_TO_SYS:
		ret = dmirror(w->fd[dev], HMM_DMIRROR_MIGRATE_TO_SYS,
			      r->ptr + first * PAGE / 4, NULL, n);
		break;
	case OP_CPU_CHECK:
		mismatches += check_pages(r, r->ptr, 0, r->len / PAGE, "cpu");
		break;
	case OP_CPU_WRITE:
		for (pg = first; pg < first + n; pg++) {
			r->seed[pg] = new_seed(w);
			fill_page(r->ptr + pg * PAGE / 4, r->seed[pg]);
		}
		break;
	case OP_DEV_READ:
		ret = dev_check(w, r, dev, HMM_DMIRROR_READ, first, n, "dev_read");
		break;
	case OP_DEV_WRITE:
		buf = malloc(n * PAGE);
		if (!buf)
			break;
		for (pg = 0; pg < n; pg++) {
			r->seed[first + pg] = new_seed(w);
			fill_page(buf + pg * PAGE / 4, r->seed[first + pg]);
		}
		ret = dmirror(w->fd[dev], HMM_DMIRROR_WRITE,
			      r->ptr + first * PAGE / 4, buf, n);
		free(buf);
		if (ret)	/* may have written part: make it known again */
			for (pg = first; pg < first + n; pg++)
				fill_page(r->ptr + pg * PAGE / 4, r->seed[pg]);
		break;
	case OP_MUNMAP:
		/* Drop the tail, often inside a THP: pages on the device are freed. */
		if (n == r->len / PAGE || !first) {
			region_free(r);
			break;
		}
		/* Up to the end of the mapping: others may mmap() the hole. */
		munmap(r->ptr + first * PAGE / 4,
		       r->map + r->map_len - (char *)(r->ptr + first * PAGE / 4));
		r->len = first * PAGE;
		r->map_len = (char *)r->ptr + r->len - r->map;
		break;
	case OP_FORK:
		do_fork(w);
		break;
	case OP_REOPEN:
		/*
		 * Release evicts the device's memory to RAM, others' included;
		 * every other one fails the eviction's first THP allocation
		 * (HMM_DMIRROR_FLAG_FAIL_ALLOC), so that a THP goes back to
		 * small pages.
		 */
		if (rnd(w, 2))
			dmirror(w->fd[dev], HMM_DMIRROR_FLAGS, NULL, NULL,
				HMM_DMIRROR_FLAG_FAIL_ALLOC);
		close(w->fd[dev]);
		do
			w->fd[dev] = open(dev ? "/dev/hmm_dmirror1" :
					  "/dev/hmm_dmirror0", O_RDWR);
		while (w->fd[dev] < 0 && inject && errno == ENOMEM);
		if (w->fd[dev] < 0)
			ksft_exit_fail_msg("reopen: %s\n", strerror(errno));
		break;
	default:
		break;
	}
	if (ret && !w->errs[op]++)
		ksft_print_msg("worker %u: first %s error: %s\n", w->id,
			       op_name[op], strerror(-ret));
}

/* -f: the fault injection's task filter selects this thread. */
static void fail_here(void)
{
	int fd = open("/proc/thread-self/make-it-fail", O_WRONLY);

	if (fd < 0 || write(fd, "1", 1) != 1)
		ksft_exit_fail_msg("-f: /proc/thread-self/make-it-fail: %s\n",
				   strerror(errno));
	close(fd);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int i;

	if (inject)
		fail_here();

	while (!stop && time(NULL) < deadline)
		step(w);
	for (i = 0; i < MAX_REGIONS; i++) {
		if (w->r[i].map)
			mismatches += check_pages(&w->r[i], w->r[i].ptr, 0,
						  w->r[i].len / PAGE, "final");
		region_free(&w->r[i]);
	}
	reap(w, true);
	return NULL;
}

static void write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);

	/* Either may be missing from a kernel config: not an error here. */
	if (fd >= 0) {
		ssize_t ret = write(fd, val, strlen(val));

		(void)ret;
		close(fd);
	}
}

/*
 * Drops caches and compacts; and tries to remove test_hmm, which must be
 * refused while the workers hold its files open.
 */
static void *background(void *arg)
{
	unsigned int i = 0;

	(void)arg;
	while (!stop && time(NULL) < deadline) {
		if (i++ & 1)
			write_file("/proc/sys/vm/compact_memory", "1");
		else
			write_file("/proc/sys/vm/drop_caches", "3");
		if (!(i % 16) &&
		    !syscall(SYS_delete_module, "test_hmm", O_NONBLOCK)) {
			ksft_print_msg("test_hmm was removed with files open\n");
			unloads++;
		}
		usleep(200000);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned int seconds = 30, nthreads = 4, seed = time(NULL), i, j;
	unsigned long ops[NR_OPS] = {}, errs[NR_OPS] = {};
	struct worker *w;
	pthread_t bg;
	int opt;

	while ((opt = getopt(argc, argv, "t:j:s:d:x:f")) != -1) {
		switch (opt) {
		case 't': seconds = atoi(optarg); break;
		case 'j': nthreads = atoi(optarg); break;
		case 's': seed = atoi(optarg); break;
		case 'd': ndev = atoi(optarg) == 1 ? 1 : 2; break;
		case 'x':
			for (i = 0; i < NR_OPS; i++)
				if (strstr(optarg, op_name[i]))
					skip_ops |= 1U << i;
			no_thp = strstr(optarg, "thp");
			break;
		case 'f': inject = true; break;
		default:
			fprintf(stderr, "usage: %s [-t s] [-j n] [-s seed] [-d 1|2] [-x ops] [-f]\n",
				argv[0]);
			return KSFT_FAIL;
		}
	}
	ksft_print_header();
	ksft_set_plan(1);
	ksft_print_msg("%u threads, %u s, seed %u, %d device(s), THP %s%s\n",
		       nthreads, seconds, seed, ndev, no_thp ? "off" : "on",
		       inject ? ", fault injection" : "");
	w = calloc(nthreads, sizeof(*w));
	for (i = 0; i < nthreads; i++) {
		w[i].id = i;
		w[i].rnd = seed + i * 7919;
		for (j = 0; j < 2; j++) {
			w[i].fd[j] = open(j ? "/dev/hmm_dmirror1" : "/dev/hmm_dmirror0",
					  O_RDWR);
			if (w[i].fd[j] < 0)
				ksft_exit_skip("no test_hmm device: %s\n",
					       strerror(errno));
		}
	}
	deadline = time(NULL) + seconds;
	pthread_create(&bg, NULL, background, NULL);
	for (i = 0; i < nthreads; i++)
		pthread_create(&w[i].thread, NULL, worker_main, &w[i]);
	for (i = 0; i < nthreads; i++) {
		pthread_join(w[i].thread, NULL);
		for (j = 0; j < NR_OPS; j++) {
			ops[j] += w[i].ops[j];
			errs[j] += w[i].errs[j];
		}
	}
	stop = 1;
	pthread_join(bg, NULL);
	for (i = 0; i < nthreads; i++) {
		close(w[i].fd[0]);
		close(w[i].fd[1]);
	}
	for (j = 0; j < NR_OPS; j++)
		ksft_print_msg("%-10s %8lu ops %6lu errors\n", op_name[j], ops[j],
			       errs[j]);
	ksft_print_msg("mismatched pages %lu, failed children %lu, module removals %lu\n",
		       (unsigned long)mismatches, (unsigned long)child_failures,
		       (unsigned long)unloads);
	ksft_test_result(!mismatches && !child_failures && !unloads,
			 "hmm-stress\n");
	ksft_finished();
}
