// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The one program on skb:kfree_skb: it hands every freed packet to the
 * probes' kfree_skb programs through the chain (lib/chain.bpf.h).  One
 * program per attach method, since a tail call keeps the program type; the
 * daemon loads and attaches the method's program while a probe uses it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "lib/chain.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/kfree_skb")
int dispatch_tp_btf(__u64 *ctx)
{
	kfree_skb_chain_next(ctx);
	return 0;
}

SEC("raw_tp/kfree_skb")
int dispatch_raw_tp(__u64 *ctx)
{
	kfree_skb_chain_next(ctx);
	return 0;
}

SEC("tracepoint/skb/kfree_skb")
int dispatch_tracepoint(void *ctx)
{
	kfree_skb_chain_next(ctx);
	return 0;
}
