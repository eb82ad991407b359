/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the daemon learns from the running kernel's BTF instead of from
 * tables in the source: enum names (drop and reset reasons) and the shape of
 * tracepoints, both of which change between kernel versions.
 */
#ifndef SKBTRACE_KERNEL_BTF_H
#define SKBTRACE_KERNEL_BTF_H

#include <stdbool.h>
#include <stdint.h>

struct btf;

/* Value → name table of one kernel enum, names without a common prefix. */
struct enum_names {
	uint32_t *values;
	char **names;
	int n;
};

/*
 * Loads enum `enum_name` from btf, stripping `prefix` from each constant
 * ("SKB_DROP_REASON_NO_SOCKET" → "NO_SOCKET").  Returns -ENOENT when the
 * kernel has no such enum.
 */
int enum_names_load(const struct btf *btf, const char *enum_name, const char *prefix,
		    struct enum_names *out);
/*
 * Same for the enum that has a constant named `member`: several kernel enums
 * are anonymous, e.g. the TCP states (TCP_ESTABLISHED, ...).
 */
int enum_names_load_by_member(const struct btf *btf, const char *member, const char *prefix,
			      struct enum_names *out);
void enum_names_free(struct enum_names *en);
const char *enum_names_get(const struct enum_names *en, uint32_t value);
int enum_names_find(const struct enum_names *en, const char *name, uint32_t *value);

/*
 * Number of arguments the tracepoint passes to tp_btf and raw_tp programs
 * (from the btf_trace_<name> typedef), or a negative errno.
 */
int btf_tracepoint_nargs(const struct btf *btf, const char *tp_name);

/*
 * Number of arguments of kernel function func, from vmlinux BTF or else the
 * BTF of module `module` (may be NULL).  -ENOENT when neither has it: the
 * function was inlined everywhere, or the module is not loaded.
 */
int btf_func_nargs(const struct btf *btf, const char *module, const char *func);

/* Loads vmlinux BTF with a one-line error in err when the kernel has none. */
/*
 * Byte offset of a named, non-bitfield member of struct `type` (members of
 * anonymous members are not searched); -ENOENT when there is none.
 */
int btf_member_offset(const struct btf *btf, const char *type, const char *member);

struct btf *kernel_btf_load(char *err, size_t errlen);

#endif /* SKBTRACE_KERNEL_BTF_H */
