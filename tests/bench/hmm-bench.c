// SPDX-License-Identifier: GPL-2.0
/*
 * Device-page workloads for `make bench`, driven through test_hmm's uapi as
 * it is in 7.3.4, so the unpatched kernel runs exactly the same thing:
 *
 *   migrate_4k        MIGRATE_TO_DEV and MIGRATE_TO_SYS of small pages
 *   migrate_4k_2t     the same from two threads on disjoint buffers and files
 *   munmap_dev        munmap() of pages that are on the device: the free path
 *   migrate_thp       both directions on MADV_HUGEPAGE buffers
 *   mem_held          MemFree lost after the workload, before and after
 *                     test_hmm's reclaim (HMM_DMIRROR_RECLAIM where it exists)
 *
 * -w migrate_thp runs that workload alone, for `make bench-profile`.  With
 * -c CTL,ACK (perf record --control fifo:CTL,ACK -D -1) perf samples the
 * whole run, or with -w migrate_thp only the MIGRATE_TO_DEV or
 * MIGRATE_TO_SYS ioctls that -p names: fill and check would otherwise
 * dwarf the migration.
 *
 * Every metric is the median of --rounds runs, printed as
 * "@@ BENCH <metric> <value> <unit>".  Data is checked after each round trip:
 * a benchmark that moves the wrong bytes is not a benchmark.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <lib/test_hmm_uapi.h>

#define PAGE		4096UL
#define THP		(2UL << 20)

static unsigned long npages = 4096;	/* 16 MiB per buffer */
static int rounds = 5;
static const char *dev0 = "/dev/hmm_dmirror0", *dev1 = "/dev/hmm_dmirror1";
static int perf_ctl = -1, perf_ack = -1;
static unsigned long perf_req;	/* the ioctl perf samples; 0: all */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static void die(const char *what)
{
	fprintf(stderr, "hmm-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void *map(unsigned long bytes, int huge)
{
	char *raw = mmap(NULL, bytes + THP, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *p;

	if (raw == MAP_FAILED)
		die("mmap");
	/* THP-aligned either way, so only the madvise differs. */
	p = (char *)(((uintptr_t)raw + THP - 1) & ~(THP - 1));
	if (p > raw)
		munmap(raw, p - raw);
	munmap(p + bytes, raw + bytes + THP - (p + bytes));
	if (madvise(p, bytes, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		die("madvise");
	return p;
}

static void fill(unsigned long *p, unsigned long bytes, unsigned long seed)
{
	unsigned long i;

	for (i = 0; i < bytes / sizeof(*p); i++)
		p[i] = seed ^ i;
}

static void check(const unsigned long *p, unsigned long bytes, unsigned long seed)
{
	unsigned long i;

	for (i = 0; i < bytes / sizeof(*p); i++)
		if (p[i] != (seed ^ i)) {
			fprintf(stderr, "hmm-bench: data mismatch at %lu\n", i * sizeof(*p));
			exit(1);
		}
}

/* Sends perf record a control command and waits until it took effect. */
static void perf_cmd(const char *cmd)
{
	char ack[16];

	if (perf_ctl < 0)
		return;
	if (write(perf_ctl, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
		die("perf control fifo");
	if (read(perf_ack, ack, sizeof(ack)) <= 0)
		die("perf ack fifo");
}

static void perf_open(char *fifos)
{
	char *ack = strchr(fifos, ',');

	if (!ack)
		die("-c CTL,ACK");
	*ack++ = 0;
	/* Fails (ENXIO) rather than waits for ever when no perf opened it. */
	perf_ctl = open(fifos, O_WRONLY | O_NONBLOCK);
	perf_ack = open(ack, O_RDONLY);
	if (perf_ctl < 0 || perf_ack < 0 ||
	    fcntl(perf_ctl, F_SETFL, 0))
		die("open the perf fifos");
}

/*
 * MIGRATE_TO_DEV also copies what the device now holds to @mirror, as
 * hmm-tests checks it: both kernels pay that copy alike.
 */
static void migrate(int fd, unsigned long req, void *addr, void *mirror,
		    unsigned long bytes, int huge)
{
	/* test_hmm counts a THP once; a THP that did not form counts 512. */
	unsigned long want = huge ? bytes / THP : bytes / PAGE;

	struct hmm_dmirror_cmd cmd = {
		.addr = (uintptr_t)addr,
		.ptr = (uintptr_t)mirror,
		.npages = bytes / PAGE,
	};

	if (req == perf_req)
		perf_cmd("enable\n");
	if (ioctl(fd, req, &cmd))
		die(req == HMM_DMIRROR_MIGRATE_TO_DEV ? "MIGRATE_TO_DEV" : "MIGRATE_TO_SYS");
	if (req == perf_req)
		perf_cmd("disable\n");
	if (cmd.cpages < want || cmd.cpages > cmd.npages) {
		fprintf(stderr, "hmm-bench: %llu of %llu pages migrated\n",
			(unsigned long long)cmd.cpages, (unsigned long long)cmd.npages);
		exit(1);
	}
}

struct trip {
	int fd, huge;
	unsigned long bytes, seed;
	double to_dev_ns, to_sys_ns;
};

/* One round trip: fill, to the device, back, check. */
static void *round_trip(void *arg)
{
	struct trip *t = arg;
	void *p = map(t->bytes, t->huge);
	void *mirror = map(t->bytes, 0);
	double t0;

	fill(p, t->bytes, t->seed);
	t0 = now_ns();
	migrate(t->fd, HMM_DMIRROR_MIGRATE_TO_DEV, p, mirror, t->bytes, t->huge);
	t->to_dev_ns = now_ns() - t0;
	check(mirror, t->bytes, t->seed);
	t0 = now_ns();
	migrate(t->fd, HMM_DMIRROR_MIGRATE_TO_SYS, p, mirror, t->bytes, t->huge);
	t->to_sys_ns = now_ns() - t0;
	check(p, t->bytes, t->seed);
	munmap(p, t->bytes);
	munmap(mirror, t->bytes);
	return NULL;
}

static void bench_migrate(int fd, int huge, const char *name)
{
	double to_dev[64], to_sys[64];
	unsigned long bytes = npages * PAGE;
	int r;

	for (r = 0; r < rounds; r++) {
		struct trip t = { .fd = fd, .huge = huge, .bytes = bytes, .seed = r };

		round_trip(&t);
		to_dev[r] = t.to_dev_ns;
		to_sys[r] = t.to_sys_ns;
	}
	if (huge) {
		printf("@@ BENCH %s_to_dev %.0f MB/s\n", name, bytes / median(to_dev, rounds) * 1e3);
		printf("@@ BENCH %s_to_sys %.0f MB/s\n", name, bytes / median(to_sys, rounds) * 1e3);
	} else {
		printf("@@ BENCH %s_to_dev %.0f ns/page\n", name, median(to_dev, rounds) / npages);
		printf("@@ BENCH %s_to_sys %.0f ns/page\n", name, median(to_sys, rounds) / npages);
	}
}

/* Two threads, each with its own file and buffer: wall time per page. */
static void bench_migrate_2t(int fd0, int fd1)
{
	double wall[64];
	int r;

	for (r = 0; r < rounds; r++) {
		struct trip t[2] = {
			{ .fd = fd0, .bytes = npages * PAGE / 2, .seed = 2 * r },
			{ .fd = fd1, .bytes = npages * PAGE / 2, .seed = 2 * r + 1 },
		};
		pthread_t th[2];
		double t0 = now_ns();
		int i;

		for (i = 0; i < 2; i++)
			if (pthread_create(&th[i], NULL, round_trip, &t[i]))
				die("pthread_create");
		for (i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		wall[r] = now_ns() - t0;
	}
	printf("@@ BENCH migrate_4k_2t_round_trip %.0f ns/page\n", median(wall, rounds) / npages);
}

/* Pages on the device, then munmap(): nothing but the free path. */
static void bench_munmap(int fd)
{
	unsigned long bytes = npages * PAGE;
	double ns[64];
	int r;

	for (r = 0; r < rounds; r++) {
		void *p = map(bytes, 0);
		void *mirror = map(bytes, 0);
		double t0;

		fill(p, bytes, r);
		migrate(fd, HMM_DMIRROR_MIGRATE_TO_DEV, p, mirror, bytes, 0);
		t0 = now_ns();
		munmap(p, bytes);
		ns[r] = now_ns() - t0;
		munmap(mirror, bytes);
	}
	printf("@@ BENCH munmap_dev %.0f ns/page\n", median(ns, rounds) / npages);
}

static long mem_free_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		die("/proc/meminfo");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static void settle(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	sync();
	if (fd >= 0) {
		if (write(fd, "3", 1) < 0)
			perror("drop_caches");
		close(fd);
	}
	sleep(1);
}

int main(int argc, char **argv)
{
	long before, after, reclaimed;
	int fd0, fd1, opt, have_reclaim = 0, thp_only = 0, bad = 0;
	char *fifos = NULL;

	while ((opt = getopt(argc, argv, "c:n:p:r:w:")) != -1) {
		if (opt == 'n')
			npages = strtoul(optarg, NULL, 0);
		else if (opt == 'r')
			rounds = atoi(optarg);
		else if (opt == 'w' && !strcmp(optarg, "migrate_thp"))
			thp_only = 1;
		else if (opt == 'c')
			fifos = optarg;
		else if (opt == 'p' && !strcmp(optarg, "to_dev"))
			perf_req = HMM_DMIRROR_MIGRATE_TO_DEV;
		else if (opt == 'p' && !strcmp(optarg, "to_sys"))
			perf_req = HMM_DMIRROR_MIGRATE_TO_SYS;
		else
			bad = 1;
	}
	/* -p: migrate_4k_2t's threads would switch perf off under each other. */
	if (bad || npages < 2 || npages % 512 || rounds < 1 || rounds > 64 ||
	    (perf_req && (!fifos || !thp_only))) {
		fprintf(stderr, "usage: hmm-bench [-n pages, a multiple of 512] [-r rounds <= 64]\n"
			"                 [-w migrate_thp [-c CTL,ACK -p to_dev|to_sys]] [-c CTL,ACK]\n");
		return 2;
	}
	if (fifos) {
		perf_open(fifos);
		if (!perf_req)
			perf_cmd("enable\n");
	}
	fd0 = open(dev0, O_RDWR);
	fd1 = open(dev1, O_RDWR);
	if (fd0 < 0 || fd1 < 0)
		die("open /dev/hmm_dmirror*");
	if (thp_only) {
		bench_migrate(fd0, 1, "migrate_thp");
		return 0;
	}

	settle();
	before = mem_free_kib();
	bench_migrate(fd0, 0, "migrate_4k");
	bench_migrate_2t(fd0, fd1);
	bench_munmap(fd0);
	bench_migrate(fd0, 1, "migrate_thp");
	settle();
	after = mem_free_kib();
	printf("@@ BENCH mem_held_after %ld KiB\n", before - after);
#ifdef HMM_DMIRROR_RECLAIM
	{
		struct hmm_dmirror_reclaim rc = { .keep = 0 };

		have_reclaim = !ioctl(fd0, HMM_DMIRROR_RECLAIM, &rc) &&
			       !ioctl(fd1, HMM_DMIRROR_RECLAIM, &rc);
	}
#endif
	settle();
	reclaimed = mem_free_kib();
	printf("@@ BENCH mem_held_after_reclaim %ld KiB\n", before - reclaimed);
	printf("@@ INFO hmm-bench: %lu pages, %d rounds, reclaim ioctl %s\n",
	       npages, rounds, have_reclaim ? "used" : "absent");
	close(fd0);
	close(fd1);
	return 0;
}
