/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Packet filter applied in BPF before any counting map is touched.  Each
 * probe declares `const volatile struct skbtrace_filter filter` in its
 * .rodata; empty lists are pruned by the verifier.
 */
#ifndef SKBTRACE_SKB_FILTER_BPF_H
#define SKBTRACE_SKB_FILTER_BPF_H

#include "../skbtrace.h"

#define SKBTRACE_ETH_P_IP 0x0800
#define SKBTRACE_ETH_P_IPV6 0x86DD
#define SKBTRACE_AF_INET 2
#define SKBTRACE_AF_INET6 10

struct skb_flow {
	__u8 family; /* 0: not an IP packet we could read */
	__u8 l4proto;
	__u8 has_ports;
	__u8 pad;
	__u16 sport; /* host byte order */
	__u16 dport;
	__u8 saddr[16];
	__u8 daddr[16];
};

static __always_inline bool l4_has_ports(__u8 proto)
{
	/* TCP, UDP, DCCP, SCTP, UDP-Lite all start with source and destination port. */
	return proto == 6 || proto == 17 || proto == 33 || proto == 132 || proto == 136;
}

/*
 * Reads the IP header at skb->network_header.  The raw bytes are decoded by
 * hand rather than through struct iphdr so that the bitfield layout never
 * depends on CO-RE.
 */
static __always_inline void skb_read_flow(struct sk_buff *skb, struct skb_flow *f)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 nh_off = BPF_CORE_READ(skb, network_header);
	__u16 proto = bpf_ntohs(BPF_CORE_READ(skb, protocol));
	unsigned char *nh = head + nh_off;
	unsigned char *l4;
	__u8 hdr[40];

	f->family = 0;
	f->has_ports = 0;
	if (proto == SKBTRACE_ETH_P_IP) {
		if (bpf_probe_read_kernel(hdr, 20, nh) || (hdr[0] >> 4) != 4)
			return;
		f->family = SKBTRACE_AF_INET;
		f->l4proto = hdr[9];
		__builtin_memcpy(f->saddr, &hdr[12], 4);
		__builtin_memcpy(f->daddr, &hdr[16], 4);
		/* A non-first fragment carries no L4 header. */
		if (((hdr[6] & 0x1f) | hdr[7]) != 0)
			return;
		l4 = nh + (hdr[0] & 0x0f) * 4;
	} else if (proto == SKBTRACE_ETH_P_IPV6) {
		if (bpf_probe_read_kernel(hdr, 40, nh) || (hdr[0] >> 4) != 6)
			return;
		f->family = SKBTRACE_AF_INET6;
		/* Extension headers are not walked: their payload counts as "no ports". */
		f->l4proto = hdr[6];
		__builtin_memcpy(f->saddr, &hdr[8], 16);
		__builtin_memcpy(f->daddr, &hdr[24], 16);
		l4 = nh + 40;
	} else {
		return;
	}
	if (l4_has_ports(f->l4proto)) {
		__u16 ports[2];

		if (bpf_probe_read_kernel(ports, sizeof(ports), l4))
			return;
		f->sport = bpf_ntohs(ports[0]);
		f->dport = bpf_ntohs(ports[1]);
		f->has_ports = 1;
	}
}

static __always_inline bool cidr_match(const volatile struct skbtrace_cidr *c, __u8 family,
				       const __u8 *addr)
{
	__u32 bits = c->prefixlen;

	if (c->family != family)
		return false;
	for (int i = 0; i < 16; i++) {
		__u8 mask;

		if (bits == 0)
			return true;
		mask = bits >= 8 ? 0xff : (__u8)(0xff << (8 - bits));
		if ((addr[i] ^ c->addr[i]) & mask)
			return false;
		bits = bits >= 8 ? bits - 8 : 0;
	}
	return true;
}

static __always_inline bool cidr_list_match(const volatile struct skbtrace_cidr *list, __u8 n,
					    __u8 family, const __u8 *addr)
{
	for (int i = 0; i < SKBTRACE_MAX_CIDRS; i++) {
		if (i >= n)
			break;
		if (cidr_match(&list[i], family, addr))
			return true;
	}
	return false;
}

static __always_inline bool port_list_match(const volatile __u16 *list, __u8 n, __u16 port)
{
	for (int i = 0; i < SKBTRACE_MAX_PORTS; i++) {
		if (i >= n)
			break;
		if (list[i] == port)
			return true;
	}
	return false;
}

static __always_inline bool u32_list_match(const volatile __u32 *list, __u8 n, __u32 v)
{
	for (int i = 0; i < SKBTRACE_MAX_REASONS; i++) {
		if (i >= n)
			break;
		if (list[i] == v)
			return true;
	}
	return false;
}

static __always_inline bool filter_reason_ok(const volatile struct skbtrace_filter *flt,
					     __u32 reason)
{
	if (flt->n_reason_include &&
	    !u32_list_match(flt->reason_include, flt->n_reason_include, reason))
		return false;
	if (flt->n_reason_exclude &&
	    u32_list_match(flt->reason_exclude, flt->n_reason_exclude, reason))
		return false;
	return true;
}

static __always_inline bool filter_netns_ok(const volatile struct skbtrace_filter *flt, __u32 netns)
{
	return !flt->n_netns || u32_list_match(flt->netns, flt->n_netns, netns);
}

static __always_inline bool filter_needs_flow(const volatile struct skbtrace_filter *flt)
{
	return flt->has_protocols || flt->n_saddr || flt->n_daddr || flt->n_sport || flt->n_dport;
}

/* A packet whose headers cannot be read fails every address, port and protocol filter. */
static __always_inline bool filter_flow_ok(const volatile struct skbtrace_filter *flt,
					   const struct skb_flow *f)
{
	if (flt->has_protocols) {
		if (!f->family ||
		    !(flt->protocols[(f->l4proto >> 6) & 3] & (1ULL << (f->l4proto & 63))))
			return false;
	}
	if (flt->n_saddr &&
	    (!f->family || !cidr_list_match(flt->saddr, flt->n_saddr, f->family, f->saddr)))
		return false;
	if (flt->n_daddr &&
	    (!f->family || !cidr_list_match(flt->daddr, flt->n_daddr, f->family, f->daddr)))
		return false;
	if (flt->n_sport && (!f->has_ports || !port_list_match(flt->sport, flt->n_sport, f->sport)))
		return false;
	if (flt->n_dport && (!f->has_ports || !port_list_match(flt->dport, flt->n_dport, f->dport)))
		return false;
	return true;
}

#endif /* SKBTRACE_SKB_FILTER_BPF_H */
