/* SPDX-License-Identifier: GPL-2.0 */
/* A growable array of fixed-size rows, for collecting map entries at scrape time. */
#ifndef SKBTRACE_ROWS_H
#define SKBTRACE_ROWS_H

#include <stddef.h>

/*
 * The one growth of every array of the daemon: *pp (the address of the
 * array's pointer) holds at least need elements of size bytes afterwards,
 * its capacity *cap doubled from first.  Returns 0, or -ENOMEM (the array
 * as it was) when out of memory or when the size would overflow.
 */
int grow_array(void *pp, size_t *cap, size_t need, size_t size, size_t first);
#define GROW(pp, capp, need, first) grow_array((pp), (capp), (need), sizeof(**(pp)), (first))

struct rows {
	void *v;
	size_t n, cap, size; /* size: bytes per row, set by the user */
};

/* Appends a zeroed row and returns it, or NULL when out of memory. */
void *rows_push(struct rows *r);
void rows_free(struct rows *r);

#endif /* SKBTRACE_ROWS_H */
