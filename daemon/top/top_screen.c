// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE /* vasprintf */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "top_screen.h"

int top_screen_add(struct top_screen *s, const char *fmt, ...)
{
	va_list ap;
	char *line;
	int len;

	if (s->height > 0 && s->n >= (size_t)s->height)
		return -ENOSPC;
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 64;
		char **nl = realloc(s->lines, ncap * sizeof(*nl));

		if (!nl)
			return -ENOMEM;
		s->lines = nl;
		s->cap = ncap;
	}
	va_start(ap, fmt);
	len = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (len < 0)
		return -ENOMEM;
	for (char *p = line; *p; p++)
		if ((unsigned char)*p < ' ' || (unsigned char)*p >= 0x7f)
			*p = '?';
	if (s->width > 0 && len > s->width)
		line[s->width] = '\0';
	for (len = strlen(line); len > 0 && line[len - 1] == ' '; len--)
		line[len - 1] = '\0';
	s->lines[s->n++] = line;
	return 0;
}

int top_screen_left(const struct top_screen *s)
{
	return s->height > 0 ? s->height - (int)s->n : INT_MAX;
}

void top_screen_free(struct top_screen *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->lines[i]);
	free(s->lines);
	s->lines = NULL;
	s->n = s->cap = 0;
}
