/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The filter's view (struct skb_flow) of a TCP connection when the probe
 * holds a socket or a received segment rather than an outgoing packet.
 * Both are seen from this host: saddr/sport local, daddr/dport remote.
 */
#ifndef SKBTRACE_SOCK_FLOW_BPF_H
#define SKBTRACE_SOCK_FLOW_BPF_H

#include "skb_filter.bpf.h"

static __always_inline void sock_read_flow(const struct sock *sk, struct skb_flow *f)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	f->family = 0;
	f->has_ports = 0;
	if (family == SKBTRACE_AF_INET) {
		__be32 s = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__be32 d = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		__builtin_memcpy(f->saddr, &s, 4);
		__builtin_memcpy(f->daddr, &d, 4);
	} else if (family == SKBTRACE_AF_INET6) {
		BPF_CORE_READ_INTO(&f->saddr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&f->daddr, sk, __sk_common.skc_v6_daddr);
	} else {
		return;
	}
	f->family = family;
	f->l4proto = 6; /* IPPROTO_TCP: the only caller */
	f->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	f->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	f->has_ports = 1;
}

/* A received segment names the remote side first: swap to local-first. */
static __always_inline void skb_read_flow_local(struct sk_buff *skb, struct skb_flow *f)
{
	__u8 addr[16];
	__u16 port;

	/* skb_read_flow leaves what it could not read unset; the swap reads it all. */
	__builtin_memset(f, 0, sizeof(*f));
	skb_read_flow(skb, f);
	__builtin_memcpy(addr, f->saddr, 16);
	__builtin_memcpy(f->saddr, f->daddr, 16);
	__builtin_memcpy(f->daddr, addr, 16);
	port = f->sport;
	f->sport = f->dport;
	f->dport = port;
}

#endif /* SKBTRACE_SOCK_FLOW_BPF_H */
