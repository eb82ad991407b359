// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "counter_carry.h"
#include "hash.h"

#define CARRY_BUCKETS 4096
#define OVERFLOW_VALUE "overflow"

struct carry_family {
	struct carry_family *next;
	char *name;
	char *help;
	size_t n_series;
};

struct carry_entry {
	struct carry_entry *next;
	struct carry_family *fam;
	char *series; /* name{labels}, NUL-terminated */
	struct expo_label *labels;
	size_t n_labels;
	uint64_t u;
	double d;
	unsigned int seen; /* generation of the last scrape that produced it */
};

struct counter_carry {
	struct carry_entry *buckets[CARRY_BUCKETS];
	struct carry_family *families;
	size_t max_per_family;
	size_t n_entries;
	uint64_t folded;
	unsigned int gen;
	expo_counter_fn observer; /* counter_carry_apply_observed() */
	void *observer_ctx;
};

struct counter_carry *counter_carry_new(void)
{
	struct counter_carry *c = calloc(1, sizeof(*c));

	if (c)
		c->max_per_family = SIZE_MAX;
	return c;
}

static void labels_free(struct expo_label *l, size_t n)
{
	for (size_t i = 0; l && i < n; i++) {
		free((char *)l[i].name);
		free((char *)l[i].value);
	}
	free(l);
}

static void entry_free(struct carry_entry *e)
{
	labels_free(e->labels, e->n_labels);
	free(e->series);
	free(e);
}

void counter_carry_free(struct counter_carry *c)
{
	struct carry_family *f, *fn;

	if (!c)
		return;
	for (size_t b = 0; b < CARRY_BUCKETS; b++) {
		for (struct carry_entry *e = c->buckets[b], *n; e; e = n) {
			n = e->next;
			entry_free(e);
		}
	}
	for (f = c->families; f; f = fn) {
		fn = f->next;
		free(f->name);
		free(f->help);
		free(f);
	}
	free(c);
}

void counter_carry_set_limit(struct counter_carry *c, size_t max_per_family)
{
	c->max_per_family = max_per_family;
}

static unsigned int series_hash(const char *s, size_t len)
{
	return fnv1a32(FNV1A32_INIT, s, len) % CARRY_BUCKETS;
}

static struct carry_entry *entry_find(struct counter_carry *c, const char *series, size_t len)
{
	for (struct carry_entry *e = c->buckets[series_hash(series, len)]; e; e = e->next) {
		if (!strncmp(e->series, series, len) && !e->series[len])
			return e;
	}
	return NULL;
}

static struct carry_family *family_get(struct counter_carry *c, const char *name, const char *help)
{
	struct carry_family *f;

	for (f = c->families; f; f = f->next) {
		if (!strcmp(f->name, name))
			return f;
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->name = strdup(name);
	f->help = strdup(help ? help : "");
	if (!f->name || !f->help) {
		free(f->name);
		free(f->help);
		free(f);
		return NULL;
	}
	f->next = c->families;
	c->families = f;
	return f;
}

/* A new entry for series; with `overflow` every label value is "overflow". */
static struct carry_entry *entry_new(struct counter_carry *c, struct carry_family *f,
				     const char *series, size_t len,
				     const struct expo_label *labels, size_t n, bool overflow)
{
	struct carry_entry *e = calloc(1, sizeof(*e));
	unsigned int h;

	if (!e)
		return NULL;
	e->fam = f;
	e->series = strndup(series, len);
	e->labels = calloc(n ? n : 1, sizeof(*e->labels));
	if (!e->series || !e->labels)
		goto fail;
	for (size_t i = 0; i < n; i++, e->n_labels++) {
		e->labels[i].name = strdup(labels[i].name);
		e->labels[i].value = strdup(overflow ? OVERFLOW_VALUE : labels[i].value);
		if (!e->labels[i].name || !e->labels[i].value) {
			e->n_labels++;
			goto fail;
		}
	}
	h = series_hash(e->series, len);
	e->next = c->buckets[h];
	c->buckets[h] = e;
	f->n_series++;
	c->n_entries++;
	return e;
fail:
	entry_free(e);
	return NULL;
}

/* The family's overflow series: its name, every label "overflow". */
static struct carry_entry *overflow_entry(struct counter_carry *c, struct carry_family *f,
					  const struct expo_sample *s)
{
	size_t len = strlen(f->name) + 3, off;
	struct carry_entry *e;
	char *key;

	for (size_t i = 0; i < s->n_labels; i++)
		len += strlen(s->labels[i].name) + sizeof(OVERFLOW_VALUE) + 3;
	key = malloc(len);
	if (!key)
		return NULL;
	off = snprintf(key, len, "%s", f->name);
	for (size_t i = 0; i < s->n_labels; i++)
		off += snprintf(key + off, len - off, "%c%s=\"" OVERFLOW_VALUE "\"", i ? ',' : '{',
				s->labels[i].name);
	if (s->n_labels)
		off += snprintf(key + off, len - off, "}");
	e = entry_find(c, key, off);
	if (!e)
		e = entry_new(c, f, key, off, s->labels, s->n_labels, true);
	free(key);
	return e;
}

static void add_to(struct carry_entry *e, struct expo_sample *s)
{
	if (s->is_double)
		s->d += e->d;
	else
		s->u += e->u;
}

static void absorb_hook(struct expo_sample *s, void *ctx)
{
	struct counter_carry *c = ctx;
	struct carry_entry *e = entry_find(c, s->series, s->series_len);
	struct carry_family *f;

	if (e) {
		add_to(e, s);
		e->u = s->u;
		e->d = s->d;
		return;
	}
	f = family_get(c, s->family, s->help);
	if (!f)
		return;
	if (f->n_series < c->max_per_family) {
		e = entry_new(c, f, s->series, s->series_len, s->labels, s->n_labels, false);
	} else {
		e = overflow_entry(c, f, s);
		c->folded++;
	}
	if (!e)
		return;
	e->u += s->u;
	e->d += s->d;
}

static void apply_hook(struct expo_sample *s, void *ctx)
{
	struct counter_carry *c = ctx;
	struct carry_entry *e = entry_find(c, s->series, s->series_len);

	if (e) {
		add_to(e, s);
		e->seen = c->gen;
	}
	if (c->observer)
		c->observer(s, c->observer_ctx);
}

void counter_carry_absorb(struct counter_carry *c, struct expo *e)
{
	expo_set_counter_hook(e, absorb_hook, c);
}

void counter_carry_apply_observed(struct counter_carry *c, struct expo *e, expo_counter_fn fn,
				  void *ctx)
{
	/* 0 is the generation of entries never matched. */
	if (!++c->gen)
		c->gen = 1;
	c->observer = fn;
	c->observer_ctx = ctx;
	if (c->n_entries || fn)
		expo_set_counter_hook(e, apply_hook, c);
}

int counter_carry_emit_rest(struct counter_carry *c, struct expo *e)
{
	int err = 0;

	if (c->observer) {
		expo_set_counter_hook(e, NULL, NULL);
		c->observer = NULL;
	}
	if (!c->n_entries)
		return 0;
	expo_set_counter_hook(e, NULL, NULL);
	for (size_t b = 0; b < CARRY_BUCKETS && !err; b++) {
		for (struct carry_entry *ce = c->buckets[b]; ce && !err; ce = ce->next) {
			struct expo_family *f;

			if (ce->seen == c->gen)
				continue;
			f = expo_family(e, ce->fam->name, EXPO_COUNTER, ce->fam->help);
			if (!f)
				return -ENOMEM;
			/* Which of the two a family uses is fixed by its code; d is 0 for counts. */
			err = ce->d ? expo_add_double(f, ce->labels, ce->n_labels, ce->d)
				    : expo_add_u64(f, ce->labels, ce->n_labels, ce->u);
		}
	}
	return err ? -ENOMEM : 0;
}

void counter_carry_each_label(const struct counter_carry *c, const char *name,
			      void (*fn)(const char *value, void *ctx), void *ctx)
{
	for (size_t b = 0; b < CARRY_BUCKETS; b++) {
		for (const struct carry_entry *ce = c->buckets[b]; ce; ce = ce->next) {
			for (size_t i = 0; i < ce->n_labels; i++) {
				if (!strcmp(ce->labels[i].name, name))
					fn(ce->labels[i].value, ctx);
			}
		}
	}
}

size_t counter_carry_count(const struct counter_carry *c)
{
	return c->n_entries;
}

uint64_t counter_carry_folded(const struct counter_carry *c)
{
	return c->folded;
}
