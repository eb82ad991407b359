// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The floor of any BPF drop tracer: an empty program on the tracepoint the
 * drop probe uses.  What it costs, the kernel's dispatch to BPF costs every
 * tracer; bench/run.sh subtracts it to show what skbtrace itself adds.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/kfree_skb")
int floor_tp_btf(__u64 *ctx)
{
	return 0;
}
