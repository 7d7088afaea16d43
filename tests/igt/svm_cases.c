// SPDX-License-Identifier: MIT
/*
 * The nouveau SVM test cases; see svm_cases.h. Placement is checked through
 * /proc/self/pagemap (a page in VRAM is a swap-type device-private entry) and
 * data by reading it back, which faults it back to system memory.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "svm_cases.h"

#define CHECK(expr) do {			\
	res = (expr);				\
	if (res != SVM_PASS)			\
		goto out;			\
} while (0)

__attribute__((format(printf, 4, 5)))
static enum svm_result result(enum svm_result res, char *msg, size_t len,
			      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	return res;
}

#define fail(msg, len, ...) result(SVM_FAIL, msg, len, __VA_ARGS__)
#define skip(msg, len, ...) result(SVM_SKIP, msg, len, __VA_ARGS__)
#define note(msg, len, ...) result(SVM_PASS, msg, len, __VA_ARGS__)

static const char *err_str(int ret)
{
	return ret ? strerror(-ret) : "success";
}

static size_t pages(size_t n)
{
	return n * svm_page_size();
}

static enum svm_result open_client(int fd, struct svm_client *c, char *msg,
				   size_t len)
{
	char why[256];
	int ret;

	ret = svm_client_open(fd, c, why, sizeof(why));
	if (ret == -ENOSYS)
		return skip(msg, len, "%s", why);
	if (ret)
		return fail(msg, len, "%s", why);
	return SVM_PASS;
}

/* Small pages only: THP would change what a migration moves. */
static enum svm_result alloc_small(struct svm_buf *b, size_t npages,
				   char *msg, size_t len)
{
	int ret = svm_buf_alloc(b, pages(npages), svm_page_size(),
				MADV_NOHUGEPAGE);

	if (ret)
		return fail(msg, len, "mmap of %zu pages: %s", npages,
			    strerror(-ret));
	return SVM_PASS;
}

/* @n_thp huge pages, filled with @seed: faulted in as THP, or SKIP. */
static enum svm_result alloc_thp(struct svm_buf *b, size_t n_thp,
				 uint64_t seed, char *msg, size_t len)
{
	size_t thp = svm_thp_size();
	struct svm_vma vma;
	char mode[32];
	int ret;

	if (svm_thp_mode(mode, sizeof(mode)) || !strcmp(mode, "never"))
		return skip(msg, len, "transparent hugepages are disabled");
	ret = svm_buf_alloc(b, n_thp * thp, thp, MADV_HUGEPAGE);
	if (ret)
		return fail(msg, len, "THP-aligned mmap: %s", strerror(-ret));
	svm_pattern_fill(b->ptr, b->len, seed);
	ret = svm_vma_info(b->ptr, &vma);
	if (ret || vma.anon_huge_kb * 1024 < b->len) {
		svm_buf_free(b);
		return skip(msg, len,
			    "no THP after MADV_HUGEPAGE (%lu of %zu kB AnonHugePages): memory too fragmented?",
			    vma.anon_huge_kb, n_thp * thp / 1024);
	}
	return SVM_PASS;
}

static enum svm_result migrate(int fd, const void *addr, size_t l,
			       const char *when, char *msg, size_t len)
{
	int ret = svm_bind_migrate(fd, addr, l);

	if (ret)
		return fail(msg, len, "%s: DRM_IOCTL_NOUVEAU_SVM_BIND: %s",
			    when, strerror(-ret));
	return SVM_PASS;
}

static enum svm_result expect_pages(const void *addr, size_t npages,
				    enum svm_page_state want,
				    const char *when, char *msg, size_t len)
{
	enum svm_page_state got = SVM_PAGE_NONE;
	struct svm_page_count cnt;
	size_t bad = 0;
	int ret;

	ret = svm_pagemap_expect(addr, npages, want, &bad, &got);
	if (!ret)
		return SVM_PASS;
	if (ret < 0)
		return fail(msg, len, "%s: /proc/self/pagemap: %s", when,
			    strerror(-ret));
	svm_pagemap_count(addr, npages, &cnt);
	return fail(msg, len,
		    "%s: page %zu of %zu is %s, want %s (%zu present, %zu device private, %zu not populated)",
		    when, bad, npages, svm_page_state_name(got),
		    svm_page_state_name(want), cnt.ram, cnt.swap, cnt.none);
}

static enum svm_result expect_data(const void *buf, size_t l, uint64_t seed,
				   const char *when, char *msg, size_t len)
{
	ssize_t off = svm_pattern_check(buf, l, seed);
	uintptr_t at;

	if (off < 0)
		return SVM_PASS;
	at = (uintptr_t)buf + off;
	return fail(msg, len,
		    "%s: byte %zd (page %zu) reads %#04x, want %#04x",
		    when, off, (size_t)off / svm_page_size(),
		    *(const volatile uint8_t *)at, svm_pattern_byte(at, seed));
}

/* Stats now, or false with the reason the debugfs file is unusable. */
static bool dmem_stats(int fd, struct svm_dmem_stats *st, char *why,
		       size_t len)
{
	return svm_dmem_read(fd, st, why, len) == 0;
}

/* Polls until used_pages is back to @base: frees are synchronous, be lenient. */
static bool dmem_used_back(int fd, unsigned long base,
			   struct svm_dmem_stats *st)
{
	uint64_t deadline = svm_now_ms() + 2000;
	char why[256];

	for (;;) {
		if (!dmem_stats(fd, st, why, sizeof(why)))
			return false;
		if (st->used_pages <= base)
			return true;
		if (svm_now_ms() > deadline)
			return false;
		svm_sleep_ms(20);
	}
}

enum svm_result svm_probe(int fd, char *msg, size_t len)
{
	struct svm_dmem_stats st;
	struct svm_client c;
	enum svm_result res;
	char why[256];

	if (!svm_is_nouveau(fd))
		return skip(msg, len, "not a nouveau device");
	res = open_client(fd, &c, msg, len);
	if (res != SVM_PASS)
		return res;
	svm_client_close(&c);
	/*
	 * SVM without device memory (no copy engine channel, e.g. missing
	 * firmware) binds "successfully" and moves nothing: say so.
	 */
	if (svm_dmem_read(fd, &st, why, sizeof(why)) == -ENODEV)
		return skip(msg, len, "%s (acceleration or firmware missing?)",
			    why);
	return SVM_PASS;
}

enum svm_result svm_case_init_busy(int fd, char *msg, size_t len)
{
	struct svm_client a = { .fd = -1 }, b = { .fd = -1 };
	struct svm_buf buf = { 0 };
	enum svm_result res;
	char why[256];
	int ret;

	res = open_client(fd, &a, msg, len);
	if (res != SVM_PASS)
		return res;
	ret = svm_ioctl_init(a.fd, (uintptr_t)a.window.addr, a.window.size);
	if (ret != -EBUSY) {
		res = fail(msg, len,
			   "second SVM_INIT on one client: %s, want EBUSY",
			   err_str(ret));
		goto out;
	}

	/* The refused init must leave the client's SVM VMM working. */
	CHECK(alloc_small(&buf, 1, msg, len));
	svm_pattern_fill(buf.ptr, buf.len, 1);
	CHECK(migrate(a.fd, buf.ptr, buf.len, "after EBUSY", msg, len));
	CHECK(expect_pages(buf.ptr, 1, SVM_PAGE_SWAP, "after EBUSY, bound",
			   msg, len));
	CHECK(expect_data(buf.ptr, buf.len, 1, "after EBUSY, read back",
			  msg, len));

	/* SVM state is per client: another open file gets its own. */
	ret = svm_client_open(fd, &b, why, sizeof(why));
	if (ret)
		res = fail(msg, len, "SVM_INIT on a second client: %s", why);
out:
	svm_buf_free(&buf);
	svm_client_close(&b);
	svm_client_close(&a);
	return res;
}

enum svm_result svm_case_bind_invalid(int fd, char *msg, size_t len)
{
	struct drm_nouveau_svm_bind valid, args;
	struct svm_client c = { .fd = -1 };
	struct svm_buf buf = { 0 };
	const size_t n = 4;
	enum svm_result res;
	int ret, want, nofd = -1;
	size_t i;

	res = open_client(fd, &c, msg, len);
	if (res != SVM_PASS)
		return res;
	CHECK(alloc_small(&buf, n, msg, len));
	svm_pattern_fill(buf.ptr, buf.len, 2);
	svm_bind_args(&valid, buf.ptr, buf.len);

	for (i = 0; i < svm_bind_invalid_count(); i++) {
		const char *what = svm_bind_invalid(i, &valid, &args);

		want = svm_bind_expected(&args, true);
		ret = svm_bind(c.fd, &args);
		if (ret != want) {
			res = fail(msg, len, "SVM_BIND with %s: %s, want %s",
				   what, err_str(ret), err_str(want));
			goto out;
		}
	}
	CHECK(expect_pages(buf.ptr, n, SVM_PAGE_RAM,
			   "after the rejected binds", msg, len));

	/* A client without SVM_INIT has no SVM VMM to migrate for. */
	nofd = svm_reopen(fd);
	if (nofd < 0) {
		res = fail(msg, len, "reopening the device: %s",
			   strerror(-nofd));
		goto out;
	}
	args = valid;
	want = svm_bind_expected(&args, false);
	ret = svm_bind(nofd, &args);
	if (ret != want) {
		res = fail(msg, len, "SVM_BIND before SVM_INIT: %s, want %s",
			   err_str(ret), err_str(want));
		goto out;
	}
	CHECK(expect_pages(buf.ptr, n, SVM_PAGE_RAM,
			   "after SVM_BIND before SVM_INIT", msg, len));

	/* The same range with valid arguments does move. */
	args = valid;
	ret = svm_bind(c.fd, &args);
	if (ret) {
		res = fail(msg, len, "valid SVM_BIND: %s", err_str(ret));
		goto out;
	}
	CHECK(expect_pages(buf.ptr, n, SVM_PAGE_SWAP, "after a valid bind",
			   msg, len));
	CHECK(expect_data(buf.ptr, buf.len, 2, "read back", msg, len));
out:
	if (nofd >= 0)
		close(nofd);
	svm_buf_free(&buf);
	svm_client_close(&c);
	return res;
}

enum svm_result svm_case_migrate_4k(int fd, char *msg, size_t len)
{
	struct svm_client c = { .fd = -1 };
	struct svm_buf buf = { 0 };
	const size_t n = 64;
	enum svm_result res;
	char when[64];
	int round;

	res = open_client(fd, &c, msg, len);
	if (res != SVM_PASS)
		return res;
	CHECK(alloc_small(&buf, n, msg, len));
	for (round = 1; round <= 2; round++) {
		svm_pattern_fill(buf.ptr, buf.len, round);
		snprintf(when, sizeof(when), "round %d, before bind", round);
		CHECK(expect_pages(buf.ptr, n, SVM_PAGE_RAM, when, msg, len));
		snprintf(when, sizeof(when), "round %d, bind", round);
		CHECK(migrate(c.fd, buf.ptr, buf.len, when, msg, len));
		snprintf(when, sizeof(when), "round %d, after bind", round);
		CHECK(expect_pages(buf.ptr, n, SVM_PAGE_SWAP, when, msg, len));
		snprintf(when, sizeof(when), "round %d, read back", round);
		CHECK(expect_data(buf.ptr, buf.len, round, when, msg, len));
		snprintf(when, sizeof(when), "round %d, after read-back",
			 round);
		CHECK(expect_pages(buf.ptr, n, SVM_PAGE_RAM, when, msg, len));
	}
out:
	svm_buf_free(&buf);
	svm_client_close(&c);
	return res;
}

enum svm_result svm_case_migrate_thp(int fd, char *msg, size_t len)
{
	struct svm_client c = { .fd = -1 };
	struct svm_buf buf = { 0 };
	size_t thp = svm_thp_size(), per = thp / svm_page_size();
	enum svm_result res;

	res = open_client(fd, &c, msg, len);
	if (res != SVM_PASS)
		return res;
	CHECK(alloc_thp(&buf, 2, 3, msg, len));
	CHECK(migrate(c.fd, buf.ptr, buf.len, "bind", msg, len));
	CHECK(expect_pages(buf.ptr, 2 * per, SVM_PAGE_SWAP, "after bind",
			   msg, len));

	/* One fault on an order-9 device folio brings all of it back. */
	(void)*(volatile char *)buf.ptr;
	CHECK(expect_pages(buf.ptr, per, SVM_PAGE_RAM,
			   "THP 0 after one read fault (want the whole device folio back)",
			   msg, len));
	CHECK(expect_pages((char *)buf.ptr + thp, per, SVM_PAGE_SWAP,
			   "THP 1 after the fault on THP 0", msg, len));
	CHECK(expect_data(buf.ptr, buf.len, 3, "read back", msg, len));
	CHECK(expect_pages(buf.ptr, 2 * per, SVM_PAGE_RAM, "after read-back",
			   msg, len));
out:
	svm_buf_free(&buf);
	svm_client_close(&c);
	return res;
}

static void unmap_pages(char *base, size_t from, size_t to)
{
	if (to > from)
		munmap(base + pages(from), pages(to - from));
}

enum svm_result svm_case_thp_partial_munmap(int fd, char *msg, size_t len)
{
	const size_t per = svm_thp_size() / svm_page_size();
	const size_t hole = 100, hole2 = 256, hole2_n = 16;
	struct svm_client c = { .fd = -1 };
	struct svm_dmem_stats s0, s;
	struct svm_buf a = { 0 }, b = { 0 };
	char why[256];
	enum svm_result res;
	bool counted;

	counted = dmem_stats(fd, &s0, why, sizeof(why));
	res = open_client(fd, &c, msg, len);
	if (res != SVM_PASS)
		return res;

	/* One page out of a device THP, then the rest faulted back. */
	CHECK(alloc_thp(&a, 1, 5, msg, len));
	CHECK(migrate(c.fd, a.ptr, a.len, "bind", msg, len));
	CHECK(expect_pages(a.ptr, per, SVM_PAGE_SWAP, "after bind", msg, len));
	unmap_pages(a.ptr, hole, hole + 1);
	CHECK(expect_pages(a.ptr, hole, SVM_PAGE_SWAP,
			   "below the unmapped page", msg, len));
	CHECK(expect_pages((char *)a.ptr + pages(hole), 1, SVM_PAGE_NONE,
			   "the unmapped page", msg, len));
	CHECK(expect_pages((char *)a.ptr + pages(hole + 1), per - hole - 1,
			   SVM_PAGE_SWAP, "above the unmapped page", msg, len));
	CHECK(expect_data(a.ptr, pages(hole), 5, "read back below the hole",
			  msg, len));
	CHECK(expect_data((char *)a.ptr + pages(hole + 1),
			  pages(per - hole - 1), 5, "read back above the hole",
			  msg, len));
	CHECK(expect_pages(a.ptr, hole, SVM_PAGE_RAM,
			   "below the hole after read-back", msg, len));
	CHECK(expect_pages((char *)a.ptr + pages(hole + 1), per - hole - 1,
			   SVM_PAGE_RAM, "above the hole after read-back",
			   msg, len));
	unmap_pages(a.ptr, 0, hole);
	unmap_pages(a.ptr, hole + 1, per);
	a.ptr = NULL;

	/* A split device THP unmapped in pieces, never faulted back. */
	CHECK(alloc_thp(&b, 1, 6, msg, len));
	CHECK(migrate(c.fd, b.ptr, b.len, "second bind", msg, len));
	CHECK(expect_pages(b.ptr, per, SVM_PAGE_SWAP, "after second bind",
			   msg, len));
	unmap_pages(b.ptr, hole2, hole2 + hole2_n);
	unmap_pages(b.ptr, 0, hole2);
	unmap_pages(b.ptr, hole2 + hole2_n, per);
	b.ptr = NULL;

	if (!counted) {
		res = note(msg, len, "device page frees not counted: %s", why);
		goto out;
	}
	if (!dmem_used_back(fd, s0.used_pages, &s))
		res = fail(msg, len,
			   "dmem used_pages %lu after unmapping everything, %lu before: device pages of the split THP not freed",
			   s.used_pages, s0.used_pages);
out:
	svm_buf_free(&a);
	svm_buf_free(&b);
	svm_client_close(&c);
	return res;
}

enum svm_result svm_case_munmap_in_vram(int fd, char *msg, size_t len)
{
	struct svm_client c = { .fd = -1 };
	struct svm_dmem_stats s0, s1, s2;
	struct svm_buf buf = { 0 };
	const size_t n = 256;
	enum svm_result res;
	char why[256];
	bool counted;

	counted = dmem_stats(fd, &s0, why, sizeof(why));
	res = open_client(fd, &c, msg, len);
	if (res != SVM_PASS)
		return res;
	CHECK(alloc_small(&buf, n, msg, len));
	svm_pattern_fill(buf.ptr, buf.len, 7);
	CHECK(migrate(c.fd, buf.ptr, buf.len, "bind", msg, len));
	CHECK(expect_pages(buf.ptr, n, SVM_PAGE_SWAP, "after bind", msg, len));
	if (counted && dmem_stats(fd, &s1, why, sizeof(why)) &&
	    s1.used_pages < s0.used_pages + n) {
		res = fail(msg, len,
			   "dmem used_pages %lu after migrating %zu pages, %lu before",
			   s1.used_pages, n, s0.used_pages);
		goto out;
	}
	svm_buf_free(&buf);

	if (!counted) {
		res = note(msg, len, "device page frees not counted: %s", why);
		goto out;
	}
	if (!dmem_used_back(fd, s0.used_pages, &s2))
		res = fail(msg, len,
			   "dmem used_pages %lu after munmap, %lu before the migration: device pages not freed to the pool",
			   s2.used_pages, s0.used_pages);
out:
	svm_buf_free(&buf);
	svm_client_close(&c);
	return res;
}

/* The child's exit code, or -signal; -ETIMEDOUT after killing it. */
static int wait_child(pid_t pid, unsigned int timeout_ms)
{
	uint64_t deadline = svm_now_ms() + timeout_ms;
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -ECHILD;
		if (svm_now_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -ETIMEDOUT;
		}
		svm_sleep_ms(10);
	}
	if (WIFSIGNALED(status))
		return -WTERMSIG(status);
	return WEXITSTATUS(status);
}

enum fork_order {
	CHILD_FIRST,
	PARENT_FIRST,
};

/*
 * In the child: only reads, writes and _exit(), as after a fork from threads.
 * With @go >= 0 it waits for the parent to have read first.
 */
__attribute__((noreturn))
static void fork_child(void *buf, size_t l, uint64_t seed, int go)
{
	struct pollfd p = { .fd = go, .events = POLLIN };
	char c;

	if (go >= 0 && (poll(&p, 1, 30000) != 1 || read(go, &c, 1) != 1))
		_exit(3);
	if (svm_pattern_check(buf, l, seed) >= 0)
		_exit(1);
	svm_pattern_fill(buf, l, seed + 1000);
	if (svm_pattern_check(buf, l, seed + 1000) >= 0)
		_exit(2);
	_exit(0);
}

static enum svm_result child_status(int status, const char *name, char *msg,
				    size_t len)
{
	switch (status) {
	case 0:
		return SVM_PASS;
	case 1:
		return fail(msg, len,
			    "%s: the child read wrong data from the device-private pages it inherited",
			    name);
	case 2:
		return fail(msg, len,
			    "%s: the child's own copy did not keep what it wrote",
			    name);
	case 3:
		return fail(msg, len, "%s: the child was not woken up", name);
	case -ETIMEDOUT:
		return fail(msg, len, "%s: the child did not finish in 60 s",
			    name);
	}
	if (status < 0)
		return fail(msg, len, "%s: the child was killed by signal %d",
			    name, -status);
	return fail(msg, len, "%s: the child exited with %d", name, status);
}

static enum svm_result fork_round(struct svm_client *c, struct svm_buf *buf,
				  uint64_t seed, enum fork_order order,
				  char *msg, size_t len)
{
	const char *name = order == CHILD_FIRST ? "child reads first" :
						 "parent reads first";
	const size_t n = buf->len / svm_page_size();
	int sv[2] = { -1, -1 };
	enum svm_result res;
	char when[64];
	pid_t pid;

	svm_pattern_fill(buf->ptr, buf->len, seed);
	CHECK(migrate(c->fd, buf->ptr, buf->len, name, msg, len));
	snprintf(when, sizeof(when), "%s: after bind", name);
	CHECK(expect_pages(buf->ptr, n, SVM_PAGE_SWAP, when, msg, len));
	/* A socket, not a pipe: a dead child must not SIGPIPE the test. */
	if (order == PARENT_FIRST &&
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return fail(msg, len, "socketpair: %s", strerror(errno));

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		res = fail(msg, len, "fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0)
		fork_child(buf->ptr, buf->len, seed, sv[1]);

	if (order == PARENT_FIRST) {
		snprintf(when, sizeof(when), "%s: parent read", name);
		res = expect_data(buf->ptr, buf->len, seed, when, msg, len);
		if (send(sv[0], "g", 1, MSG_NOSIGNAL) != 1 && res == SVM_PASS)
			res = fail(msg, len, "%s: waking the child up: %s",
				   name, strerror(errno));
	}
	if (res == SVM_PASS)
		res = child_status(wait_child(pid, 60000), name, msg, len);
	else
		wait_child(pid, 60000);
	if (res != SVM_PASS)
		goto out;

	/* The child wrote to its own copies: the parent's are unchanged. */
	snprintf(when, sizeof(when), "%s: parent read after the child",
		 name);
	CHECK(expect_data(buf->ptr, buf->len, seed, when, msg, len));
	snprintf(when, sizeof(when), "%s: parent after read-back", name);
	CHECK(expect_pages(buf->ptr, n, SVM_PAGE_RAM, when, msg, len));
out:
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	return res;
}

enum svm_result svm_case_fork_read(int fd, char *msg, size_t len)
{
	struct svm_client c = { .fd = -1 };
	struct svm_buf buf = { 0 };
	enum svm_result res;

	res = open_client(fd, &c, msg, len);
	if (res != SVM_PASS)
		return res;
	CHECK(alloc_small(&buf, 32, msg, len));
	CHECK(fork_round(&c, &buf, 11, CHILD_FIRST, msg, len));
	CHECK(fork_round(&c, &buf, 12, PARENT_FIRST, msg, len));
out:
	svm_buf_free(&buf);
	svm_client_close(&c);
	return res;
}

static enum svm_result bind_range(struct svm_client *c, struct svm_buf *buf,
				  size_t total, size_t off, size_t n,
				  bool unaligned, uint64_t seed, char *msg,
				  size_t len)
{
	const size_t ps = svm_page_size();
	struct drm_nouveau_svm_bind args;
	char *p = buf->ptr;
	enum svm_result res;
	char when[96];
	int ret;

	svm_pattern_fill(p, buf->len, seed);
	snprintf(when, sizeof(when), "pages %zu+%zu: before bind", off, n);
	CHECK(expect_pages(p, total, SVM_PAGE_RAM, when, msg, len));

	/* The kernel widens the range to whole pages. */
	svm_bind_args(&args, p + off * ps, n * ps);
	if (unaligned) {
		args.va_start += ps / 3;
		args.va_end -= ps / 3;
	}
	ret = svm_bind(c->fd, &args);
	if (ret)
		return fail(msg, len, "pages %zu+%zu: SVM_BIND: %s", off, n,
			    strerror(-ret));

	snprintf(when, sizeof(when), "pages %zu+%zu%s: below the range", off,
		 n, unaligned ? " (unaligned)" : "");
	CHECK(expect_pages(p, off, SVM_PAGE_RAM, when, msg, len));
	snprintf(when, sizeof(when), "pages %zu+%zu%s: in the range", off, n,
		 unaligned ? " (unaligned)" : "");
	CHECK(expect_pages(p + off * ps, n, SVM_PAGE_SWAP, when, msg, len));
	snprintf(when, sizeof(when), "pages %zu+%zu%s: above the range", off,
		 n, unaligned ? " (unaligned)" : "");
	CHECK(expect_pages(p + (off + n) * ps, total - off - n, SVM_PAGE_RAM,
			   when, msg, len));
	snprintf(when, sizeof(when), "pages %zu+%zu: read back", off, n);
	CHECK(expect_data(p, buf->len, seed, when, msg, len));
out:
	return res;
}

enum svm_result svm_case_sizes_offsets(int fd, char *msg, size_t len)
{
	static const struct {
		unsigned int off, n;
		bool unaligned;
	} ranges[] = {
		{ 0, 1, false }, { 1, 1, false }, { 3, 2, false },
		{ 7, 15, false }, { 16, 16, false }, { 5, 33, true },
		{ 0, 64, false }, { 100, 255, true }, { 511, 2, false },
		{ 1, 512, false }, { 0, 1040, false }, { 1039, 1, true },
		{ 2, 1, true },
	};
	const size_t total = 1040, k = 16;
	struct svm_client c = { .fd = -1 };
	struct svm_buf buf = { 0 }, span = { 0 };
	char *lo = NULL, *hi = NULL;
	enum svm_result res;
	size_t i;

	res = open_client(fd, &c, msg, len);
	if (res != SVM_PASS)
		return res;
	CHECK(alloc_small(&buf, total, msg, len));
	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		CHECK(bind_range(&c, &buf, total, ranges[i].off, ranges[i].n,
				 ranges[i].unaligned, 100 + i, msg, len));

	/* One bind over two VMAs with a hole between them. */
	CHECK(alloc_small(&span, 3 * k, msg, len));
	lo = span.ptr;
	hi = lo + pages(2 * k);
	unmap_pages(lo, k, 2 * k);
	span.ptr = NULL;
	svm_pattern_fill(lo, pages(k), 200);
	svm_pattern_fill(hi, pages(k), 201);
	CHECK(migrate(c.fd, lo, pages(3 * k), "bind across a hole", msg, len));
	CHECK(expect_pages(lo, k, SVM_PAGE_SWAP, "VMA below the hole", msg,
			   len));
	CHECK(expect_pages(lo + pages(k), k, SVM_PAGE_NONE, "the hole", msg,
			   len));
	CHECK(expect_pages(hi, k, SVM_PAGE_SWAP, "VMA above the hole", msg,
			   len));
	CHECK(expect_data(lo, pages(k), 200, "read back below the hole", msg,
			  len));
	CHECK(expect_data(hi, pages(k), 201, "read back above the hole", msg,
			  len));
out:
	if (lo)
		unmap_pages(lo, 0, k);
	if (hi)
		unmap_pages(hi, 0, k);
	svm_buf_free(&buf);
	svm_client_close(&c);
	return res;
}

#define NR_THREADS	4
#define THREAD_PAGES	128
#define THREAD_ROUNDS	4

struct thread_arg {
	int fd;
	char *base;
	unsigned int id;
	const int *go;
	enum svm_result res;
	char msg[SVM_MSG_LEN];
};

static void *thread_fn(void *data)
{
	struct thread_arg *t = data;
	size_t l = pages(THREAD_PAGES);
	uint64_t deadline = svm_now_ms() + 10000;
	enum svm_result res = SVM_PASS;
	char when[64];
	int round, go;

	while (!(go = __atomic_load_n(t->go, __ATOMIC_ACQUIRE)) &&
	       svm_now_ms() < deadline)
		svm_sleep_ms(1);
	if (go != 1) {
		t->res = fail(t->msg, sizeof(t->msg), "not started");
		return NULL;
	}
	for (round = 0; round < THREAD_ROUNDS; round++) {
		uint64_t seed = 1000 * (t->id + 1) + round;

		svm_pattern_fill(t->base, l, seed);
		snprintf(when, sizeof(when), "round %d, bind", round);
		CHECK(migrate(t->fd, t->base, l, when, t->msg,
			      sizeof(t->msg)));
		snprintf(when, sizeof(when), "round %d, after bind", round);
		CHECK(expect_pages(t->base, THREAD_PAGES, SVM_PAGE_SWAP, when,
				   t->msg, sizeof(t->msg)));
		snprintf(when, sizeof(when), "round %d, read back", round);
		CHECK(expect_data(t->base, l, seed, when, t->msg,
				  sizeof(t->msg)));
		snprintf(when, sizeof(when), "round %d, after read-back",
			 round);
		CHECK(expect_pages(t->base, THREAD_PAGES, SVM_PAGE_RAM, when,
				   t->msg, sizeof(t->msg)));
	}
out:
	t->res = res;
	return NULL;
}

enum svm_result svm_case_threads_disjoint(int fd, char *msg, size_t len)
{
	struct thread_arg args[NR_THREADS];
	pthread_t threads[NR_THREADS];
	struct svm_client c = { .fd = -1 };
	struct svm_buf buf = { 0 };
	struct timespec deadline;
	unsigned int i, started = 0;
	bool hung = false;
	enum svm_result res;
	int go = 0, ret;

	res = open_client(fd, &c, msg, len);
	if (res != SVM_PASS)
		return res;
	CHECK(alloc_small(&buf, NR_THREADS * THREAD_PAGES, msg, len));
	for (i = 0; i < NR_THREADS; i++) {
		memset(&args[i], 0, sizeof(args[i]));
		args[i].fd = c.fd;
		args[i].base = (char *)buf.ptr + pages(i * THREAD_PAGES);
		args[i].id = i;
		args[i].go = &go;
		ret = pthread_create(&threads[i], NULL, thread_fn, &args[i]);
		if (ret) {
			res = fail(msg, len, "pthread_create: %s",
				   strerror(ret));
			break;
		}
		started++;
	}
	__atomic_store_n(&go, res == SVM_PASS ? 1 : -1, __ATOMIC_RELEASE);

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 120;
	for (i = 0; i < started; i++) {
		ret = pthread_timedjoin_np(threads[i], NULL, &deadline);
		if (ret) {
			res = fail(msg, len,
				   "thread %u not done after 120 s: %s", i,
				   strerror(ret));
			hung = true;
			break;
		}
		if (res == SVM_PASS && args[i].res != SVM_PASS)
			res = result(args[i].res, msg, len, "thread %u: %s", i,
				     args[i].msg);
	}
	/* A thread still running may touch the buffer: leave it mapped. */
	if (hung)
		buf.ptr = NULL;
out:
	svm_buf_free(&buf);
	if (!hung)
		svm_client_close(&c);
	return res;
}

enum svm_result svm_case_reclaim_idle(int fd, char *msg, size_t len)
{
	const size_t n = 2048, per = svm_thp_size() / svm_page_size();
	unsigned long delay = svm_module_param("dmem_idle_delay_ms", 1000);
	struct svm_dmem_stats s0, s1, s2, s;
	struct svm_client c = { .fd = -1 };
	struct svm_buf buf = { 0 };
	uint64_t t1, t2, t_done, deadline;
	enum svm_result res;
	char why[256];

	if (!dmem_stats(fd, &s0, why, sizeof(why)))
		return skip(msg, len, "%s", why);
	if (delay > 20000)
		return skip(msg, len,
			    "nouveau.dmem_idle_delay_ms=%lu: too long to wait for",
			    delay);
	res = open_client(fd, &c, msg, len);
	if (res != SVM_PASS)
		return res;
	CHECK(alloc_small(&buf, n, msg, len));
	svm_pattern_fill(buf.ptr, buf.len, 13);
	CHECK(migrate(c.fd, buf.ptr, buf.len, "bind", msg, len));
	CHECK(expect_pages(buf.ptr, n, SVM_PAGE_SWAP, "after bind", msg, len));
	if (!dmem_stats(fd, &s1, why, sizeof(why))) {
		res = fail(msg, len, "%s", why);
		goto out;
	}
	t1 = svm_now_ms();
	if (s1.backed < (n + per - 1) / per) {
		res = fail(msg, len, "%lu blocks backed for %zu device pages",
			   s1.backed, n);
		goto out;
	}
	if (s1.backed <= s1.idle_floor) {
		res = skip(msg, len,
			   "idle_floor %lu keeps all %lu blocks: nothing to reclaim",
			   s1.idle_floor, s1.backed);
		goto out;
	}

	CHECK(expect_data(buf.ptr, buf.len, 13, "read back", msg, len));
	svm_buf_free(&buf);
	t_done = svm_now_ms();

	/* The worker waits dmem_idle_delay_ms after the last free. */
	if (!dmem_stats(fd, &s2, why, sizeof(why))) {
		res = fail(msg, len, "%s", why);
		goto out;
	}
	t2 = svm_now_ms();
	if (delay >= 200 && t2 - t1 < delay / 2 &&
	    s2.reclaimed > s1.reclaimed) {
		res = fail(msg, len,
			   "%lu blocks reclaimed %llu ms after the last free, before dmem_idle_delay_ms=%lu",
			   s2.reclaimed - s1.reclaimed,
			   (unsigned long long)(t2 - t_done), delay);
		goto out;
	}

	deadline = t_done + delay + 5000;
	for (;;) {
		if (!dmem_stats(fd, &s, why, sizeof(why))) {
			res = fail(msg, len, "%s", why);
			goto out;
		}
		if (s.idle <= s.idle_floor && s.retired == 0 &&
		    s.backed < s1.backed && s.reclaimed > s1.reclaimed &&
		    s.used_pages <= s0.used_pages)
			break;
		if (svm_now_ms() > deadline) {
			res = fail(msg, len,
				   "%llu ms after the last free: idle %lu (floor %lu), backed %lu (%lu at peak), retired %lu, reclaimed %lu (%lu at peak), used_pages %lu (%lu before): idle blocks not given back",
				   (unsigned long long)(svm_now_ms() - t_done),
				   s.idle, s.idle_floor, s.backed, s1.backed,
				   s.retired, s.reclaimed, s1.reclaimed,
				   s.used_pages, s0.used_pages);
			goto out;
		}
		svm_sleep_ms(100);
	}
	res = note(msg, len,
		   "backed %lu -> %lu blocks, %lu reclaimed, %llu ms after the last free (delay %lu ms, floor %lu)",
		   s1.backed, s.backed, s.reclaimed - s1.reclaimed,
		   (unsigned long long)(svm_now_ms() - t_done), delay,
		   s.idle_floor);
out:
	svm_buf_free(&buf);
	svm_client_close(&c);
	return res;
}

const struct svm_case svm_cases[] = {
	{ "init-busy", svm_case_init_busy },
	{ "bind-invalid", svm_case_bind_invalid },
	{ "migrate-4k", svm_case_migrate_4k },
	{ "migrate-thp", svm_case_migrate_thp },
	{ "thp-partial-munmap", svm_case_thp_partial_munmap },
	{ "munmap-in-vram", svm_case_munmap_in_vram },
	{ "fork-read", svm_case_fork_read },
	{ "sizes-offsets", svm_case_sizes_offsets },
	{ "threads-disjoint", svm_case_threads_disjoint },
	{ "reclaim-idle", svm_case_reclaim_idle },
};

const size_t svm_nr_cases = sizeof(svm_cases) / sizeof(svm_cases[0]);
