/* SPDX-License-Identifier: GPL-2.0 */
/* Lines of a screen that never wrap: each is cut at the width, the count at the height. */
#ifndef SKBTRACE_TOP_SCREEN_H
#define SKBTRACE_TOP_SCREEN_H

#include <stddef.h>

struct top_screen {
	int width, height; /* 0: unbounded (plain output) */
	char **lines;
	size_t n, cap;
};

/*
 * Appends one line; bytes that are not printable ASCII (label values come
 * from the network and could carry terminal escapes) become '?'.
 * -ENOSPC once the screen is full, -ENOMEM.
 */
int top_screen_add(struct top_screen *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int top_screen_left(const struct top_screen *s); /* lines still free; INT_MAX unbounded */
void top_screen_free(struct top_screen *s);

#endif /* SKBTRACE_TOP_SCREEN_H */
