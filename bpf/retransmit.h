/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Map keys of the retransmit probe, shared by bpf/retransmit.bpf.c and daemon/probes/retransmit.c. */
#ifndef SKBTRACE_RETRANSMIT_H
#define SKBTRACE_RETRANSMIT_H

#include "skbtrace.h"

/* The counting maps' overflow slots in the stats (struct skbtrace_stats). */
enum retransmit_overflow_slot {
	RETRANSMIT_COUNTS_SLOT,
	RETRANSMIT_STACK_COUNTS_SLOT,
};

/* skbtrace_tcp_retransmits_total{state,netns}: segments, not skbs */
struct retransmit_key {
	__u16 state; /* the socket's TCP state */
	__u16 pad;
	__u32 netns;
};

/* skbtrace_tcp_retransmit_stacks_total{netns,stack} */
struct retransmit_stack_key {
	__u32 netns;
	__s32 stack_id; /* BPF stack id, or SKBTRACE_STACK_LOST */
};

#endif /* SKBTRACE_RETRANSMIT_H */
