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
#include "stats.bpf.h"

#define SKBTRACE_NSEC_PER_SEC 1000000000ULL

const volatile struct skbtrace_stack_policy stack_policy = {};

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1); /* set from limits.max_stacks before load */
	__uint(key_size, sizeof(__u32));
	__uint(value_size, SKBTRACE_MAX_STACK_DEPTH * sizeof(__u64));
} stack_traces SEC(".maps");

/* Whether the stack policy lets this CPU walk a stack now; spends budget. */
static __always_inline bool stack_budget_allows(struct skbtrace_stats *s)
{
	__u64 now, jiffy;

	if (stack_policy.mode == SKBTRACE_STACKS_OFF)
		return false;
	if (stack_policy.mode == SKBTRACE_STACKS_EXACT)
		return true;
	if (!s)
		return false;
	/*
	 * The clock is read at most once per jiffy and CPU, not per event:
	 * jiffies is a plain load, the clock a few dozen ns under a hypervisor.
	 * A window thus opens at most a jiffy late.  (bpf_ktime_get_coarse_ns
	 * would do both in one, but tracing programs may not call it: it takes a
	 * seqlock that an NMI could interrupt.)
	 */
	jiffy = bpf_jiffies64();
	if (jiffy != s->stack_clock_jiffy) {
		s->stack_clock_jiffy = jiffy;
		now = bpf_ktime_get_ns();
		if (now - s->stack_window_start >= SKBTRACE_NSEC_PER_SEC) {
			s->stack_window_start = now;
			s->stack_budget_used = 0;
		}
	}
	if (s->stack_budget_used < stack_policy.budget_per_cpu) {
		s->stack_budget_used++;
		return true;
	}
	return (bpf_get_prandom_u32() & stack_policy.sample_mask) == 0;
}

/* stack_budget_allows() for an event, counting it as skipped when it says no. */
static __always_inline bool stack_wanted(struct skbtrace_stats *s)
{
	if (stack_budget_allows(s))
		return true;
	if (stack_policy.mode != SKBTRACE_STACKS_OFF)
		stat_inc(s, SKBTRACE_STAT_STACK_SKIPPED);
	return false;
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
