/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One BPF program on skb:kfree_skb however many probes want it.  Every
 * program the kernel attaches to a tracepoint costs its own dispatch on
 * every freed packet, which dwarfs what most probes do there (one compare
 * of the drop reason), so the daemon attaches a single dispatcher
 * (bpf/dispatch.bpf.c) and puts each probe's kfree_skb program into a slot
 * of a program array.  The dispatcher tail-calls the first filled slot;
 * each program, when done, tail-calls the next filled slot after its own.
 * A tail call into an empty slot returns, and the next one is tried; the
 * slots after the last filled one are not tried at all: the daemon keeps
 * their start in kfree_skb_chain_end (one load, inlined), since a probe
 * alone would otherwise pay an empty tail call for every slot after its own.
 *
 * Tail calls need the same program type on both sides, so there is one
 * chain (and dispatcher) per attach method.  The daemon shares the array
 * and the end between the objects (bpf_map__reuse_fd) and sets kfree_skb_next, the
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

/* One past the last slot that may be filled; set by the daemon. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} kfree_skb_chain_end SEC(".maps");

/* The dispatcher tries slot 0 first; the program in slot N tries N + 1. */
const volatile __u32 kfree_skb_next = 0;

static __always_inline void kfree_skb_chain_next(void *ctx)
{
	__u32 zero = 0, *end = bpf_map_lookup_elem(&kfree_skb_chain_end, &zero);
	__u32 n = end ? *end : SKBTRACE_CHAIN_SLOTS;

#pragma unroll
	for (__u32 i = 0; i < SKBTRACE_CHAIN_SLOTS; i++) {
		if (i >= kfree_skb_next) {
			if (i >= n)
				return;
			bpf_tail_call(ctx, &kfree_skb_chain, i);
		}
	}
}

#endif /* SKBTRACE_CHAIN_BPF_H */
