// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "json_syntax.h"

struct scan {
	const unsigned char *s;
	size_t len;
	size_t pos;
	int depth;
	size_t err_pos;
	char *reason;
	size_t reasonlen;
};

static int scan_value(struct scan *sc);

static __attribute__((format(printf, 3, 4))) int fail(struct scan *sc, size_t pos, const char *fmt,
						      ...)
{
	va_list ap;

	sc->err_pos = pos;
	if (sc->reason && sc->reasonlen) {
		va_start(ap, fmt);
		vsnprintf(sc->reason, sc->reasonlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static bool at_end(const struct scan *sc)
{
	return sc->pos >= sc->len;
}

static int peek(const struct scan *sc)
{
	return at_end(sc) ? -1 : sc->s[sc->pos];
}

static void skip_ws(struct scan *sc)
{
	int c;

	while ((c = peek(sc)) == ' ' || c == '\t' || c == '\r' || c == '\n')
		sc->pos++;
}

static int unexpected(struct scan *sc, const char *expected)
{
	int c = peek(sc);

	if (c < 0)
		return fail(sc, sc->pos, "unexpected end of input, expected %s", expected);
	/* People reach for comments first; say why they fail rather than what was expected. */
	if (c == '/')
		return fail(sc, sc->pos, "unexpected character '/' (JSON has no comments)");
	if (c >= 0x20 && c < 0x7f)
		return fail(sc, sc->pos, "unexpected character '%c', expected %s", c, expected);
	return fail(sc, sc->pos, "unexpected byte 0x%02x, expected %s", c, expected);
}

static bool is_word_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int scan_string(struct scan *sc)
{
	size_t start = sc->pos++;

	for (;;) {
		int c = peek(sc);

		/*
		 * A line break here almost always means a missing closing quote,
		 * so the error points at the opening one.
		 */
		if (c < 0 || c == '\n' || c == '\r')
			return fail(sc, start, "unterminated string");
		if (c == '"') {
			sc->pos++;
			return 0;
		}
		if (c < 0x20)
			return fail(sc, sc->pos, "control character 0x%02x in string", c);
		if (c != '\\') {
			sc->pos++;
			continue;
		}
		sc->pos++;
		c = peek(sc);
		if (c > 0 && strchr("\"\\/bfnrt", c)) {
			sc->pos++;
			continue;
		}
		if (c == 'u') {
			for (int i = 1; i <= 4; i++) {
				if (sc->pos + i >= sc->len || !is_hex(sc->s[sc->pos + i]))
					return fail(sc, sc->pos - 1,
						    "invalid escape sequence, expected \\uXXXX");
			}
			sc->pos += 5;
			continue;
		}
		return fail(sc, sc->pos - 1, "invalid escape sequence in string");
	}
}

static int scan_number(struct scan *sc)
{
	size_t start = sc->pos;

	if (peek(sc) == '-')
		sc->pos++;
	if (peek(sc) == '0') {
		sc->pos++;
	} else if (is_digit(peek(sc))) {
		while (is_digit(peek(sc)))
			sc->pos++;
	} else {
		return fail(sc, start, "invalid number");
	}
	if (peek(sc) == '.') {
		sc->pos++;
		if (!is_digit(peek(sc)))
			return fail(sc, start, "invalid number");
		while (is_digit(peek(sc)))
			sc->pos++;
	}
	if (peek(sc) == 'e' || peek(sc) == 'E') {
		sc->pos++;
		if (peek(sc) == '+' || peek(sc) == '-')
			sc->pos++;
		if (!is_digit(peek(sc)))
			return fail(sc, start, "invalid number");
		while (is_digit(peek(sc)))
			sc->pos++;
	}
	/* Catches 01, 1.2.3 and 0x10 here, where the message can still say "number". */
	if (is_word_char(peek(sc)) || peek(sc) == '.')
		return fail(sc, start, "invalid number");
	return 0;
}

static int scan_word(struct scan *sc)
{
	static const char *const literals[] = { "true", "false", "null" };
	size_t start = sc->pos;
	size_t n;

	while (is_word_char(peek(sc)))
		sc->pos++;
	n = sc->pos - start;
	for (size_t i = 0; i < sizeof(literals) / sizeof(literals[0]); i++) {
		if (strlen(literals[i]) == n && !memcmp(sc->s + start, literals[i], n))
			return 0;
	}
	return fail(sc, start, "unexpected word '%.*s' (strings need double quotes)",
		    n > 24 ? 24 : (int)n, (const char *)sc->s + start);
}

static int scan_object(struct scan *sc)
{
	sc->pos++;
	skip_ws(sc);
	if (peek(sc) == '}') {
		sc->pos++;
		return 0;
	}
	for (;;) {
		skip_ws(sc);
		if (peek(sc) != '"')
			return unexpected(sc, "a key in double quotes");
		if (scan_string(sc))
			return -EINVAL;
		skip_ws(sc);
		if (peek(sc) != ':')
			return unexpected(sc, "':'");
		sc->pos++;
		if (scan_value(sc))
			return -EINVAL;
		skip_ws(sc);
		if (peek(sc) == '}') {
			sc->pos++;
			return 0;
		}
		if (peek(sc) != ',')
			return unexpected(sc, "',' or '}'");
		sc->pos++;
	}
}

static int scan_array(struct scan *sc)
{
	sc->pos++;
	skip_ws(sc);
	if (peek(sc) == ']') {
		sc->pos++;
		return 0;
	}
	for (;;) {
		if (scan_value(sc))
			return -EINVAL;
		skip_ws(sc);
		if (peek(sc) == ']') {
			sc->pos++;
			return 0;
		}
		if (peek(sc) != ',')
			return unexpected(sc, "',' or ']'");
		sc->pos++;
	}
}

static int scan_value(struct scan *sc)
{
	int c, ret;

	skip_ws(sc);
	c = peek(sc);
	if (c == '"')
		return scan_string(sc);
	if (c == '-' || is_digit(c))
		return scan_number(sc);
	if (c >= 0 && is_word_char(c))
		return scan_word(sc);
	if (c != '{' && c != '[')
		return unexpected(sc, "a value");
	if (++sc->depth > JSON_SYNTAX_MAX_DEPTH)
		return fail(sc, sc->pos, "nested deeper than %d levels", JSON_SYNTAX_MAX_DEPTH);
	ret = c == '{' ? scan_object(sc) : scan_array(sc);
	sc->depth--;
	return ret;
}

int json_syntax_check(const char *text, size_t len, size_t *offset, char *reason, size_t reasonlen)
{
	struct scan sc = {
		.s = (const unsigned char *)text,
		.len = len,
		.reason = reason,
		.reasonlen = reasonlen,
	};

	if (scan_value(&sc))
		goto err;
	skip_ws(&sc);
	if (!at_end(&sc)) {
		unexpected(&sc, "end of input");
		goto err;
	}
	return 0;
err:
	if (offset)
		*offset = sc.err_pos;
	return -EINVAL;
}

void json_line_col(const char *text, size_t offset, unsigned int *line, unsigned int *col)
{
	unsigned int l = 1, c = 1;

	for (size_t i = 0; i < offset && text[i]; i++) {
		unsigned char b = text[i];

		if (b == '\n') {
			l++;
			c = 1;
		} else if ((b & 0xc0) != 0x80) {
			/* UTF-8 continuation bytes belong to the character before them. */
			c++;
		}
	}
	*line = l;
	*col = c;
}
