/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Drop reason names, read from the running kernel's enum skb_drop_reason.
 * Since 6.4 the upper 16 bits of a reason may name a subsystem (enum
 * skb_drop_reason_subsys); such reasons are labelled "SUBSYS:code".
 */
#ifndef SKBTRACE_DROP_REASONS_H
#define SKBTRACE_DROP_REASONS_H

#include <stddef.h>
#include <stdint.h>
#include "kernel_btf.h"

struct drop_reasons {
	struct enum_names core;	  /* enum skb_drop_reason */
	struct enum_names subsys; /* enum skb_drop_reason_subsys; empty before 6.4 */
};

/* Never fails: a kernel without the enums reports numbers or "unknown". */
void drop_reasons_load(const struct btf *btf, struct drop_reasons *r);
void drop_reasons_free(struct drop_reasons *r);

/* The label value for a reason: its name, "SUBSYS:code", "unknown" or the number. */
const char *drop_reason_name(struct drop_reasons *r, uint32_t value, char *buf, size_t len);

#endif /* SKBTRACE_DROP_REASONS_H */
