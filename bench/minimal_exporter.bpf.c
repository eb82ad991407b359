// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A minimal drop exporter, for comparison: what a tracer costs that counts
 * every freed packet by reason, location and network namespace in one
 * per-CPU hash, as ebpf_exporter's kfree_skb example does, and nothing
 * else (no stacks, no filter, no statistics, no cache).  bench/run.sh's
 * `minimal-exporter` row; not part of skbtrace.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct drop_key {
	__u64 location;
	__u32 reason;
	__u32 netns;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct drop_key);
	__type(value, __u64);
} drops SEC(".maps");

SEC("tp_btf/kfree_skb")
int minimal_exporter(__u64 *ctx)
{
	struct sk_buff *skb = (struct sk_buff *)ctx[0];
	struct drop_key key = { .location = ctx[1], .reason = (__u32)ctx[2] };
	struct net_device *dev = skb->dev;
	struct sock *sk = skb->sk;
	__u64 one = 1, *v;

	/* Locally generated packets have no device yet at the OUTPUT hook. */
	if (dev)
		key.netns = dev->nd_net.net->ns.inum;
	else if (sk)
		key.netns = sk->__sk_common.skc_net.net->ns.inum;
	v = bpf_map_lookup_elem(&drops, &key);
	if (v)
		(*v)++;
	else
		bpf_map_update_elem(&drops, &key, &one, BPF_NOEXIST);
	return 0;
}
