// SPDX-License-Identifier: GPL-2.0
/*
 * Prometheus text exposition format 0.0.4.  Each family owns a growable
 * buffer of already-formatted sample lines, so adding a sample is an append
 * and rendering is one pass of memcpy in declaration order, whatever order
 * the samples arrived in.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "expo.h"
#include "hash.h"
#include "rows.h"

#define EXPO_BUCKETS 64

struct expo_buf {
	char *p;
	size_t len;
	size_t cap;
};

struct expo_family {
	struct expo *e;
	struct expo_family *hnext;
	char *name;
	size_t name_len;
	enum expo_type type;
	bool kernel_owned; /* a counter the kernel keeps: no hook */
	char *help;
	struct expo_buf header; /* "# HELP ...\n# TYPE ...\n" */
	struct expo_buf samples;
};

struct expo {
	struct expo_family **fams; /* in declaration order */
	size_t n_fams;
	size_t cap_fams;
	struct expo_family *buckets[EXPO_BUCKETS];
	expo_tap_fn tap; /* set: integer samples go to it, none is formatted */
	void *tap_ctx;
	expo_counter_fn hook;
	void *hook_ctx;
};

static int buf_reserve(struct expo_buf *b, size_t extra)
{
	if (extra > SIZE_MAX - b->len)
		return -1;
	return GROW(&b->p, &b->cap, b->len + extra, 256) ? -1 : 0;
}

static char *put(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/*
 * Copies s backslash-escaping backslash and newline, and double quotes too
 * when quote is set: HELP text keeps its quotes, label values cannot.  The
 * caller has room for twice strlen(s).
 */
static char *put_escaped(char *p, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\' || (*s == '"' && quote)) {
			*p++ = '\\';
			*p++ = *s;
		} else if (*s == '\n') {
			*p++ = '\\';
			*p++ = 'n';
		} else {
			*p++ = *s;
		}
	}
	return p;
}

static bool name_valid(const char *s, bool colon_ok)
{
	const char *p;

	if (!s || !*s || (*s >= '0' && *s <= '9'))
		return false;
	for (p = s; *p; p++) {
		char c = *p;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '_' || (c == ':' && colon_ok))
			continue;
		return false;
	}
	return true;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !memcmp(s + n - m, suffix, m);
}

static unsigned int name_hash(const char *s)
{
	return fnv1a32(FNV1A32_INIT, s, strlen(s)) % EXPO_BUCKETS;
}

struct expo *expo_new(void)
{
	return calloc(1, sizeof(struct expo));
}

void expo_set_tap(struct expo *e, expo_tap_fn fn, void *ctx)
{
	e->tap = fn;
	e->tap_ctx = ctx;
}

static void family_free(struct expo_family *f)
{
	free(f->name);
	free(f->help);
	free(f->header.p);
	free(f->samples.p);
	free(f);
}

void expo_free(struct expo *e)
{
	size_t i;

	if (!e)
		return;
	for (i = 0; i < e->n_fams; i++)
		family_free(e->fams[i]);
	free(e->fams);
	free(e);
}

static struct expo_family *family_find(struct expo *e, const char *name, unsigned int h)
{
	struct expo_family *f;

	for (f = e->buckets[h]; f; f = f->hnext)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

static struct expo_family *family_create(const char *name, enum expo_type type, const char *help)
{
	struct expo_family *f = calloc(1, sizeof(*f));
	size_t bound;
	char *p;

	if (!f)
		return NULL;
	f->type = type;
	f->name = strdup(name);
	if (!f->name)
		goto fail;
	f->name_len = strlen(name);
	help = help ? help : "";
	f->help = strdup(help);
	if (!f->help)
		goto fail;
	bound = 2 * f->name_len + 2 * strlen(help) + 32;
	if (buf_reserve(&f->header, bound))
		goto fail;
	p = f->header.p;
	p = put(p, "# HELP ", 7);
	p = put(p, name, f->name_len);
	*p++ = ' ';
	p = put_escaped(p, help, false);
	p = put(p, "\n# TYPE ", 8);
	p = put(p, name, f->name_len);
	p = type == EXPO_COUNTER ? put(p, " counter\n", 9) : put(p, " gauge\n", 7);
	f->header.len = p - f->header.p;
	return f;
fail:
	family_free(f);
	return NULL;
}

struct expo_family *expo_family(struct expo *e, const char *name, enum expo_type type,
				const char *help)
{
	struct expo_family *f;
	unsigned int h;

	if (!e || !name_valid(name, true) || (type != EXPO_COUNTER && type != EXPO_GAUGE) ||
	    (type == EXPO_COUNTER && !ends_with(name, "_total"))) {
		errno = EINVAL;
		return NULL;
	}
	h = name_hash(name);
	f = family_find(e, name, h);
	if (f) {
		if (f->type == type)
			return f;
		errno = EEXIST;
		return NULL;
	}
	if (GROW(&e->fams, &e->cap_fams, e->n_fams + 1, 16))
		return NULL;
	f = family_create(name, type, help);
	if (!f)
		return NULL;
	f->e = e;
	f->hnext = e->buckets[h];
	e->buckets[h] = f;
	e->fams[e->n_fams++] = f;
	return f;
}

static bool labels_valid(const struct expo_label *labels, size_t n)
{
	size_t i, j;

	if (n && !labels)
		return false;
	for (i = 0; i < n; i++) {
		if (!name_valid(labels[i].name, false) || !labels[i].value)
			return false;
		/* A repeated label name makes the whole scrape unparsable. */
		for (j = 0; j < i; j++)
			if (!strcmp(labels[i].name, labels[j].name))
				return false;
	}
	return true;
}

static size_t format_u64(char *out, uint64_t v)
{
	char tmp[20];
	size_t n = 0, i;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

static size_t format_double(char *out, size_t size, double v)
{
	if (isnan(v))
		return (size_t)snprintf(out, size, "NaN");
	if (isinf(v))
		return (size_t)snprintf(out, size, v > 0 ? "+Inf" : "-Inf");
	/*
	 * %.17g switches to an exponent from 1e17 on; spelling large integral
	 * values out keeps byte and packet totals readable.
	 */
	if (v == floor(v) && fabs(v) < 1e19)
		return (size_t)snprintf(out, size, "%.0f", v);
	return (size_t)snprintf(out, size, "%.17g", v);
}

/*
 * Formats name{labels} at the end of the family's buffer, then lets the
 * counter hook see (and adjust) the value under that series key.  With a
 * tap, the tap gets the adjusted value and the formatted key is dropped
 * again: a view sees the same carried counts as /metrics.  Otherwise the
 * value is appended.
 */
static int add_sample(struct expo_family *f, const struct expo_label *labels, size_t n,
		      bool is_double, uint64_t u, double d)
{
	struct expo_buf *b = &f->samples;
	size_t bound = f->name_len + 48, i;
	struct expo *e = f->e;
	bool hooked = e->hook && f->type == EXPO_COUNTER && !f->kernel_owned;
	char *p, *start;

	if (!labels_valid(labels, n))
		return -EINVAL;
	if (e->tap && !is_double && !hooked)
		return e->tap(e->tap_ctx, f->name, labels, n, u);
	/* Room for the worst case, every value character escaped, then no checks. */
	for (i = 0; i < n; i++)
		bound += strlen(labels[i].name) + 2 * strlen(labels[i].value) + 4;
	if (buf_reserve(b, bound))
		return -ENOMEM;
	start = b->p + b->len;
	p = put(start, f->name, f->name_len);
	for (i = 0; i < n; i++) {
		*p++ = i ? ',' : '{';
		p = put(p, labels[i].name, strlen(labels[i].name));
		*p++ = '=';
		*p++ = '"';
		p = put_escaped(p, labels[i].value, true);
		*p++ = '"';
	}
	if (n)
		*p++ = '}';
	if (hooked) {
		struct expo_sample s = {
			.family = f->name,
			.help = f->help,
			.series = start,
			.series_len = p - start,
			.labels = labels,
			.n_labels = n,
			.is_double = is_double,
			.u = u,
			.d = d,
		};

		e->hook(&s, e->hook_ctx);
		u = s.u;
		d = s.d;
	}
	if (e->tap && !is_double)
		return e->tap(e->tap_ctx, f->name, labels, n, u);
	*p++ = ' ';
	if (is_double)
		p += format_double(p, 40, d);
	else
		p += format_u64(p, u);
	*p++ = '\n';
	b->len = p - b->p;
	return 0;
}

int expo_add_u64(struct expo_family *f, const struct expo_label *labels, size_t n_labels,
		 uint64_t value)
{
	if (!f)
		return -EINVAL;
	return add_sample(f, labels, n_labels, false, value, 0);
}

int expo_add_double(struct expo_family *f, const struct expo_label *labels, size_t n_labels,
		    double value)
{
	if (!f)
		return -EINVAL;
	return add_sample(f, labels, n_labels, true, 0, value);
}

void expo_family_kernel_owned(struct expo_family *f)
{
	if (f)
		f->kernel_owned = true;
}

void expo_set_counter_hook(struct expo *e, expo_counter_fn fn, void *ctx)
{
	e->hook = fn;
	e->hook_ctx = ctx;
}

char *expo_render(struct expo *e, size_t *len)
{
	size_t total = 0, off = 0, i;
	char *out;

	if (!e)
		return NULL;
	for (i = 0; i < e->n_fams; i++)
		total += e->fams[i]->header.len + e->fams[i]->samples.len;
	out = malloc(total + 1);
	if (!out)
		return NULL;
	for (i = 0; i < e->n_fams; i++) {
		const struct expo_family *f = e->fams[i];

		memcpy(out + off, f->header.p, f->header.len);
		off += f->header.len;
		if (f->samples.len)
			memcpy(out + off, f->samples.p, f->samples.len);
		off += f->samples.len;
	}
	out[off] = '\0';
	if (len)
		*len = off;
	return out;
}
