/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The probe interface.  A probe is one bpf/<probe>.bpf.c plus one module in
 * daemon/probes/ that fills in a struct probe_ops and is listed once in
 * probe_registry.c.  The daemon core starts, stops, reloads and scrapes
 * probes only through these operations, so a probe never touches another.
 */
#ifndef SKBTRACE_PROBE_H
#define SKBTRACE_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "skbtrace.h"

struct btf;
struct bpf_object;
struct expo;
struct ksym_cache;
struct stack_table;
struct enum_names;
struct netns_ids;
struct netns_info;

/* What the daemon lends to probes. */
struct probe_env {
	const struct btf *btf; /* vmlinux BTF; only valid during check and start */
	struct ksym_cache *ksyms;
	struct stack_table *stacks;
	const struct limits_config *limits;
	/* Set the probes' netns_by_cookie rodata (bpf/lib/netns.bpf.h) to this. */
	bool netns_by_cookie;
	struct netns_ids *netns; /* NULL when the namespace walker could not load */
	/* Told every namespace a scrape labels (skbtrace_netns_info); may be NULL. */
	struct netns_info *info;
};

/*
 * A map whose keys hold a namespace id (__u32) at netns_off: eviction
 * deletes the keys of namespaces that are gone (daemon/netns_evict.c).
 */
struct probe_netns_map {
	int fd;
	uint32_t netns_off;
};

#define PROBE_NETNS_MAPS 4

struct probe;

struct probe_ops {
	const char *name;
	const char *description;
	unsigned int filter_mask; /* enum filter_field keys this probe accepts */
	/* Best first; AUTO tries them in this order, a forced method must be listed. */
	const enum attach_method *methods;
	size_t n_methods;
	/*
	 * Optional: the n_methods entries of `methods` in the order best for
	 * this config, where the probe's cost depends on more than the kernel.
	 */
	const enum attach_method *(*methods_for)(const struct probe_config *cfg);
	/* Checks what depends on the running kernel, e.g. reason names. Optional. */
	int (*check)(const struct probe_config *cfg, const struct probe_env *env, char *err,
		     size_t errlen);
	/*
	 * open → set rodata → autoload the program for `method` → load → attach.
	 * On failure everything is undone and err says why.
	 */
	int (*start)(struct probe *p, enum attach_method method, const struct probe_env *env,
		     char *err, size_t errlen);
	void (*stop)(struct probe *p);
	/* Adds the probe's own series; the core adds status, stats and map fill. */
	int (*collect)(struct probe *p, struct expo *e, const struct probe_env *env);
};

struct probe {
	const struct probe_ops *ops;
	struct probe_config cfg;
	enum attach_method method; /* chosen; ATTACH_AUTO when not attached */
	bool attached;
	char error[CONFIG_ERR_LEN];
	void *priv;
	/* Set by start(): maps the core reads for every probe. */
	int stats_fd;	     /* "stats" per-CPU array, or -1 */
	int stack_map_fd;    /* "stack_traces", or -1 */
	uint32_t max_stacks; /* capacity of stack_traces */
	/* Set by start(): the loaded object, whose programs the self-cost metrics report. */
	struct bpf_object *obj;
	/* Set by start(), with probe_netns_map_add(): maps keyed by namespace. */
	struct probe_netns_map netns_maps[PROBE_NETNS_MAPS];
	int n_netns_maps;
	/*
	 * Set by start(): count caches (bpf/lib/count_cache.bpf.h) in front of
	 * netns maps, in the order of the sweeper's masks, and the sweeper
	 * program (COUNT_CACHE_SWEEPER), or -1.
	 */
	struct probe_netns_map netns_caches[SKBTRACE_SWEEP_CACHES];
	int n_netns_caches;
	int cache_sweep_fd;
	uint64_t netns_evicted; /* series deleted because their namespace is gone */
};

const struct probe_ops *probe_ops_find(const char *name);
const struct probe_ops *const *probe_ops_all(size_t *n);
/* config_probe_lookup_fn for the config parser. */
int probe_lookup_for_config(const char *name, unsigned int *filter_mask);

/* Tries ops->start() with each method the config allows, best first. */
int probe_attach(struct probe *p, const struct probe_env *env);
void probe_detach(struct probe *p);

/* Core series every probe has: status, event statistics, stack sampling. */
int probe_collect_common(struct probe *p, struct expo *e);

int probe_read_stats(const struct probe *p, uint64_t out[SKBTRACE_STAT_MAX]);

/* skbtrace_map_entries / _max_entries / _overflow_events_total for one map. */
int probe_expo_map(struct expo *e, const struct probe *p, const char *map, uint64_t entries,
		   uint64_t max_entries, uint64_t overflow);

/* Filter and stack policy as the BPF side wants them; reasons resolved by `reasons`. */
int probe_filter_to_bpf(const struct probe_config *cfg, const struct enum_names *reasons,
			const char *reason_kind, struct skbtrace_filter *out, char *err,
			size_t errlen);
void probe_stack_policy(const struct probe_config *cfg, struct skbtrace_stack_policy *out);

/*
 * The netns label of a key's namespace id: the namespace's inode, or
 * "unknown" for 0.  Returns -ENOENT when the namespace is gone: the caller
 * leaves the series out, eviction removes it (daemon/netns_ids.h).
 */
int probe_netns_label(const struct probe_env *env, uint32_t netns, char *buf, size_t len);

/* Declares a map keyed by namespace id, for eviction. */
void probe_netns_map_add(struct probe *p, int fd, uint32_t netns_off);

/* Sum of a per-CPU counter map, one callback per key. */
typedef int (*percpu_sum_fn)(const void *key, uint64_t sum, void *ctx);
int percpu_map_sum_each(int map_fd, size_t key_size, percpu_sum_fn fn, void *ctx,
			uint64_t *n_entries);

/*
 * Per-stack series of a per-CPU stack-count map whose keys hold a BPF stack
 * id (int32) at stack_id_off: fn gets each label set (the key, its stack id
 * zeroed) with its stable stack id, series with the same stable id merged,
 * in sorted order.  cache_fd is the map's count cache, or -1.
 */
typedef int (*stack_series_fn)(const void *key, const char *stack, uint64_t count, void *ctx);
int probe_stack_series_each(const struct probe *p, struct stack_table *stacks, int map_fd,
			    int cache_fd, size_t key_size, size_t stack_id_off, stack_series_fn fn,
			    void *ctx, uint64_t *n_entries);

#endif /* SKBTRACE_PROBE_H */
