/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Map keys of the netfilter probe, shared by bpf/netfilter.bpf.c and daemon/probes/netfilter.c. */
#ifndef SKBTRACE_NETFILTER_H
#define SKBTRACE_NETFILTER_H

#include "skbtrace.h"

/*
 * Table and chain names as the key holds them, NUL included.  nftables
 * allows 256 bytes (NFT_NAME_MAXLEN); a longer name is cut after
 * NF_NAME_LEN - 1 bytes and its last byte left non-NUL, which the daemon
 * labels with a trailing "..." (series_label_text()): the key stays small.
 */
#define NF_NAME_LEN 64

/* The counting maps' overflow slots in the stats (struct skbtrace_stats). */
enum nf_overflow_slot {
	NF_DROPS_SLOT,
	NF_STACK_DROPS_SLOT,
};

/* skbtrace_netfilter_drops_total{netns,family,table,chain,hook} */
struct netfilter_key {
	__u32 netns;
	__u8 family; /* NFPROTO_*: the table's family */
	__u8 hook;   /* the hook number, read with the family */
	__u16 pad;
	char table[NF_NAME_LEN];
	char chain[NF_NAME_LEN];
};

/* skbtrace_netfilter_drop_stacks_total{netns,stack} */
struct netfilter_stack_key {
	__u32 netns;
	__s32 stack_id; /* BPF stack id, or SKBTRACE_STACK_LOST */
};

#endif /* SKBTRACE_NETFILTER_H */
