/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Adaptive kernel stack capture.  A stack walk costs about twenty times the
 * counting itself, so during a drop storm the probe captures every event only
 * while a per-CPU budget per second lasts and samples one in N beyond it.
 * Counts stay exact either way: only the stack attribution is sampled.
 */
#ifndef SKBTRACE_STACKS_BPF_H
#define SKBTRACE_STACKS_BPF_H

#include "../skbtrace.h"

#define SKBTRACE_NSEC_PER_SEC 1000000000ULL

const volatile struct skbtrace_stack_policy stack_policy = {};

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1); /* set from limits.max_stacks before load */
	__uint(key_size, sizeof(__u32));
	__uint(value_size, SKBTRACE_MAX_STACK_DEPTH * sizeof(__u64));
} stack_traces SEC(".maps");

struct stack_budget {
	__u64 window_start;
	__u32 used;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stack_budget);
} stack_budget SEC(".maps");

static __always_inline bool stack_wanted(void)
{
	struct stack_budget *b;
	__u32 zero = 0;
	__u64 now;

	if (stack_policy.mode == SKBTRACE_STACKS_OFF)
		return false;
	if (stack_policy.mode == SKBTRACE_STACKS_EXACT)
		return true;
	b = bpf_map_lookup_elem(&stack_budget, &zero);
	if (!b)
		return false;
	if (b->used < stack_policy.budget_per_cpu) {
		b->used++;
		return true;
	}
	/*
	 * Only a spent budget needs the clock, so quiet periods never read it.
	 * (bpf_ktime_get_coarse_ns would be cheaper, but tracing programs may
	 * not call it: it takes a seqlock that an NMI could interrupt.)
	 */
	now = bpf_ktime_get_ns();
	if (now - b->window_start >= SKBTRACE_NSEC_PER_SEC) {
		b->window_start = now;
		b->used = 1;
		return true;
	}
	return (bpf_get_prandom_u32() & stack_policy.sample_mask) == 0;
}

/*
 * Returns the BPF stack id of the current kernel stack, or
 * SKBTRACE_STACK_LOST when the stack table has no room for it.
 */
static __always_inline __s32 stack_capture(void *ctx, struct skbtrace_stats *s)
{
	long id = bpf_get_stackid(ctx, &stack_traces, 0);

	if (id < 0) {
		stat_inc(s, SKBTRACE_STAT_STACK_LOST);
		return SKBTRACE_STACK_LOST;
	}
	stat_inc(s, SKBTRACE_STAT_STACK_CAPTURED);
	return id;
}

#endif /* SKBTRACE_STACKS_BPF_H */
