/* SPDX-License-Identifier: MIT */
/*
 * The nouveau SVM test cases, shared by the igt test (nouveau_svm.c: one
 * subtest each) and the standalone runner (svm_standalone.c). Each takes an
 * open nouveau DRM fd, opens its own SVM clients on that device, and returns
 * a result with a message.
 */
#ifndef SVM_CASES_H
#define SVM_CASES_H

#include <stddef.h>

#include "svm_core.h"

#define SVM_MSG_LEN 512

enum svm_result {
	SVM_PASS,
	SVM_FAIL,
	SVM_SKIP,
};

typedef enum svm_result (*svm_case_fn)(int fd, char *msg, size_t len);

struct svm_case {
	const char *name;	/* the igt subtest name */
	svm_case_fn fn;
};

extern const struct svm_case svm_cases[];
extern const size_t svm_nr_cases;

/* SKIP when SVM cannot be used on @fd's device, FAIL when it is broken. */
enum svm_result svm_probe(int fd, char *msg, size_t len);

enum svm_result svm_case_init_busy(int fd, char *msg, size_t len);
enum svm_result svm_case_bind_invalid(int fd, char *msg, size_t len);
enum svm_result svm_case_migrate_4k(int fd, char *msg, size_t len);
enum svm_result svm_case_migrate_thp(int fd, char *msg, size_t len);
enum svm_result svm_case_thp_partial_munmap(int fd, char *msg, size_t len);
enum svm_result svm_case_munmap_in_vram(int fd, char *msg, size_t len);
enum svm_result svm_case_fork_read(int fd, char *msg, size_t len);
enum svm_result svm_case_sizes_offsets(int fd, char *msg, size_t len);
enum svm_result svm_case_threads_disjoint(int fd, char *msg, size_t len);
enum svm_result svm_case_reclaim_idle(int fd, char *msg, size_t len);

#endif
