// SPDX-License-Identifier: GPL-2.0
/* The one collector of every probe's counting maps (see series.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "count_cache.h"
#include "expo.h"
#include "ksyms.h"
#include "map_expo.h"
#include "netns_ids.h"
#include "netns_info.h"
#include "percpu_map.h"
#include "probe.h"
#include "rows.h"
#include "series.h"
#include "stacks.h"
#include "source_cache.h"

/* The netfilter probe's key, two names (bpf/netfilter.h), is the largest. */
#define MAX_KEY_SIZE 136
/* A label buffer: a 64-byte name, each byte escaped (SERIES_TEXT_LEN). */
#define LABEL_BUF 260

struct series_row {
	unsigned char key[MAX_KEY_SIZE]; /* a stack id zeroed: rows compare by labels */
	const char *stack;		 /* the stable stack id, or NULL */
	uint64_t count;
};

struct series_read {
	struct rows rows;
	size_t key_size;
	const struct series_label *stack; /* the stack id label, or NULL */
	struct stack_table *stacks;
	int stack_map_fd;
};

static uint64_t field_value(const unsigned char *key, const struct series_label *l)
{
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	switch (l->size) {
	case 1:
		memcpy(&v8, key + l->off, 1);
		return v8;
	case 2:
		memcpy(&v16, key + l->off, 2);
		return v16;
	case 4:
		memcpy(&v32, key + l->off, 4);
		return v32;
	default:
		memcpy(&v64, key + l->off, 8);
		return v64;
	}
}

static int push_row(const void *key, uint64_t sum, void *ctx)
{
	struct series_read *sr = ctx;
	struct series_row *row = rows_push(&sr->rows);
	int32_t bpf_id;

	if (!row)
		return -ENOMEM;
	memcpy(row->key, key, sr->key_size);
	row->count = sum;
	if (sr->stack) {
		memcpy(&bpf_id, row->key + sr->stack->off, sizeof(bpf_id));
		row->stack = stack_table_id(sr->stacks, sr->stack_map_fd, bpf_id);
		if (!row->stack)
			row->stack = "unreadable";
		memset(row->key + sr->stack->off, 0, sizeof(bpf_id));
	}
	return 0;
}

static int cmp_row(const void *a, const void *b)
{
	const struct series_row *x = a, *y = b;
	int c = memcmp(x->key, y->key, sizeof(x->key));

	if (c || !x->stack)
		return c;
	return strcmp(x->stack, y->stack);
}

/*
 * One row per label set: the hash and every CPU's cache slot may each hold
 * part of a count, and two BPF stacks that differ only in tracing frames
 * share one stable id.
 */
static void merge_rows(struct rows *rows)
{
	struct series_row *r = rows->v;
	size_t n = 0;

	if (!rows->n)
		return;
	qsort(r, rows->n, sizeof(*r), cmp_row);
	for (size_t i = 1; i < rows->n; i++) {
		if (!cmp_row(&r[n], &r[i]))
			r[n].count += r[i].count;
		else
			r[++n] = r[i];
	}
	rows->n = n + 1;
}

/*
 * The netns label of a namespace id: its inode, or "unknown" for 0.
 * -ENOENT when the namespace is gone: the row is left out, and eviction
 * removes it (netns_ids.h).
 */
static int netns_label(const struct probe_env *env, uint32_t netns, char *buf, size_t len)
{
	char *end;
	unsigned long inum;
	int ret = netns_ids_label(env->netns, netns, buf, len);

	if (!ret && env->info) {
		inum = strtoul(buf, &end, 10);
		if (end != buf && !*end)
			netns_info_note(env->info, netns, (uint32_t)inum);
	}
	return ret;
}

/* The length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t want, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		want = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		want = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		want = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (want > n)
		return 0;
	for (i = 1; i < want; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates and beyond U+10FFFF are not UTF-8. */
	if ((want == 3 && cp < 0x800) || (want == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return want;
}

void series_label_text(char *buf, size_t len, const unsigned char *field, size_t size)
{
	size_t n = strnlen((const char *)field, size), o = 0, i = 0, k;
	bool cut = n == size;
	char esc[5];

	if (!len)
		return;
	if (cut)
		n = size ? size - 1 : 0; /* the program marked the last byte */
	while (i < n) {
		k = field[i] == '\n'			  ? 1
		    : field[i] < 0x20 || field[i] == 0x7f ? 0
							  : utf8_len(field + i, n - i);
		if (!k) {
			snprintf(esc, sizeof(esc), "\\x%02x", field[i]);
			k = 1;
			if (o + 4 >= len)
				break;
			memcpy(buf + o, esc, 4);
			o += 4;
		} else {
			if (o + k >= len)
				break;
			memcpy(buf + o, field + i, k);
			o += k;
		}
		i += k;
	}
	if (cut && o + 3 < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
}

static int decode(const struct probe *p, const struct probe_env *env, const struct series_label *l,
		  const struct series_row *row, char *buf, size_t len, const char **out)
{
	uint64_t v = field_value(row->key, l);
	const char *name;

	*out = buf;
	switch (l->decoder) {
	case SERIES_NETNS:
		return netns_label(env, (uint32_t)v, buf, len);
	case SERIES_KSYM:
		*out = ksym_cache_name(env->ksyms, v);
		/* skbtrace_location_info joins the line on: one per location shown. */
		source_cache_note(source_cache_default(), *out);
		return 0;
	case SERIES_STACK:
		*out = row->stack;
		return 0;
	case SERIES_NAMES:
		*out = v < l->n_names ? l->names[v] : "unknown";
		return 0;
	case SERIES_ENUM:
		name = enum_names_get(&p->enums[l->which], (uint32_t)v);
		if (l->none_name && v == l->none)
			*out = l->none_name;
		else if (name)
			*out = name;
		else
			snprintf(buf, len, "%" PRIu64, v);
		return 0;
	case SERIES_CUSTOM:
		*out = l->custom(p, v, buf, len);
		return 0;
	case SERIES_STRING:
		series_label_text(buf, len, row->key + l->off, l->size);
		return 0;
	case SERIES_UINT:
	default:
		snprintf(buf, len, "%" PRIu64, v);
		return 0;
	}
}

/* One pass over kallsyms for every address new since the last scrape. */
static int resolve_addresses(const struct series_desc *d, const struct rows *rows,
			     const struct probe_env *env)
{
	const struct series_row *r = rows->v;
	uint64_t *addrs;
	size_t n = 0;

	for (size_t l = 0; l < series_n_labels(d); l++) {
		if (d->labels[l].decoder != SERIES_KSYM)
			continue;
		addrs = malloc(rows->n * sizeof(*addrs));
		if (!addrs)
			return -ENOMEM;
		for (size_t i = 0; i < rows->n; i++)
			addrs[n++] = field_value(r[i].key, &d->labels[l]);
		ksym_cache_resolve(env->ksyms, addrs, n);
		free(addrs);
		n = 0;
	}
	return 0;
}

size_t series_n_labels(const struct series_desc *d)
{
	size_t n = 0;

	while (n < SERIES_MAX_LABELS && d->labels[n].name)
		n++;
	return n;
}

int series_hint_index(const struct series_desc *d)
{
	size_t n = series_n_labels(d);

	for (size_t l = 0; d->hint_label && l < n; l++) {
		if (!strcmp(d->labels[l].name, d->hint_label))
			return (int)l;
	}
	return -1;
}

static int emit_rows(const struct probe *p, const struct series_desc *d, struct expo_family *f,
		     const struct rows *rows, const struct probe_env *env)
{
	const struct series_row *r = rows->v;
	struct expo_label labels[SERIES_MAX_LABELS];
	char bufs[SERIES_MAX_LABELS][LABEL_BUF];
	size_t n = series_n_labels(d);
	int hint = d->stacks ? series_hint_index(d) : -1;
	int err = 0;

	for (size_t i = 0; !err && i < rows->n; i++) {
		size_t l;

		for (l = 0; l < n; l++) {
			labels[l].name = d->labels[l].name;
			if (decode(p, env, &d->labels[l], &r[i], bufs[l], sizeof(bufs[l]),
				   &labels[l].value))
				break;
		}
		if (l < n)
			continue; /* its namespace is gone */
		if (hint >= 0)
			stack_table_note(env->stacks, r[i].stack, d->hint, labels[hint].value);
		err = expo_add_u64(f, labels, n, r[i].count);
	}
	return err;
}

/* What found the map full still counts, so that the family's sum stays exact. */
static int emit_overflow(const struct series_desc *d, struct expo_family *f, uint64_t amount)
{
	struct expo_label labels[SERIES_MAX_LABELS];
	size_t n = series_n_labels(d);

	if (!amount)
		return 0;
	for (size_t l = 0; l < n; l++)
		labels[l] = (struct expo_label){ d->labels[l].name, "overflow" };
	return expo_add_u64(f, labels, n, amount);
}

static const struct series_label *stack_label(const struct series_desc *d)
{
	for (size_t l = 0; l < series_n_labels(d); l++) {
		if (d->labels[l].decoder == SERIES_STACK)
			return &d->labels[l];
	}
	return NULL;
}

int series_collect(struct probe *p, const struct series_desc *d, struct expo *e,
		   const struct probe_env *env, const struct skbtrace_stats *st)
{
	struct bpf_map *map = bpf_object__find_map_by_name(p->obj, d->map);
	struct bpf_map *cache = d->cache ? bpf_object__find_map_by_name(p->obj, d->cache) : NULL;
	struct series_maps m;

	if (!map || (d->cache && !cache))
		return -ENOENT;
	m = (struct series_maps){ .fd = bpf_map__fd(map),
				  .cache_fd = cache ? bpf_map__fd(cache) : -1,
				  .key_size = bpf_map__key_size(map),
				  .max_entries = bpf_map__max_entries(map) };
	return series_collect_maps(p, d, &m, e, env, st);
}

int series_collect_maps(struct probe *p, const struct series_desc *d, const struct series_maps *m,
			struct expo *e, const struct probe_env *env,
			const struct skbtrace_stats *st)
{
	struct series_read sr = { .rows = { .size = sizeof(struct series_row) },
				  .stacks = env->stacks,
				  .stack_map_fd = p->stack_map_fd };
	const struct skbtrace_overflow *over;
	struct expo_family *f;
	uint64_t n = 0;
	int err;

	if (d->stacks && p->cfg.stacks.mode == SKBTRACE_STACKS_OFF)
		return 0;
	if (m->fd < 0 || d->overflow >= SKBTRACE_OVERFLOW_SLOTS)
		return -ENOENT;
	over = &st->overflow[d->overflow];
	sr.key_size = m->key_size;
	sr.stack = d->stacks ? stack_label(d) : NULL;
	if (sr.key_size > MAX_KEY_SIZE || (d->stacks && !sr.stack))
		return -EINVAL;
	f = expo_family(e, d->name, EXPO_COUNTER, d->help);
	if (!f)
		return -ENOMEM;
	err = percpu_map_sum_each(m->fd, sr.key_size, push_row, &sr, &n);
	if (!err && m->cache_fd >= 0)
		err = count_cache_each(m->cache_fd, push_row, &sr);
	if (!err)
		merge_rows(&sr.rows);
	err = err ?: resolve_addresses(d, &sr.rows, env);
	err = err ?: emit_rows(p, d, f, &sr.rows, env);
	err = err ?: emit_overflow(d, f, over->amount);
	rows_free(&sr.rows);
	return err ?: map_expo(e, p->ops->name, d->map, n, m->max_entries, over->events);
}
