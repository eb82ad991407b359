/* SPDX-License-Identifier: GPL-2.0 */
/* Text into HTML and SVG: function names and reasons come from the kernel. */
#ifndef SKBTRACE_MARKUP_H
#define SKBTRACE_MARKUP_H

#include <stdio.h>

/*
 * Writes s escaped for XML and HTML text and attribute values.  Bytes XML
 * cannot carry (controls, and anything not ASCII: kernel symbols are ASCII)
 * become '?', so that the output always parses.
 */
void markup_escape(FILE *f, const char *s);

#endif /* SKBTRACE_MARKUP_H */
