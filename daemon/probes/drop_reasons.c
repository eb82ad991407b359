// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "drop_reasons.h"
#include "skbtrace.h"

#define SUBSYS_SHIFT 16

void drop_reasons_load(const struct btf *btf, struct drop_reasons *r)
{
	memset(r, 0, sizeof(*r));
	if (!btf)
		return;
	enum_names_load(btf, "skb_drop_reason", "SKB_DROP_REASON_", &r->core);
	enum_names_load(btf, "skb_drop_reason_subsys", "SKB_DROP_REASON_SUBSYS_", &r->subsys);
}

void drop_reasons_free(struct drop_reasons *r)
{
	enum_names_free(&r->core);
	enum_names_free(&r->subsys);
}

const char *drop_reason_name(struct drop_reasons *r, uint32_t value, char *buf, size_t len)
{
	const char *name, *subsys;

	if (value == SKBTRACE_REASON_UNKNOWN)
		return snprintf(buf, len, "unknown"), buf;
	name = enum_names_get(&r->core, value);
	if (name)
		return snprintf(buf, len, "%s", name), buf;
	subsys = enum_names_get(&r->subsys, value >> SUBSYS_SHIFT);
	if (subsys && (value >> SUBSYS_SHIFT)) {
		snprintf(buf, len, "%s:%u", subsys, value & ((1u << SUBSYS_SHIFT) - 1));
		return buf;
	}
	snprintf(buf, len, "%u", value);
	return buf;
}
