/* SPDX-License-Identifier: GPL-2.0 */
/* State shared by the reset probe's lifecycle (reset.c) and its metrics (reset_metrics.c). */
#ifndef SKBTRACE_RESET_PROBE_H
#define SKBTRACE_RESET_PROBE_H

#include "kernel_btf.h"
#include "kfree_skb_chain.h"
#include "probe.h"

struct reset_bpf;

struct reset_probe {
	struct reset_bpf *skel;
	struct enum_names reasons;   /* enum sk_rst_reason; empty before 6.10 */
	struct enum_names states;    /* the TCP states enum (TCP_ESTABLISHED, ...) */
	struct kfree_skb_link chain; /* the TCP_LISTEN_OVERFLOW drop program's */
};

int reset_collect(struct probe *p, struct expo *e, const struct probe_env *env);

#endif /* SKBTRACE_RESET_PROBE_H */
