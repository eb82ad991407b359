/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Map keys of the conntrack probe, shared by bpf/conntrack.bpf.c and daemon/probes/conntrack.c. */
#ifndef SKBTRACE_CONNTRACK_H
#define SKBTRACE_CONNTRACK_H

#include "skbtrace.h"

/* The counting maps' overflow slots in the stats (struct skbtrace_stats). */
enum ct_overflow_slot {
	CT_DROPS_SLOT,
	CT_STACK_DROPS_SLOT,
};

/* skbtrace_conntrack_table_full_drops_total{netns} */
struct ct_key {
	__u32 netns;
};

/* skbtrace_conntrack_table_full_drop_stacks_total{netns,stack} */
struct ct_stack_key {
	__u32 netns;
	__s32 stack_id; /* BPF stack id, or SKBTRACE_STACK_LOST */
};

/*
 * Last value of the kernel's per-CPU conntrack `drop` statistic seen in one
 * namespace on one CPU (tracepoint method); seeded by the daemon before attach.
 */
struct ct_cpu_key {
	__u32 netns;
	__u32 cpu;
};

/*
 * One CPU's copy of recent ct_last_drop entries (tracepoint method), direct
 * mapped by namespace id, with the address of the namespace's statistics on
 * that CPU (0: the slot is free) and the per-CPU pointer it came from.
 */
#define CT_DROP_CACHE_BITS 4

struct ct_drop_slot {
	__u32 netns;
	__u32 last;
	__u64 stat; /* net->ct.stat */
	__u64 addr; /* this CPU's copy of it */
};

struct ct_drop_cache {
	struct ct_drop_slot slot[1 << CT_DROP_CACHE_BITS];
};

#endif /* SKBTRACE_CONNTRACK_H */
