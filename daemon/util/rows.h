/* SPDX-License-Identifier: GPL-2.0 */
/* A growable array of fixed-size rows, for collecting map entries at scrape time. */
#ifndef SKBTRACE_ROWS_H
#define SKBTRACE_ROWS_H

#include <stddef.h>

struct rows {
	void *v;
	size_t n, cap, size; /* size: bytes per row, set by the user */
};

/* Appends a zeroed row and returns it, or NULL when out of memory. */
void *rows_push(struct rows *r);
void rows_free(struct rows *r);

#endif /* SKBTRACE_ROWS_H */
