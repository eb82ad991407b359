/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The probe interface.  A probe is one bpf/<probe>.bpf.c, its header shared
 * with user space, and one module in daemon/probes/ that describes it in a
 * struct probe_ops: its BPF object, the programs of each attach method, the
 * maps sized from limits, and its series (series.h).  The core
 * (probe_load.c) loads, attaches, scrapes and detaches every probe the same
 * way from that description; a probe's own code is a few hooks for what
 * only it knows, such as which kernel it can run on.
 */
#ifndef SKBTRACE_PROBE_H
#define SKBTRACE_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "kernel_btf.h"
#include "kfree_skb_chain.h"
#include "skbtrace.h"

struct bpf_link;
struct bpf_object;
struct expo;
struct ksym_cache;
struct netns_ids;
struct netns_info;
struct series_desc;
struct stack_table;

/* What the daemon lends to probes. */
struct probe_env {
	const struct btf *btf; /* vmlinux BTF; only valid during check and start */
	struct ksym_cache *ksyms;
	struct stack_table *stacks;
	const struct limits_config *limits;
	/* Keys hold net cookies rather than inodes (bpf/lib/netns.bpf.h). */
	bool netns_by_cookie;
	struct netns_ids *netns; /* NULL when the namespace walker could not load */
	/* Told every namespace a scrape labels (skbtrace_netns_info); may be NULL. */
	struct netns_info *info;
};

struct probe;

/* Program flags. */
enum {
	/* May be missing from the kernel (kernel_function not found): skipped. */
	PROBE_PROG_OPTIONAL = 1 << 0,
	/* Runs in the skb:kfree_skb chain (kfree_skb_chain.h), not attached itself. */
	PROBE_PROG_KFREE_SKB_CHAIN = 1 << 1,
};

/*
 * One program of an attach method, by its name in the BPF object.  The
 * programs of the chosen method are attached in table order.
 */
struct probe_program {
	enum attach_method method;
	const char *name;
	/* The kernel function it needs (BTF for fentry, kallsyms for kprobe), or NULL. */
	const char *kernel_function;
	unsigned int flags;
	/* Optional: whether to load it at all, for this kernel. */
	bool (*wanted)(const struct probe_env *env);
	/*
	 * PROBE_PROG_KFREE_SKB_CHAIN under a method with no chain of its own
	 * (fentry, kprobe): the chain it joins, which its section names.
	 * ATTACH_AUTO: the method's.
	 */
	enum attach_method chain;
};

enum probe_limit {
	PROBE_LIMIT_SERIES,	    /* limits.max_series */
	PROBE_LIMIT_STACK_SERIES,   /* limits.max_stack_series */
	PROBE_LIMIT_SERIES_PER_CPU, /* limits.max_series for each possible CPU */
};

/* A map of the object sized from limits before load. */
struct probe_map_limit {
	const char *map;
	enum probe_limit limit;
};

/*
 * A map keyed by namespace id (a __u32 at netns_off) that is not a series'
 * map: eviction deletes the keys of namespaces that are gone.
 */
struct probe_netns_key {
	const char *map;
	uint32_t netns_off;
};

/* A BTF enum the core loads for the probe: by name, or by one of its members. */
struct probe_enum {
	const char *name;   /* enum name, or NULL */
	const char *member; /* with name NULL: an enumerator of the enum */
	const char *prefix; /* stripped from names */
};

#define PROBE_MAX_ENUMS 2
#define PROBE_MAX_LINKS 8
#define PROBE_NETNS_MAPS 6

struct probe_ops {
	const char *name;
	const char *description;
	unsigned int filter_mask; /* enum filter_field keys this probe accepts */
	/*
	 * With attach "auto", a kernel that allows none of its methods leaves
	 * the probe unattached and the daemon runs on (daemon.c): for a probe
	 * whose functions many kernels lack or keep in a module not loaded.
	 */
	bool may_stay_unattached;

	/* The BPF object: the ELF its skeleton embeds (bpftool gen skeleton). */
	const void *(*elf_bytes)(size_t *size);
	/* Best first; AUTO tries them in this order, a forced method must be listed. */
	const enum attach_method *methods;
	size_t n_methods;
	/*
	 * Optional: the n_methods entries of `methods` in the order best for
	 * this config, where the probe's cost depends on more than the kernel.
	 */
	const enum attach_method *(*methods_for)(const struct probe_config *cfg);
	const struct probe_program *programs;
	size_t n_programs;
	/* A program run with BPF_PROG_TEST_RUN to free count-cache slots, or NULL. */
	const char *cache_sweeper;
	const struct probe_map_limit *map_limits;
	size_t n_map_limits;
	const struct probe_netns_key *netns_keys; /* besides the series' maps */
	size_t n_netns_keys;

	/* Loaded from BTF at start, for label decoders (series.h) and reasons. */
	struct probe_enum enums[PROBE_MAX_ENUMS];
	size_t n_enums;
	/* The name (in enums) of the enum the filter's reasons name, or NULL; and its kind. */
	const char *reason_enum;
	const char *reason_kind;

	/* The series the core exports, in this order. */
	const struct series_desc *series;
	size_t n_series;

	/*
	 * Optional hooks, each returning 0 or a negative errno with err saying why:
	 * prepare: after open, before load: what the method needs of the
	 *          running kernel (-ENOENT: not here), the probe's own rodata;
	 * loaded:  after load, before attach;
	 * release: frees what prepare or loaded kept in priv;
	 * collect: series that are not in a counting map (after the core's).
	 */
	int (*prepare)(struct probe *p, struct bpf_object *obj, enum attach_method m,
		       const struct probe_env *env, char *err, size_t errlen);
	int (*loaded)(struct probe *p, enum attach_method m, const struct probe_env *env, char *err,
		      size_t errlen);
	void (*release)(struct probe *p);
	int (*collect)(struct probe *p, struct expo *e, const struct probe_env *env);
};

/* A map keyed by namespace id, for eviction (daemon/netns_evict.c). */
struct probe_netns_map {
	int fd;
	uint32_t netns_off;
};

struct probe {
	const struct probe_ops *ops;
	struct probe_config cfg;
	enum attach_method method; /* chosen; ATTACH_AUTO when not attached */
	bool attached;
	char error[CONFIG_ERR_LEN];
	void *priv; /* the probe's own, owned by its hooks */

	/* Set by the core when the probe attaches. */
	struct bpf_object *obj;
	struct bpf_link *links[PROBE_MAX_LINKS];
	int n_links;
	struct kfree_skb_link chain;
	struct enum_names enums[PROBE_MAX_ENUMS];
	int stats_fd;	     /* the "stats" per-CPU array */
	int stack_map_fd;    /* "stack_traces", or -1 */
	uint32_t max_stacks; /* capacity of stack_traces */
	struct probe_netns_map netns_maps[PROBE_NETNS_MAPS];
	int n_netns_maps;
	/*
	 * Count caches (bpf/lib/count_cache.bpf.h) in front of netns maps, in
	 * the order of the sweeper's masks (the series' order), and the
	 * sweeper program, or -1.
	 */
	struct probe_netns_map netns_caches[SKBTRACE_SWEEP_CACHES];
	int n_netns_caches;
	int cache_sweep_fd;
	uint64_t netns_evicted; /* series deleted because their namespace is gone */
};

/* `.programs = t, .n_programs = entries of t`, for the tables of a probe_ops. */
#define PROBE_LIST(field, table) .field = (table), .n_##field = sizeof(table) / sizeof((table)[0])

/*
 * The number of arguments of tracepoint `group:name` (probe_ops.prepare
 * hooks), or -ENOENT with err saying the kernel lacks it when it passes
 * fewer than min_args.
 */
int probe_need_tracepoint(const struct btf *btf, const char *group, const char *name, int min_args,
			  char *err, size_t errlen);

const struct probe_ops *probe_ops_find(const char *name);
const struct probe_ops *const *probe_ops_all(size_t *n);

/*
 * Checks a probe's table against its opened (not loaded) object: every
 * program and map it names exists, every label lies inside its map's key,
 * hint_label and reason_enum name what they should.  Returns 0, or -EINVAL
 * with err naming the probe and the entry ("probe drop: series
 * skbtrace_drops_total: label netns: bytes 16 to 20, beyond the 16-byte key
 * of map drop_counts").  probe_attach() runs it first.
 */
int probe_ops_validate(const struct probe_ops *ops, const struct bpf_object *obj, char *err,
		       size_t errlen);
/* config_probe_lookup_fn for the config parser. */
int probe_lookup_for_config(const char *name, unsigned int *filter_mask);

/* What depends on the running kernel in the probe's config, e.g. reason names. */
int probe_check(const struct probe_config *cfg, const struct probe_ops *ops,
		const struct probe_env *env, char *err, size_t errlen);
/* Loads and attaches with each method the config allows, best first. */
int probe_attach(struct probe *p, const struct probe_env *env);
void probe_detach(struct probe *p);
/* A probe that is not attached: no object, no maps. */
void probe_init(struct probe *p, const struct probe_ops *ops, const struct probe_config *cfg);

/* Every series of the probe: status, statistics, its counting maps', its own. */
int probe_collect(struct probe *p, struct expo *e, const struct probe_env *env);

int probe_read_stats(const struct probe *p, struct skbtrace_stats *out);

#endif /* SKBTRACE_PROBE_H */
