/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Setting a BPF object's read-only globals by name, between open and load,
 * so that the core can set what every probe has (filter, stack policy,
 * netns_by_cookie) without knowing each skeleton's types.
 */
#ifndef SKBTRACE_BPF_RODATA_H
#define SKBTRACE_BPF_RODATA_H

#include <stddef.h>

struct bpf_object;

/*
 * Copies size bytes to the `const volatile` global `name` of obj's .rodata.
 * -ENOENT when obj has no such global, -EINVAL when its size differs.
 */
int bpf_rodata_set(struct bpf_object *obj, const char *name, const void *value, size_t size);

#endif /* SKBTRACE_BPF_RODATA_H */
