/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * This CPU's copy of a kernel per-CPU object, for kernels where typed
 * per-CPU ksyms (this_cpu_off) cannot be used: without CONFIG_KALLSYMS_ALL
 * they fail to resolve, and untagged __percpu pointers in BTF keep
 * bpf_this_cpu_ptr() from accepting them.
 *
 * A BPF per-CPU array is allocated by the same per-CPU allocator as the
 * kernel's own objects, so (this CPU's element) - (the array's per-CPU base,
 * struct bpf_array's pptrs[0]) is this CPU's per-CPU offset, valid for every
 * __percpu pointer.  The verifier refuses arithmetic on map pointers, so both
 * pointers are first turned into plain numbers by reading the stack slot that
 * holds them; that needs a privileged (CAP_PERFMON) program.
 */
#ifndef SKBTRACE_PERCPU_BPF_H
#define SKBTRACE_PERCPU_BPF_H

/* This CPU's element of the anchor holds the offset once learnt: it never changes. */
struct percpu_offset {
	__u64 off;
	__u64 known;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct percpu_offset);
} percpu_anchor SEC(".maps");

static __always_inline __u64 ptr_to_u64(void *const *slot)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), slot);
	return v;
}

/* Returns false when the offset cannot be learnt; *off is then unusable. */
static __always_inline bool this_cpu_offset(__u64 *off)
{
	void *map = &percpu_anchor;
	struct percpu_offset *elem;
	__u64 base = 0, map_addr;
	__u32 zero = 0;

	elem = bpf_map_lookup_elem(&percpu_anchor, &zero);
	if (!elem)
		return false;
	if (elem->known) {
		*off = elem->off;
		return true;
	}
	map_addr = ptr_to_u64(&map);
	if (!map_addr ||
	    bpf_probe_read_kernel(
		    &base, sizeof(base),
		    (void *)(map_addr + bpf_core_field_offset(struct bpf_array, pptrs))) ||
	    !base)
		return false;
	*off = ptr_to_u64((void *const *)&elem) - base;
	elem->off = *off;
	elem->known = 1;
	return true;
}

#endif /* SKBTRACE_PERCPU_BPF_H */
