/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Map keys of the drop probe, shared by bpf/drop.bpf.c and daemon/probes/drop.c. */
#ifndef SKBTRACE_DROP_H
#define SKBTRACE_DROP_H

#include "skbtrace.h"

/* The counting maps' overflow slots in the stats (struct skbtrace_stats). */
enum drop_overflow_slot {
	DROP_COUNTS_SLOT,
	DROP_STACK_COUNTS_SLOT,
};

/* skbtrace_drops_total{reason,location,netns} */
struct drop_key {
	__u32 reason;
	__u32 netns;
	__u64 location;
};

/* skbtrace_drop_stacks_total{reason,netns,stack} */
struct drop_stack_key {
	__u32 reason;
	__u32 netns;
	__s32 stack_id; /* BPF stack id, or SKBTRACE_STACK_LOST */
	__u32 pad;
};

#endif /* SKBTRACE_DROP_H */
