/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Map keys of the reset probe, shared by bpf/reset.bpf.c and daemon/probes/reset.c. */
#ifndef SKBTRACE_RESET_H
#define SKBTRACE_RESET_H

#include "skbtrace.h"

/* The counting maps' overflow slots in the stats (struct skbtrace_stats). */
enum reset_overflow_slot {
	RESET_COUNTS_SLOT,
	RESET_STACK_COUNTS_SLOT,
	LISTEN_OVERFLOW_COUNTS_SLOT,
};

enum reset_direction {
	RESET_SENT = 0,
	RESET_RECEIVED = 1,
};

enum reset_origin {
	/* An incoming segment found no socket, or one that could not take it. */
	RESET_PASSIVE = 0,
	/* The local socket aborted: close with unread data, SO_LINGER {1,0}, ... */
	RESET_ACTIVE = 1,
	/* Received resets: the peer decided, we cannot tell why. */
	RESET_PEER = 2,
};

/* Socket state where the kernel passed no socket (a segment to no socket at all). */
#define RESET_STATE_NONE 0xffff

/* skbtrace_tcp_resets_total{direction,origin,reason,state,netns} */
struct reset_key {
	__u8 direction;
	__u8 origin;
	__u16 state;
	__u32 reason; /* enum sk_rst_reason, or SKBTRACE_REASON_UNKNOWN */
	__u32 netns;
};

/* skbtrace_tcp_reset_stacks_total{direction,origin,netns,stack} */
struct reset_stack_key {
	__u8 direction;
	__u8 origin;
	__u16 pad;
	__u32 netns;
	__s32 stack_id; /* BPF stack id, or SKBTRACE_STACK_LOST */
};

/* skbtrace_tcp_listen_overflows_total{netns,port} */
struct listen_overflow_key {
	__u32 netns;
	__u16 port;
	__u16 pad;
};

#endif /* SKBTRACE_RESET_H */
