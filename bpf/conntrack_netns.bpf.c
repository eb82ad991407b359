// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The conntrack statistics of every network namespace, as each namespace's
 * /proc/net/stat/nf_conntrack and nf_conntrack_count would show them, read
 * without entering any namespace.
 *
 * The daemon runs the program at scrape time with BPF_PROG_TEST_RUN, once on
 * each online CPU.  A run walks the kernel's ring of namespaces
 * (lib/netns_walk.bpf.h) and writes, for each namespace, this CPU's
 * statistics into this CPU's element of ct_netns_out.  So a scrape costs a
 * few reads per namespace and CPU: no setns(), no CAP_SYS_ADMIN, and no walk
 * over every process to find the namespaces.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "conntrack_netns.h"
#include "lib/percpu.bpf.h"
#include "lib/netns.bpf.h"
#include "lib/netns_walk.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Namespaces reported at most (limits.max_series); the walk counts the rest. */
const volatile __u32 max_netns = 1;
/* Nodes one walk visits at most, the bound of bpf_loop(). */
const volatile __u32 max_steps = 1;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1); /* max_netns */
	__type(key, __u32);
	__type(value, struct ct_netns_sample);
} ct_netns_out SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ct_netns_walk);
} ct_netns_walk SEC(".maps");

/* Kernels before 5.13 count a namespace's entries in struct netns_ct. */
struct netns_ct___with_count {
	atomic_t count;
};

/* Where this CPU's walk is; its counters are in ct_netns_walk. */
struct walk_state {
	struct netns_cursor cur;
	__u64 percpu_off;
	__u64 count_off;
	__u32 pernet_id; /* nf_conntrack's slot in net->gen, 0 when unknown */
};

/*
 * In maps, not on the stack, so that walk_step() can be a global function:
 * the verifier checks it once, instead of once per iteration of a plain
 * loop, and takes only scalars as its arguments.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct walk_state);
} walk_cursor SEC(".maps");

static __always_inline struct ct_netns_walk *walk_counters(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&ct_netns_walk, &zero);
}

static __always_inline struct walk_state *walk_state(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&walk_cursor, &zero);
}

static __always_inline void *pernet_ptr(struct net *net, __u32 id)
{
	struct net_generic *gen = BPF_CORE_READ(net, gen);
	void *ptr = NULL;
	__u32 len = 0;

	if (!gen || BPF_CORE_READ_INTO(&len, gen, s.len) || id >= len)
		return NULL;
	bpf_probe_read_kernel(&ptr, sizeof(ptr),
			      (void *)gen + bpf_core_field_offset(struct net_generic, ptr) +
				      (__u64)id * sizeof(void *));
	return ptr;
}

/*
 * nf_conntrack's pernet id, found without its symbol (data symbols are in
 * /proc/kallsyms only with CONFIG_KALLSYMS_ALL): the slot of net->gen whose
 * sysctl table's nf_conntrack_count row points back at the slot's own count.
 */
static __always_inline __u32 find_pernet_id(struct net *net, const struct ct_netns_args *a)
{
	__u64 row = a->sysctl_count * bpf_core_type_size(struct ctl_table) +
		    bpf_core_field_offset(struct ctl_table, data);

	for (__u32 id = 1; id < CT_PERNET_MAX_IDS; id++) {
		struct ctl_table_header *hdr = NULL;
		const struct ctl_table *table;
		void *cnet = pernet_ptr(net, id), *data = NULL;

		if (!cnet)
			continue;
		if (bpf_probe_read_kernel(&hdr, sizeof(hdr), cnet + a->sysctl_off) || !hdr)
			continue;
		table = BPF_CORE_READ(hdr, ctl_table);
		if (!table || bpf_probe_read_kernel(&data, sizeof(data), (void *)table + row))
			continue;
		if (data == cnet + a->count_off)
			return id;
	}
	return 0;
}

static __always_inline bool read_entries(struct net *net, const struct walk_state *s, __u64 *out)
{
	struct netns_ct___with_count *ct = (void *)&net->ct;
	void *cnet;
	int count = 0;

	if (bpf_core_field_exists(ct->count)) {
		if (bpf_probe_read_kernel(&count, sizeof(count), &ct->count.counter))
			return false;
		*out = (__u32)count;
		return true;
	}
	cnet = s->pernet_id ? pernet_ptr(net, s->pernet_id) : NULL;
	if (!cnet || bpf_probe_read_kernel(&count, sizeof(count), cnet + s->count_off))
		return false;
	*out = (__u32)count;
	return true;
}

#define STAT_WORDS 16

static __always_inline void read_stat(struct net *net, const struct walk_state *s,
				      struct ct_netns_sample *o)
{
	struct ip_conntrack_stat *stat = BPF_CORE_READ(net, ct.stat);
	__u32 size = bpf_core_type_size(struct ip_conntrack_stat);
	__u32 buf[STAT_WORDS] = {}, any = 0;

	if (!stat)
		return;
	if (size > sizeof(buf))
		size = sizeof(buf);
	if (bpf_probe_read_kernel(buf, size, (void *)stat + s->percpu_off))
		return;
	o->has_stat = 1;
	o->stat[CT_STAT_DROP] = buf[bpf_core_field_offset(struct ip_conntrack_stat, drop) / 4];
	o->stat[CT_STAT_EARLY_DROP] =
		buf[bpf_core_field_offset(struct ip_conntrack_stat, early_drop) / 4];
	o->stat[CT_STAT_INSERT_FAILED] =
		buf[bpf_core_field_offset(struct ip_conntrack_stat, insert_failed) / 4];
	o->stat[CT_STAT_INVALID] =
		buf[bpf_core_field_offset(struct ip_conntrack_stat, invalid) / 4];
	for (int i = 0; i < STAT_WORDS; i++)
		any |= buf[i];
	o->active = any != 0;
}

static __always_inline void sample(struct net *net, struct walk_state *s, struct ct_netns_walk *w)
{
	__u32 slot = w->sampled;
	struct ct_netns_sample *o = bpf_map_lookup_elem(&ct_netns_out, &slot);

	if (!o)
		return;
	__builtin_memset(o, 0, sizeof(*o));
	o->inum = BPF_CORE_READ(net, ns.inum);
	o->id = net_id(net);
	read_stat(net, s, o);
	o->has_count = read_entries(net, s, &o->entries);
	w->sampled++;
}

/* One node of the ring; returns 1 to stop. */
__noinline int walk_step(__u32 i)
{
	struct ct_netns_walk *w = walk_counters();
	struct walk_state *s = walk_state();
	struct net *net;
	int stop;

	if (!w || !s)
		return 1;
	stop = netns_cursor_step(&s->cur, i, &net, &w->complete);
	if (net) {
		if (w->sampled < max_netns)
			sample(net, s, w);
		w->found++;
	}
	return stop;
}

/* A bpf_loop() callback must return 0 or 1, which a global function's result is not known to be. */
static int loop_step(__u32 i, void *unused)
{
	return walk_step(i) ? 1 : 0;
}

/* Sets up this CPU's walk; false when there is nothing to walk. */
static __always_inline bool walk_begin(const struct ct_netns_args *args)
{
	struct ct_netns_walk *w = walk_counters();
	struct walk_state *s = walk_state();

	if (!w || !s)
		return false;
	__builtin_memset(w, 0, sizeof(*w));
	__builtin_memset(s, 0, sizeof(*s));
	if (!netns_cursor_begin(&s->cur) || !this_cpu_offset(&s->percpu_off)) {
		w->no_offset = 1;
		return false;
	}
	s->count_off = args->count_off;
	if (args->known && !bpf_core_field_exists(((struct netns_ct___with_count *)0)->count))
		s->pernet_id = find_pernet_id(
			(struct net *)(s->cur.start - bpf_core_field_offset(struct net, list)),
			args);
	return true;
}

SEC("raw_tp")
int ct_netns_read_loop(struct ct_netns_args *args)
{
	if (walk_begin(args))
		bpf_loop(max_steps, loop_step, NULL, 0);
	return 0;
}

/* Before bpf_loop() (5.17): a plain loop, bounded by a constant. */
SEC("raw_tp")
int ct_netns_read_bounded(struct ct_netns_args *args)
{
	if (!walk_begin(args))
		return 0;
	for (__u32 i = 0; i < 2 * CT_NETNS_BOUNDED; i++) {
		if (walk_step(i))
			break;
	}
	return 0;
}
