/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Types shared by every probe's BPF program and the daemon.  Everything here
 * is plain fixed-width data so that the same header compiles for -target bpf
 * and for user space.
 */
#ifndef SKBTRACE_H
#define SKBTRACE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define SKBTRACE_MAX_CIDRS 8
#define SKBTRACE_MAX_PORTS 8
#define SKBTRACE_MAX_NETNS 8
#define SKBTRACE_MAX_REASONS 16
#define SKBTRACE_MAX_STACK_DEPTH 32
/* Slots of the skb:kfree_skb program chain: at most one per probe. */
#define SKBTRACE_CHAIN_SLOTS 8

/* Reason recorded where the kernel's tracepoint carries none (before 5.17). */
#define SKBTRACE_REASON_UNKNOWN 0xffffffffu

/* Stack id stored in a stack-count key when the stack table had no room. */
#define SKBTRACE_STACK_LOST -1

enum skbtrace_stack_mode {
	SKBTRACE_STACKS_OFF = 0,
	/* Every event while the per-CPU budget lasts, then one in N. */
	SKBTRACE_STACKS_ADAPTIVE = 1,
	SKBTRACE_STACKS_EXACT = 2,
};

struct skbtrace_cidr {
	__u8 family; /* AF_INET or AF_INET6 */
	__u8 prefixlen;
	__u8 pad[2];
	__u8 addr[16];
};

/*
 * The filter lives in .rodata, so the verifier prunes every list that the
 * config leaves empty and an unfiltered probe pays nothing for it.
 * Each non-empty list must match (any of its entries); lists are ANDed.
 */
struct skbtrace_filter {
	__u8 n_saddr;
	__u8 n_daddr;
	__u8 n_sport;
	__u8 n_dport;
	__u8 n_netns;
	__u8 n_reason_include;
	__u8 n_reason_exclude;
	__u8 has_protocols;
	__u64 protocols[4]; /* bitmap of IP protocol numbers */
	struct skbtrace_cidr saddr[SKBTRACE_MAX_CIDRS];
	struct skbtrace_cidr daddr[SKBTRACE_MAX_CIDRS];
	__u16 sport[SKBTRACE_MAX_PORTS];
	__u16 dport[SKBTRACE_MAX_PORTS];
	__u32 netns[SKBTRACE_MAX_NETNS];
	__u32 reason_include[SKBTRACE_MAX_REASONS];
	__u32 reason_exclude[SKBTRACE_MAX_REASONS];
};

struct skbtrace_stack_policy {
	__u32 mode;	      /* enum skbtrace_stack_mode */
	__u32 budget_per_cpu; /* stacks per second and CPU captured before sampling */
	__u32 sample_mask;    /* beyond the budget, capture when (prandom & mask) == 0 */
	__u32 pad;
};

/* Per-CPU probe statistics, one slot each, shared by all probes. */
enum skbtrace_stat {
	SKBTRACE_STAT_EVENTS,	      /* tracepoint hits */
	SKBTRACE_STAT_FILTERED,	      /* hits rejected by the filter */
	SKBTRACE_STAT_STACK_CAPTURED, /* events with a stack captured */
	SKBTRACE_STAT_STACK_SKIPPED,  /* events past the budget and not sampled */
	SKBTRACE_STAT_STACK_LOST,     /* stack walk failed or stack table full */
	SKBTRACE_STAT_MAX,
};

/* Counting maps a probe may have: each has its overflow slot in the stats. */
#define SKBTRACE_OVERFLOW_SLOTS 4

/*
 * What a counting map could not take when it was full: the events and the
 * amount they would have added (an event may count more than one).  The daemon
 * exports the amount as the family's "overflow" series, so that the
 * family's sum stays exact, and the events as the map's overflow events.
 */
struct skbtrace_overflow {
	__u64 events;
	__u64 amount;
};

/*
 * The value of every probe's per-CPU "stats" map.  The stack budget lives in
 * the same value so that an event costs one map lookup for both; the daemon
 * reads only v[] and overflow[].
 */
struct skbtrace_stats {
	__u64 v[SKBTRACE_STAT_MAX];
	struct skbtrace_overflow overflow[SKBTRACE_OVERFLOW_SLOTS];
	__u64 stack_window_start; /* ns; start of the current budget window */
	__u64 stack_budget_used;  /* stacks captured in the current window */
	__u64 stack_clock_jiffy;  /* jiffies when the clock was last read */
};

/*
 * A per-CPU cache of counters in front of a per-CPU hash of them: see
 * bpf/lib/count_cache.bpf.h.  Keys are 16 bytes; key[1] is never 0 in a
 * claimed slot.
 */
#define SKBTRACE_COUNT_CACHE_BITS 6
#define SKBTRACE_COUNT_CACHE_SLOTS (1 << SKBTRACE_COUNT_CACHE_BITS)

struct skbtrace_count_slot {
	__u64 count; /* first: read before the key, written after it */
	__u64 key[2];
};

struct skbtrace_count_cache {
	struct skbtrace_count_slot slot[SKBTRACE_COUNT_CACHE_SLOTS];
};

/* Count caches one sweeper program frees slots of (COUNT_CACHE_SWEEPER). */
#define SKBTRACE_SWEEP_CACHES 2

/* The sweeper's test-run context: one bit per slot to free, of each cache. */
struct skbtrace_cache_sweep {
	__u64 slots[SKBTRACE_SWEEP_CACHES];
};

#endif /* SKBTRACE_H */
