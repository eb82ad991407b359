/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Source lines of the running kernel's locations for the daemon: each
 * location resolved once and kept, the resolving bounded in time so that a
 * scrape that meets many new locations at once stays fast (the rest get their
 * line at a later scrape), and skbtrace_location_info for the locations a
 * scrape shows.  Without debug info nothing has a source and nothing else
 * changes.
 */
#ifndef SKBTRACE_SYMBOLS_SOURCE_CACHE_H
#define SKBTRACE_SYMBOLS_SOURCE_CACHE_H

#include <stddef.h>
#include "symbols.h"

struct expo;
struct source_cache;

/* At most this many locations are resolved, and for at most this long, per second. */
#define SOURCE_RESOLVES_PER_SEC 64
#define SOURCE_RESOLVE_MS_PER_SEC 200
/*
 * The debug files are closed (and libdw's memory given back) after this many
 * resolutions, or when nothing was resolved for this long: new locations are
 * rare once the daemon has run a while.
 */
#define SOURCE_RESOLVES_PER_OPEN 1024
#define SOURCE_IDLE_CLOSE_SEC 60
/* Distinct locations remembered; those beyond get no line. */
#define SOURCE_MAX_ENTRIES 16384

struct source_inline {
	const char *func;
	const char *at; /* "file:line" of the call */
};

struct source_answer {
	const char *source;		     /* "file:line" */
	const struct source_inline *inlined; /* innermost first */
	size_t n_inlined;
};

struct source_cache *source_cache_new(const struct symbolizer_opts *o);
void source_cache_free(struct source_cache *c);

/*
 * The daemon's, for the running kernel and /usr/lib/debug (under
 * $SKBTRACE_DEBUG_ROOT when set), made on first use.
 */
struct source_cache *source_cache_default(void);

/*
 * The line of a location ("symbol+offset"), or NULL: no debug info, not
 * resolvable, or not resolved yet because this second's budget is spent.
 * The answer lives as long as the cache.
 */
const struct source_answer *source_cache_get(struct source_cache *c, const char *location);

/* A series of the scrape under way shows this location. */
void source_cache_note(struct source_cache *c, const char *location);

/*
 * skbtrace_location_info for every location noted since the last call that
 * has a line, and the counters of the debug files refused; starts the next
 * scrape's notes.
 */
int source_cache_expo(struct source_cache *c, struct expo *e);

#endif /* SKBTRACE_SYMBOLS_SOURCE_CACHE_H */
