/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Tracepoint records whose layout differs between the kernels skbtrace
 * supports (5.10 and newer), as CO-RE flavours.  libbpf matches a flavour
 * to the kernel's type of the same name without the ___ suffix and
 * relocates each field by name, so the programs never depend on what the
 * vendored vmlinux.h holds: it may come from any kernel, old or new.
 * Every field that some supported kernel lacks is read only behind
 * bpf_core_field_exists() or bpf_core_type_exists().
 *
 * Enum-typed fields need enum flavours: CO-RE refuses an integer field as
 * a match for an enum one, and would then report the field as missing.
 *
 * Every flavour of the programs lives here, each with the kernel change
 * that made it necessary (as libbpf-tools' core_fixes.bpf.h does), so that
 * what a program must tolerate is one list.
 */
#ifndef SKBTRACE_COMPAT_BPF_H
#define SKBTRACE_COMPAT_BPF_H

enum skb_drop_reason___skbtrace { SKB_DROP_REASON___skbtrace };
enum sk_rst_reason___skbtrace { SK_RST_REASON___skbtrace };

/*
 * skb:kfree_skb.  5.10: skbaddr, location, protocol.
 * reason: commit c504e5c2f964 ("net: skb: introduce kfree_skb_reason()"), 5.17.
 * rx_sk: commit c53795d48ee8 ("net: add rx_sk to trace_kfree_skb"), 6.11.
 * https://github.com/torvalds/linux/commit/c504e5c2f964
 * https://github.com/torvalds/linux/commit/c53795d48ee8
 */
struct trace_event_raw_kfree_skb___skbtrace {
	void *skbaddr;
	void *location;
	void *rx_sk;
	enum skb_drop_reason___skbtrace reason;
} __attribute__((preserve_access_index));

/*
 * tcp:tcp_send_reset has its own record since 6.10, with the reset reason
 * (the rstreason series of 6.10; the commit is not pinned down yet).
 */
struct trace_event_raw_tcp_send_reset___skbtrace {
	const void *skbaddr;
	const void *skaddr;
	enum sk_rst_reason___skbtrace reason;
} __attribute__((preserve_access_index));

/* Before 6.10 tcp:tcp_send_reset shared the tcp_event_sk_skb class's record. */
struct trace_event_raw_tcp_event_sk_skb___skbtrace {
	const void *skbaddr;
	const void *skaddr;
} __attribute__((preserve_access_index));

/*
 * tcp:tcp_retransmit_skb has its own record once it passes the error (err);
 * before, it shared the tcp_event_sk_skb class's record above (the commit
 * is not pinned down yet).  Used by retransmit.bpf.c.
 */
struct trace_event_raw_tcp_retransmit_skb___skbtrace {
	const void *skbaddr;
	const void *skaddr;
	int err;
} __attribute__((preserve_access_index));

/* tcp:tcp_receive_reset (tcp_event_sk class), the same on every kernel. */
struct trace_event_raw_tcp_event_sk___skbtrace {
	const void *skaddr;
} __attribute__((preserve_access_index));

/*
 * nf_tables' own types.  Where nf_tables is a module (Debian's cloud
 * kernels, the arm64 ones whose BTF made bpf/vmlinux/arm64/vmlinux.h), they
 * are in the module's BTF, not vmlinux's, so a vendored vmlinux.h may lack
 * them: declared here with only the fields the netfilter probe reads, and
 * relocated against nf_tables' BTF at load.
 */
struct nft_table___skbtrace {
	u16 family : 6;
	char *name;
} __attribute__((preserve_access_index));

struct nft_chain___skbtrace {
	struct nft_table___skbtrace *table;
	char *name;
} __attribute__((preserve_access_index));

struct nft_pktinfo___skbtrace {
	struct sk_buff *skb;
	const struct nf_hook_state *state;
} __attribute__((preserve_access_index));

/*
 * struct nft_pktinfo: the hook state moved out of the embedded
 * xt_action_param into a pointer of its own in 5.16 ("netfilter:
 * nf_tables: remove xt_action_param from nft_pktinfo"; the commit is not
 * pinned down yet); 5.10 to 5.15 reach it as pkt->xt.state.  Used by
 * netfilter.bpf.c.
 */
struct xt_action_param___skbtrace {
	const struct nf_hook_state *state;
} __attribute__((preserve_access_index));

struct nft_pktinfo___skbtrace_xt {
	struct sk_buff *skb;
	struct xt_action_param___skbtrace xt;
} __attribute__((preserve_access_index));

#endif /* SKBTRACE_COMPAT_BPF_H */
