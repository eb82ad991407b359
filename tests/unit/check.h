/* SPDX-License-Identifier: GPL-2.0 */
/* A minimal assertion kit for the unit tests; each test binary is one ctest test. */
#ifndef SKBTRACE_CHECK_H
#define SKBTRACE_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int check_failures;
static int check_count;
static const char *check_skipped;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		check_count++;                                                                     \
		if (!(cond)) {                                                                     \
			check_failures++;                                                          \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);   \
		}                                                                                  \
	} while (0)

#define CHECK_STR_EQ(a, b)                                                                         \
	do {                                                                                       \
		const char *a_ = (a), *b_ = (b);                                                   \
		check_count++;                                                                     \
		if (!a_ || !b_ || strcmp(a_, b_)) {                                                \
			check_failures++;                                                          \
			fprintf(stderr, "%s:%d: expected \"%s\", got \"%s\"\n", __FILE__,          \
				__LINE__, b_ ? b_ : "(null)", a_ ? a_ : "(null)");                 \
		}                                                                                  \
	} while (0)

#define CHECK_CONTAINS(hay, needle)                                                                \
	do {                                                                                       \
		const char *h_ = (hay), *n_ = (needle);                                            \
		check_count++;                                                                     \
		if (!h_ || !strstr(h_, n_)) {                                                      \
			check_failures++;                                                          \
			fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n", __FILE__,       \
				__LINE__, h_ ? h_ : "(null)", n_);                                 \
		}                                                                                  \
	} while (0)

/*
 * Writes data (a C string) to a new file made from template (mkstemp's
 * "...XXXXXX", modified in place) and returns its path, or NULL.
 */
static inline char *check_write_temp(char *template, const char *data)
{
	size_t len = strlen(data);
	int fd = mkstemp(template);

	if (fd < 0)
		return NULL;
	if (write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return NULL;
	}
	close(fd);
	return template;
}

/*
 * Marks part of a test as not run, so that ctest reports the whole test
 * skipped (exit 77) rather than passed when everything else succeeded.
 */
static inline void check_skip(const char *why)
{
	printf("skipped: %s\n", why);
	check_skipped = why;
}

static inline int check_summary(const char *name)
{
	printf("%s: %d checks, %d failed%s\n", name, check_count, check_failures,
	       check_skipped ? ", some skipped" : "");
	if (check_failures)
		return 1;
	return check_skipped ? 77 : 0;
}

#endif /* SKBTRACE_CHECK_H */
