// SPDX-License-Identifier: GPL-2.0
/* Symbolization: kallsyms batch lookup, and stable stack ids. */
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "ksyms.h"
#include "stacks.h"

/* Core image first, then a module below it in address order, as the kernel lists them. */
static const char kallsyms[] = "ffffffff81000000 T _stext\n"
			       "ffffffff81000100 t helper_a\n"
			       "ffffffff81000200 T nf_hook_slow\n"
			       "ffffffff81000300 D some_data\n"
			       "ffffffff81000400 T kfree_skb_reason\n"
			       "ffffffffc0000000 t nf_ct_alloc\t[nf_conntrack]\n"
			       "ffffffffc0000080 t nf_ct_other\t[nf_conntrack]\n"
			       "ffffffffa0000000 T low_module_fn\t[veth]\n"
			       "garbage line\n";

static char *write_kallsyms(void)
{
	static char path[] = "/tmp/skbtrace-ksyms-XXXXXX";

	return check_write_temp(path, kallsyms);
}

/*
 * The same answers one address at a time and in a batch; in a batch the file
 * is read once, so it may be gone by the later misses.
 */
static void test_lookup(const char *path, bool in_batch)
{
	struct ksym_cache *c = ksym_cache_new(path);
	uint64_t batch[] = { 0xffffffff81000210, 0xffffffff81000100, 0xffffffffc0000090,
			     0xffffffffa0000004, 0xffffffff81000310, 0xffffffff81000210 };

	CHECK(c != NULL);
	if (in_batch)
		ksym_cache_begin(c);
	CHECK(ksym_cache_resolve(c, batch, 6) == 0);
	if (in_batch)
		unlink(path);
	/* Duplicates in a batch are cached once. */
	CHECK(ksym_cache_size(c) == 5);
	CHECK_STR_EQ(ksym_cache_name(c, 0xffffffff81000210), "nf_hook_slow+16");
	CHECK_STR_EQ(ksym_cache_name(c, 0xffffffff81000100), "helper_a+0");
	CHECK_STR_EQ(ksym_cache_name(c, 0xffffffffc0000090), "nf_ct_other+16");
	/* A module listed after the core but lower in memory is still found. */
	CHECK_STR_EQ(ksym_cache_name(c, 0xffffffffa0000004), "low_module_fn+4");
	/* Data symbols are not code: the nearest text symbol below wins. */
	CHECK_STR_EQ(ksym_cache_name(c, 0xffffffff81000310), "nf_hook_slow+272");
	/* Resolved on a miss, one address at a time. */
	CHECK_STR_EQ(ksym_cache_name(c, 0xffffffff81000408), "kfree_skb_reason+8");
	/* Below every symbol, or too far from one: hex. */
	CHECK_STR_EQ(ksym_cache_name(c, 0x1000), "unknown");
	CHECK_STR_EQ(ksym_cache_name(c, 0xffffffff91000000), "unknown");
	if (in_batch)
		ksym_cache_end(c);
	ksym_cache_free(c);
}

static void test_unreadable(void)
{
	struct ksym_cache *c = ksym_cache_new("/nonexistent/kallsyms");
	uint64_t a = 0xffffffff81000210;

	CHECK(ksym_cache_resolve(c, &a, 1) < 0);
	/* Never the address itself, which would undo KASLR. */
	CHECK_STR_EQ(ksym_cache_name(c, a), "unknown");
	ksym_cache_free(c);
}

static void test_stack_hash(void)
{
	const char *tp_btf[] = { "bpf_prog_6deef7357e7b4530_drop_tp_btf+68",
				 "bpf_trace_run4+140",
				 "__bpf_trace_kfree_skb+9",
				 "sk_skb_reason_drop+144",
				 "nf_hook_slow+89",
				 "ip_output+95" };
	const char *raw_tp[] = { "bpf_prog_aaaaaaaaaaaaaaaa_drop_raw_tp+12", "unknown",
				 "sk_skb_reason_drop+144", "nf_hook_slow+89", "ip_output+95" };
	const char *other[] = { "sk_skb_reason_drop+144", "nf_hook_slow+90", "ip_output+95" };
	const char *only_tracing[] = { "bpf_trace_run2+1", "__bpf_trace_x+2" };
	/* A classic tracepoint's walk on 5.10: the traced site twice, no tracing frame. */
	const char *tracepoint_510[] = { "sk_skb_reason_drop+144", "sk_skb_reason_drop+144",
					 "nf_hook_slow+89", "ip_output+95" };
	/* The same call site deeper down is real recursion and stays. */
	const char *recursion[] = { "sk_skb_reason_drop+144", "nf_hook_slow+89", "nf_hook_slow+89",
				    "ip_output+95" };
	size_t first_a, first_b, first_c, first_d;
	uint64_t a, b, c;

	a = stack_hash_frames(tp_btf, 6, &first_a);
	b = stack_hash_frames(raw_tp, 5, &first_b);
	c = stack_hash_frames(other, 3, NULL);
	CHECK(first_a == 3);
	CHECK(first_b == 2);
	/* The same kernel path has the same id whatever the attach method. */
	CHECK(a == b);
	/* Another offset is another code path. */
	CHECK(a != c);
	/* Deterministic: the id survives restarts. */
	CHECK(a == stack_hash_frames(tp_btf, 6, NULL));
	/* A stack of tracing frames only keeps them rather than hashing nothing. */
	stack_hash_frames(only_tracing, 2, &first_c);
	CHECK(first_c == 0);
	CHECK(a == stack_hash_frames(tracepoint_510, 4, &first_d));
	CHECK(first_d == 1);
	CHECK(a != stack_hash_frames(recursion, 4, &first_d));
	CHECK(first_d == 0);
}

int main(void)
{
	char *path = write_kallsyms();

	CHECK(path != NULL);
	if (path) {
		test_lookup(path, false);
		test_lookup(path, true); /* removes the file */
	}
	test_unreadable();
	test_stack_hash();
	return check_summary("test_symbolize");
}
