// SPDX-License-Identifier: GPL-2.0
/*
 * The body is copied once and cut in place: names and unescaped label
 * values are NUL-terminated inside the copy (unescaping only shrinks), so a
 * scrape costs one allocation for the text and one for the samples.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "top_parse.h"

static int is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}

static int is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

static char *skip_blanks(char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Reads a name at p, NUL-terminates it lazily: returns the end, or NULL. */
static char *scan_name(char *p)
{
	if (!is_name_start(*p))
		return NULL;
	while (is_name_char(*p))
		p++;
	return p;
}

/* p is after the opening quote; unescapes into p and returns after the closing quote. */
static char *scan_value(char *p, const char **value)
{
	char *w = p;

	*value = p;
	for (;;) {
		char c = *p++;

		if (c == '"')
			break;
		if (c == '\0' || c == '\n')
			return NULL;
		if (c == '\\') {
			c = *p++;
			if (c == 'n')
				c = '\n';
			else if (c != '\\' && c != '"')
				return NULL;
		}
		*w++ = c;
	}
	/* The closing quote's position is free now: the terminator fits before p. */
	*w = '\0';
	return p;
}

static const char *parse_labels(char **pp, struct top_sample *s)
{
	char *p = *pp;

	for (;;) {
		char *end;

		p = skip_blanks(p);
		if (*p == '}')
			break;
		end = scan_name(p);
		if (!end)
			return "a label name";
		if (s->n_labels == TOP_MAX_LABELS)
			return "at most 16 labels";
		s->labels[s->n_labels].name = p;
		p = skip_blanks(end);
		if (*p != '=')
			return "'=' after the label name";
		*end = '\0';
		p = skip_blanks(p + 1);
		if (*p != '"')
			return "a quoted label value";
		p = scan_value(p + 1, &s->labels[s->n_labels].value);
		if (!p)
			return "a valid label value (escapes \\\\, \\\", \\n; closing quote)";
		s->n_labels++;
		p = skip_blanks(p);
		if (*p == ',')
			p++;
		else if (*p != '}')
			return "',' or '}' after a label";
	}
	*pp = p + 1;
	return NULL;
}

static const char *parse_value(char *p, double *v)
{
	char *end;

	p = skip_blanks(p);
	if (!*p)
		return "a value";
	errno = 0;
	*v = strtod(p, &end);
	if (end == p)
		return "a number as the value";
	p = skip_blanks(end);
	if (*p) {
		/* An optional timestamp in milliseconds. */
		strtoll(p, &end, 10);
		if (end == p || *skip_blanks(end))
			return "nothing but a timestamp after the value";
	}
	return NULL;
}

static const char *parse_line(char *line, struct top_sample *s)
{
	char *end = scan_name(line), *p;
	const char *what;

	if (!end)
		return "a metric name";
	memset(s, 0, sizeof(*s));
	s->name = line;
	p = end;
	if (*p == '{') {
		*end = '\0';
		p++;
		what = parse_labels(&p, s);
		if (what)
			return what;
	} else if (*p && *p != ' ' && *p != '\t') {
		return "'{' or a blank after the metric name";
	}
	what = parse_value(p, &s->value);
	*end = '\0';
	return what;
}

int top_parse(const char *body, size_t len, struct top_scrape *out, char *err, size_t errlen)
{
	size_t cap = 0, lineno = 0;
	char *p, *next;

	memset(out, 0, sizeof(*out));
	out->text = malloc(len + 1);
	if (!out->text)
		return -ENOMEM;
	if (len)
		memcpy(out->text, body, len);
	out->text[len] = '\0';
	if (strlen(out->text) != len) {
		snprintf(err, errlen, "the body holds a NUL byte");
		goto invalid;
	}
	for (p = out->text; *p; p = next) {
		const char *what;
		char *nl = strchr(p, '\n');

		lineno++;
		next = nl ? nl + 1 : p + strlen(p);
		if (nl)
			*nl = '\0';
		if (nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		p = skip_blanks(p);
		if (!*p || *p == '#')
			continue;
		if (out->n == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct top_sample *ns;

			if (out->n >= TOP_MAX_SAMPLES) {
				snprintf(err, errlen, "more than %d samples", TOP_MAX_SAMPLES);
				top_scrape_free(out);
				return -E2BIG;
			}
			ns = realloc(out->samples, ncap * sizeof(*ns));
			if (!ns) {
				top_scrape_free(out);
				return -ENOMEM;
			}
			out->samples = ns;
			cap = ncap;
		}
		what = parse_line(p, &out->samples[out->n]);
		if (what) {
			snprintf(err, errlen, "line %zu: expected %s", lineno, what);
			goto invalid;
		}
		out->n++;
	}
	return 0;
invalid:
	top_scrape_free(out);
	return -EINVAL;
}

void top_scrape_free(struct top_scrape *s)
{
	free(s->samples);
	free(s->text);
	memset(s, 0, sizeof(*s));
}

const char *top_label_get(const struct top_sample *s, const char *name)
{
	for (unsigned int i = 0; i < s->n_labels; i++)
		if (!strcmp(s->labels[i].name, name))
			return s->labels[i].value;
	return NULL;
}
