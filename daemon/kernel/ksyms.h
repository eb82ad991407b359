/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel address symbolization from /proc/kallsyms.  Rather than holding the
 * whole symbol table (megabytes), addresses are resolved in batches by one
 * pass over the file and kept in a cache: new stacks and drop locations are
 * rare after the first minutes, while the table would be resident forever.
 */
#ifndef SKBTRACE_KSYMS_H
#define SKBTRACE_KSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ksym_cache;

#define KSYM_UNKNOWN "unknown"

struct ksym_cache *ksym_cache_new(const char *kallsyms_path);
void ksym_cache_free(struct ksym_cache *c);

/*
 * Between begin and end (a scrape), every resolve is served from one pass
 * over kallsyms, kept in memory until end: a scrape whose probes each meet
 * new addresses reads the file once, not once per probe.
 */
void ksym_cache_begin(struct ksym_cache *c);
void ksym_cache_end(struct ksym_cache *c);

/* Resolves, in one pass over kallsyms, every address in addrs not cached yet. */
int ksym_cache_resolve(struct ksym_cache *c, const uint64_t *addrs, size_t n);

/*
 * "symbol+offset" (decimal offset, as bpftrace's kstack prints it), or
 * KSYM_UNKNOWN where no symbol covers the address, never the address itself:
 * that would undo KASLR for anyone who can scrape.  Resolves on a miss.  The
 * string lives as long as the cache.
 */
const char *ksym_cache_name(struct ksym_cache *c, uint64_t addr);

/*
 * Symbols cached.  A test-only hook (one of three, with config_parse() and
 * http_auth_bcrypt_runs()): nothing else shows that a batch with
 * duplicates caches each address once.
 */
size_t ksym_cache_size(const struct ksym_cache *c);

/* Whether /proc/kallsyms has a symbol of exactly this name: e.g. a function not inlined. */
bool kallsyms_has(const char *name);
/* The same in a file of kallsyms' format. */
bool kallsyms_file_has(const char *path, const char *name);

#endif /* SKBTRACE_KSYMS_H */
