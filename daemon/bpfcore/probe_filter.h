/* SPDX-License-Identifier: GPL-2.0 */
/* A probe's filter and stack policy as its BPF program's rodata wants them. */
#ifndef SKBTRACE_PROBE_FILTER_H
#define SKBTRACE_PROBE_FILTER_H

#include <stddef.h>
#include "config.h"
#include "kernel_btf.h"
#include "skbtrace.h"

/*
 * Reasons are resolved by `reasons` (NULL: none may be named); an error
 * names the config path and says the reason is not a `reason_kind` of the
 * running kernel.
 */
int probe_filter_to_bpf(const struct probe_config *cfg, const struct enum_names *reasons,
			const char *reason_kind, struct skbtrace_filter *out, char *err,
			size_t errlen);
void probe_stack_policy(const struct probe_config *cfg, struct skbtrace_stack_policy *out);

#endif /* SKBTRACE_PROBE_FILTER_H */
