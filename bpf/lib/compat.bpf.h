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
 */
#ifndef SKBTRACE_COMPAT_BPF_H
#define SKBTRACE_COMPAT_BPF_H

enum skb_drop_reason___skbtrace { SKB_DROP_REASON___skbtrace };
enum sk_rst_reason___skbtrace { SK_RST_REASON___skbtrace };

/*
 * skb:kfree_skb.  5.10: skbaddr, location, protocol; 5.17 added reason,
 * 6.11 rx_sk.
 */
struct trace_event_raw_kfree_skb___skbtrace {
	void *skbaddr;
	void *location;
	void *rx_sk;
	enum skb_drop_reason___skbtrace reason;
} __attribute__((preserve_access_index));

/* tcp:tcp_send_reset has its own record since 6.10, with the reset reason. */
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

/* tcp:tcp_receive_reset (tcp_event_sk class), the same on every kernel. */
struct trace_event_raw_tcp_event_sk___skbtrace {
	const void *skaddr;
} __attribute__((preserve_access_index));

#endif /* SKBTRACE_COMPAT_BPF_H */
