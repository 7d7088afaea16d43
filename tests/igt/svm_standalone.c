// SPDX-License-Identifier: GPL-2.0
/*
 * Runs the nouveau SVM cases of svm_cases.c without igt, as a kselftest
 * (TAP output, exit 0 pass, 1 fail, 4 all skipped). Each case runs in a
 * child process with a timeout, so a crash or a hang is one failed case.
 *
 *   svm_standalone [-d /dev/dri/renderDN] [-t seconds] [-l] [case...]
 *
 * The device defaults to $SVM_DEVICE, else the first nouveau node in
 * $SVM_DRI_DIR (default /dev/dri).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest.h"
#include "svm_cases.h"

struct shared_result {
	enum svm_result res;
	char msg[SVM_MSG_LEN];
};

static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [-d device] [-t seconds] [-l] [case...]\n", argv0);
}

static int open_device(const char *path, char *why, size_t len)
{
	const char *dir = getenv("SVM_DRI_DIR");
	char found[256];
	int fd;

	if (!path)
		path = getenv("SVM_DEVICE");
	if (!path) {
		fd = svm_find_nouveau(dir ? dir : "/dev/dri", found,
				      sizeof(found), why, len);
		if (fd >= 0)
			ksft_print_msg("device %s\n", found);
		return fd;
	}
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, len, "no nouveau device: %s: %s", path,
			 strerror(errno));
		return -ENODEV;
	}
	if (!svm_is_nouveau(fd)) {
		close(fd);
		snprintf(why, len, "no nouveau device: %s is not nouveau",
			 path);
		return -ENODEV;
	}
	ksft_print_msg("device %s\n", path);
	return fd;
}

static void run_case(const struct svm_case *tc, int fd, unsigned int timeout,
		     struct shared_result *out)
{
	uint64_t deadline = svm_now_ms() + 1000ULL * timeout;
	int status;
	pid_t pid;

	out->res = SVM_FAIL;
	snprintf(out->msg, sizeof(out->msg), "no result");
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		snprintf(out->msg, sizeof(out->msg), "fork: %s",
			 strerror(errno));
		return;
	}
	if (pid == 0) {
		char msg[SVM_MSG_LEN] = "";
		enum svm_result res = tc->fn(fd, msg, sizeof(msg));

		memcpy(out->msg, msg, sizeof(msg));
		out->res = res;
		_exit(0);
	}
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (svm_now_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			out->res = SVM_FAIL;
			snprintf(out->msg, sizeof(out->msg),
				 "timed out after %u s", timeout);
			return;
		}
		svm_sleep_ms(10);
	}
	if (WIFSIGNALED(status)) {
		out->res = SVM_FAIL;
		snprintf(out->msg, sizeof(out->msg), "killed by signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	}
}

static const struct svm_case *find_case(const char *name)
{
	size_t i;

	for (i = 0; i < svm_nr_cases; i++)
		if (!strcmp(svm_cases[i].name, name))
			return &svm_cases[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct svm_case *sel[64];
	const char *device = NULL;
	struct shared_result *out;
	unsigned int timeout = 120;
	size_t i, nsel = 0;
	char why[SVM_MSG_LEN];
	enum svm_result probe;
	int opt, fd;

	while ((opt = getopt(argc, argv, "d:t:lh")) != -1) {
		switch (opt) {
		case 'd':
			device = optarg;
			break;
		case 't':
			timeout = strtoul(optarg, NULL, 10);
			break;
		case 'l':
			for (i = 0; i < svm_nr_cases; i++)
				printf("%s\n", svm_cases[i].name);
			return KSFT_PASS;
		default:
			usage(argv[0]);
			return opt == 'h' ? KSFT_PASS : KSFT_FAIL;
		}
	}
	for (; optind < argc && nsel < 64; optind++) {
		sel[nsel] = find_case(argv[optind]);
		if (!sel[nsel]) {
			fprintf(stderr, "unknown case %s (-l lists them)\n",
				argv[optind]);
			return KSFT_FAIL;
		}
		nsel++;
	}
	if (!nsel)
		for (; nsel < svm_nr_cases && nsel < 64; nsel++)
			sel[nsel] = &svm_cases[nsel];
	if (!timeout)
		timeout = 120;

	ksft_print_header();
	ksft_set_plan(nsel);

	out = mmap(NULL, sizeof(*out), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (out == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));

	fd = open_device(device, why, sizeof(why));
	probe = fd >= 0 ? svm_probe(fd, why, sizeof(why)) : SVM_SKIP;
	if (probe != SVM_PASS) {
		int code = probe == SVM_SKIP ? KSFT_SKIP : KSFT_FAIL;

		for (i = 0; i < nsel; i++)
			ksft_test_result_code(code, sel[i]->name, "%s", why);
		ksft_print_cnts();
		return code;
	}

	for (i = 0; i < nsel; i++) {
		uint64_t t0 = svm_now_ms();

		run_case(sel[i], fd, timeout, out);
		ksft_print_msg("%s: %llu ms\n", sel[i]->name,
			       (unsigned long long)(svm_now_ms() - t0));
		switch (out->res) {
		case SVM_PASS:
			if (out->msg[0])
				ksft_test_result_code(KSFT_PASS, sel[i]->name,
						      "%s", out->msg);
			else
				ksft_test_result_code(KSFT_PASS, sel[i]->name,
						      NULL);
			break;
		case SVM_SKIP:
			ksft_test_result_code(KSFT_SKIP, sel[i]->name, "%s",
					      out->msg);
			break;
		default:
			ksft_test_result_code(KSFT_FAIL, sel[i]->name, "%s",
					      out->msg);
			break;
		}
	}
	close(fd);
	ksft_print_cnts();
	if (ksft_get_fail_cnt())
		return KSFT_FAIL;
	if (!ksft_get_pass_cnt() && ksft_get_xskip_cnt())
		return KSFT_SKIP;
	return KSFT_PASS;
}
