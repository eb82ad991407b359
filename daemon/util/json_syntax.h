/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A strict RFC 8259 syntax check run before cJSON parses a config.  cJSON
 * accepts some invalid input (leading zeros, raw line breaks in strings) and
 * reports the position of many errors at the end of the input instead of at
 * the offending character, which makes "FILE:LINE:COL" useless for the most
 * common mistake, a trailing comma.
 */
#ifndef SKBTRACE_JSON_SYNTAX_H
#define SKBTRACE_JSON_SYNTAX_H

#include <stddef.h>

/* Deep enough for any config, and no deeper than cJSON accepts. */
#define JSON_SYNTAX_MAX_DEPTH 512

/*
 * Returns 0 when text[0..len) is one valid JSON value surrounded by
 * whitespace; otherwise -1, with the byte offset of the error in *offset and
 * a short one-line reason such as "unexpected character '}', expected a key".
 */
int json_syntax_check(const char *text, size_t len, size_t *offset, char *reason, size_t reasonlen);

/* 1-based line and column (in characters, a tab counting as one) of a byte offset. */
void json_line_col(const char *text, size_t offset, unsigned int *line, unsigned int *col);

#endif /* SKBTRACE_JSON_SYNTAX_H */
