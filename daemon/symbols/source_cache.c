// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "expo.h"
#include "self_metrics.h"
#include "source_cache.h"
#include "u64map.h"

struct source_entry {
	char *location;
	bool resolved; /* tried, with or without a line */
	bool has_line;
	uint64_t noted; /* the last scrape generation that showed it */
	struct source_answer answer;
	char *source;
	struct source_inline *inlined;
};

struct source_cache {
	struct symbolizer *sym;
	struct u64map by_hash; /* hash of the location -> entry */
	uint64_t gen;
	/* The budget of the current second. */
	uint64_t window_ns; /* start of the budget's window, 0 before the first */
	unsigned int resolves;
	uint64_t spent_ns;
	unsigned int since_open; /* resolutions since the files were last closed */
	uint64_t last_resolve_ns;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	/* u64map keys: any value; 0 is fine. */
	return h;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

struct source_cache *source_cache_new(const struct symbolizer_opts *o)
{
	struct source_cache *c = calloc(1, sizeof(*c));
	char err[256];

	if (!c)
		return NULL;
	c->sym = symbolizer_new(o, err, sizeof(err));
	if (!c->sym) {
		free(c);
		return NULL;
	}
	c->gen = 1;
	return c;
}

static void entry_free(void *v)
{
	struct source_entry *en = v;

	if (!en)
		return;
	for (size_t i = 0; en->inlined && i < en->answer.n_inlined; i++) {
		free((char *)en->inlined[i].func);
		free((char *)en->inlined[i].at);
	}
	free(en->inlined);
	free(en->source);
	free(en->location);
	free(en);
}

void source_cache_free(struct source_cache *c)
{
	if (!c)
		return;
	u64map_clear(&c->by_hash, entry_free);
	symbolizer_free(c->sym);
	free(c);
}

static struct source_cache *default_cache;

struct source_cache *source_cache_default(void)
{
	/*
	 * The running kernel's debug info; SKBTRACE_DEBUG_ROOT for a container
	 * that has the host's /usr/lib/debug mounted elsewhere.
	 */
	struct symbolizer_opts o = { .debug_root = getenv("SKBTRACE_DEBUG_ROOT") };

	if (!default_cache)
		default_cache = source_cache_new(&o);
	return default_cache;
}

static char *dup_line(const char *file, unsigned int line)
{
	char buf[SYM_FILE_LEN + 16];

	snprintf(buf, sizeof(buf), "%s:%u", file, line);
	return strdup(buf);
}

/* Copies what the entry keeps; false when out of memory (then it has no line). */
static bool entry_fill(struct source_entry *en, const struct sym_source *src)
{
	en->source = dup_line(src->file, src->line);
	en->inlined = calloc(src->n_inlined ? src->n_inlined : 1, sizeof(*en->inlined));
	if (!en->source || !en->inlined)
		return false;
	for (unsigned int i = 0; i < src->n_inlined; i++) {
		en->inlined[i].func = strdup(src->inlined[i].func);
		en->inlined[i].at = dup_line(src->inlined[i].call_file, src->inlined[i].call_line);
		en->answer.n_inlined = i + 1;
		if (!en->inlined[i].func || !en->inlined[i].at)
			return false;
	}
	en->answer.source = en->source;
	en->answer.inlined = en->inlined;
	return true;
}

/*
 * Whether the budget allows one more resolution.  A window is the second
 * from its first resolution on, not a calendar second: a scrape that spans
 * a second's boundary gets one budget, not two.
 */
static bool budget_left(struct source_cache *c)
{
	uint64_t now = now_ns();

	if (!c->window_ns || now - c->window_ns >= 1000000000ULL) {
		c->window_ns = now;
		c->resolves = 0;
		c->spent_ns = 0;
	}
	return c->resolves < SOURCE_RESOLVES_PER_SEC &&
	       c->spent_ns < SOURCE_RESOLVE_MS_PER_SEC * 1000000ULL;
}

static struct source_entry *entry_of(struct source_cache *c, const char *location)
{
	uint64_t h = hash_str(location);
	struct source_entry *en = u64map_get(&c->by_hash, h);

	if (en) {
		/* Two locations, one hash: the later one goes without a line. */
		return strcmp(en->location, location) ? NULL : en;
	}
	if (c->by_hash.used >= SOURCE_MAX_ENTRIES)
		return NULL;
	en = calloc(1, sizeof(*en));
	if (!en)
		return NULL;
	en->location = strdup(location);
	if (!en->location || u64map_put(&c->by_hash, h, en)) {
		entry_free(en);
		return NULL;
	}
	return en;
}

static void close_files(struct source_cache *c)
{
	symbolizer_close_files(c->sym);
	c->since_open = 0;
}

const struct source_answer *source_cache_get(struct source_cache *c, const char *location)
{
	struct source_entry *en;
	struct sym_source src;
	uint64_t t0;

	/* "unknown" and other placeholders have no offset: nothing to look up. */
	if (!c || !location || !strchr(location, '+') || !(en = entry_of(c, location)))
		return NULL;
	if (!en->resolved) {
		if (!budget_left(c))
			return NULL; /* asked again at a later scrape */
		t0 = now_ns();
		en->resolved = true;
		/*
		 * Which ELF defines it: vmlinux, else a loaded module.  Static functions of the same name in several files: the location
		 * does not say which one, and a wrong line is worse than none.
		 */
		if (symbolizer_resolve(c->sym, NULL, location, &src) == SYM_OK &&
		    src.n_candidates == 1)
			en->has_line = entry_fill(en, &src);
		c->resolves++;
		c->last_resolve_ns = now_ns();
		c->spent_ns += c->last_resolve_ns - t0;
		if (++c->since_open >= SOURCE_RESOLVES_PER_OPEN)
			close_files(c);
	}
	return en->has_line ? &en->answer : NULL;
}

void source_cache_note(struct source_cache *c, const char *location)
{
	struct source_entry *en;

	if (c && location && strchr(location, '+') && (en = entry_of(c, location)))
		en->noted = c->gen;
}

int source_cache_expo(struct source_cache *c, struct expo *e)
{
	struct expo_family *info, *mism;
	uint64_t gen;
	int err = 0;

	if (!c)
		return 0;
	gen = c->gen++;
	info = expo_self_family(e, SM_LOCATION_INFO);
	mism = expo_self_family(e, SM_DEBUGINFO_BUILD_ID_MISMATCHES_TOTAL);
	if (!info || !mism)
		return -ENOMEM;
	u64map_for_each(&c->by_hash, slot)
	{
		struct source_entry *en = slot->value;
		const struct source_answer *a;

		if (en->noted != gen)
			continue;
		a = source_cache_get(c, en->location);
		if (!a)
			continue;
		err = expo_add_u64(info,
				   (struct expo_label[]){ { "location", en->location },
							  { "source", a->source } },
				   2, 1);
		if (err)
			return err;
	}
	if (c->since_open && now_ns() - c->last_resolve_ns > SOURCE_IDLE_CLOSE_SEC * 1000000000ULL)
		close_files(c);
	return expo_add_u64(mism, NULL, 0, symbolizer_mismatches(c->sym));
}
