/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One BPF program on skb:kfree_skb however many probes want it.  Every
 * program the kernel attaches to a tracepoint costs its own dispatch on
 * every freed packet, which dwarfs what most probes do there (one compare
 * of the drop reason), so the daemon attaches a single dispatcher
 * (bpf/dispatch.bpf.c) and puts each probe's kfree_skb program into a slot
 * of a program array.  The dispatcher tail-calls the first filled slot;
 * each program, when done, tail-calls the next filled slot after its own.
 * An empty slot costs a bounds check and a load: a tail call into it
 * returns, and the next one is tried.
 *
 * Tail calls need the same program type on both sides, so there is one
 * chain (and dispatcher) per attach method.  The daemon shares the array
 * between the objects (bpf_map__reuse_fd) and sets kfree_skb_next, the
 * first slot to try after this program, before loading.  Constant slot
 * numbers let the verifier patch direct jumps.
 */
#ifndef SKBTRACE_CHAIN_BPF_H
#define SKBTRACE_CHAIN_BPF_H

#include "../skbtrace.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SKBTRACE_CHAIN_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} kfree_skb_chain SEC(".maps");

/* The dispatcher tries slot 0 first; the program in slot N tries N + 1. */
const volatile __u32 kfree_skb_next = 0;

static __always_inline void kfree_skb_chain_next(void *ctx)
{
#pragma unroll
	for (__u32 i = 0; i < SKBTRACE_CHAIN_SLOTS; i++) {
		if (i >= kfree_skb_next)
			bpf_tail_call(ctx, &kfree_skb_chain, i);
	}
}

#endif /* SKBTRACE_CHAIN_BPF_H */
