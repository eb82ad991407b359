// SPDX-License-Identifier: GPL-2.0
/*
 * Names the kernel holds (nftables tables and chains) as label values
 * (series_label_text()): hostile ones — quotes, backslashes, newlines,
 * control bytes, invalid and overlong UTF-8, names cut at the key's size —
 * come out as valid UTF-8 that the exposition escapes into one line; and
 * random fields, checked the same way.
 */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "expo.h"
#include "series.h"

#define FIELD 64

static char *text(const char *name, size_t n)
{
	static char buf[SERIES_TEXT_LEN(FIELD)];
	unsigned char field[FIELD] = { 0 };

	memcpy(field, name, n > FIELD ? FIELD : n);
	series_label_text(buf, sizeof(buf), field, FIELD);
	return buf;
}

/* Independent of series.c: glibc's decoder refuses what is not UTF-8. */
static bool valid_utf8(const char *s)
{
	iconv_t cd = iconv_open("UTF-32LE", "UTF-8");
	size_t in = strlen(s), out = 4 * in + 4;
	char *ibuf = (char *)s, *obuf = malloc(out), *o = obuf;
	bool ok = cd != (iconv_t)-1 && obuf && iconv(cd, &ibuf, &in, &o, &out) != (size_t)-1;

	if (cd != (iconv_t)-1)
		iconv_close(cd);
	free(obuf);
	return ok;
}

/* The exposition of one sample with the value as its label: one line, ending in " 1". */
static void check_rendered(const char *value)
{
	struct expo *e = expo_new();
	struct expo_family *f = expo_family(e, "t_total", EXPO_COUNTER, "T.");
	struct expo_label l = { "table", value };
	size_t len = 0;
	char *s, *line;

	CHECK(f && !expo_add_u64(f, &l, 1, 1));
	s = expo_render(e, &len);
	line = s ? strstr(s, "\nt_total{") : NULL;
	CHECK(line != NULL);
	if (line) {
		line++;
		CHECK(strchr(line, '\n') == line + strlen(line) - 1);
		CHECK(len >= 4 && !strcmp(s + len - 4, "} 1\n"));
	}
	free(s);
	expo_free(e);
}

int main(void)
{
	char buf[8], cut[FIELD];
	unsigned char field[FIELD];

	CHECK_STR_EQ(text("filter", 6), "filter");
	CHECK_STR_EQ(text("", 0), "");
	/* Quotes, backslashes and newlines are expo's to escape. */
	CHECK_STR_EQ(text("a\"b\\c\nd", 7), "a\"b\\c\nd");
	/* Control bytes but newline, DEL and bytes that are no UTF-8, as \xNN. */
	CHECK_STR_EQ(text("a\tb\x7f", 4), "a\\x09b\\x7f");
	CHECK_STR_EQ(text("\xff\xfe", 2), "\\xff\\xfe");
	CHECK_STR_EQ(text("\xc0\x80", 2), "\\xc0\\x80");		   /* overlong NUL */
	CHECK_STR_EQ(text("\xe0\x80\xaf", 3), "\\xe0\\x80\\xaf");	   /* overlong '/' */
	CHECK_STR_EQ(text("\xed\xa0\x80", 3), "\\xed\\xa0\\x80");	   /* a UTF-16 surrogate */
	CHECK_STR_EQ(text("\xf4\x90\x80\x80", 4), "\\xf4\\x90\\x80\\x80"); /* past U+10FFFF */
	CHECK_STR_EQ(text("x\xe2\x82", 3), "x\\xe2\\x82"); /* a sequence cut short */
	/* Valid UTF-8 stays: é, €, an emoji. */
	CHECK_STR_EQ(text("\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\xa5", 9),
		     "\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\xa5");

	/* A field with no NUL was cut by the program: 63 bytes and "...". */
	memset(cut, 'n', sizeof(cut));
	CHECK(strlen(text(cut, sizeof(cut))) == FIELD - 1 + 3);
	CHECK(!strcmp(text(cut, sizeof(cut)) + FIELD - 1, "..."));
	/* The longest label: 63 escaped bytes and the mark, in SERIES_TEXT_LEN. */
	memset(cut, '\xff', sizeof(cut));
	CHECK(strlen(text(cut, sizeof(cut))) == 4 * (FIELD - 1) + 3);
	check_rendered(text(cut, sizeof(cut)));
	/* A small buffer truncates whole characters and escapes, never overruns. */
	memset(field, 0, sizeof(field));
	memcpy(field, "ab\xff\xff", 4);
	series_label_text(buf, 5, field, FIELD);
	CHECK_STR_EQ(buf, "ab");

	check_rendered(text("a\"b\\c\nd", 7));
	check_rendered(text("\n\n\"\"\\\\", 6));

	/* Random fields, NUL-terminated or cut: valid UTF-8 and one exposition line each. */
	srand(28);
	for (int i = 0; i < 20000; i++) {
		size_t n = (size_t)rand() % (FIELD + 1);
		bool ok;
		char *s;

		for (size_t k = 0; k < FIELD; k++)
			field[k] = k < n ? (unsigned char)(rand() % 255 + 1) : 0;
		s = text((const char *)field, FIELD);
		ok = valid_utf8(s) && strlen(s) < SERIES_TEXT_LEN(FIELD);
		if (!ok)
			fprintf(stderr, "random field %d: not valid: %s\n", i, s);
		CHECK(ok);
		if (i % 500 == 0)
			check_rendered(s);
		if (!ok)
			break;
	}
	return check_summary("test_label_text");
}
