/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a drop or a reset most likely means and what to look at: one line of
 * cause and one of action per drop reason, drop location (function), reset
 * reason and reset origin.  The table (diagnosis.c) is data: /stacks,
 * `skbtrace top` and the landing page show its entries, docs/diagnosis.md is
 * generated from it, and a unit test checks its names against the running
 * kernel's BTF.  A key the table lacks gets no hint, never a guessed one.
 */
#ifndef SKBTRACE_DIAGNOSIS_H
#define SKBTRACE_DIAGNOSIS_H

#include <stddef.h>

enum hint_kind {
	HINT_DROP_REASON,   /* enum skb_drop_reason name, without SKB_DROP_REASON_ */
	HINT_DROP_LOCATION, /* function that freed the packet */
	HINT_RESET_REASON,  /* enum sk_rst_reason name, without SK_RST_REASON_ */
	HINT_RESET_ORIGIN,  /* the reset probe's origin label: passive, active, peer */
	HINT_KIND_MAX,
};

struct hint {
	enum hint_kind kind;
	const char *key;
	const char *cause;
	const char *action;
};

/*
 * The hint for key, or NULL.  A location may carry an offset and a
 * compiler suffix ("tcp_v4_rcv+0x3f2", "ip_rcv_finish_core.constprop.0+31"):
 * it is looked up by its function name.
 */
const struct hint *hint_find(enum hint_kind kind, const char *key);

/* The whole table, in the order docs/diagnosis.md lists it. */
const struct hint *hints_all(size_t *n);

/* "drop reason", "drop location", ... */
const char *hint_kind_name(enum hint_kind kind);

#endif /* SKBTRACE_DIAGNOSIS_H */
