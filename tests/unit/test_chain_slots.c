// SPDX-License-Identifier: GPL-2.0
/*
 * The kfree_skb chain's slot bookkeeping (kernel/kfree_skb_chain.c): each
 * member's program reserves the first free slot and learns the next to try,
 * a freed slot is taken again, all eight taken is a clear error, and the
 * last one out frees the dispatcher.  The chain's end (one past the highest
 * reserved slot, which the programs read so as not to try empty slots after
 * it) follows every reservation and release.  The members are programs of the drop
 * probe's object, opened, never loaded or attached; the dispatcher itself is
 * loaded (CAP_BPF), else the test is skipped.
 */
#include <errno.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "check.h"
#include "kfree_skb_chain.h"
#include "probe.h"
#include "skbtrace.h"

static struct bpf_object *open_drop(void)
{
	size_t n = 0, size = 0;
	const struct probe_ops *const *all = probe_ops_all(&n);

	for (size_t i = 0; i < n; i++) {
		if (!strcmp(all[i]->name, "drop")) {
			LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "drop");
			const void *elf = all[i]->elf_bytes(&size);

			return bpf_object__open_mem(elf, size, &opts);
		}
	}
	return NULL;
}

/* The chain's end as the programs read it, through member i's reused map. */
static long chain_end(struct bpf_object *obj)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, "kfree_skb_chain_end");
	uint32_t zero = 0, end = 0;

	if (!m || bpf_map_lookup_elem(bpf_map__fd(m), &zero, &end))
		return -1;
	return end;
}

int main(void)
{
	struct bpf_object *objs[SKBTRACE_CHAIN_SLOTS + 1] = { 0 };
	struct kfree_skb_link links[SKBTRACE_CHAIN_SLOTS + 1];
	char err[256] = "";
	uint32_t next = 0;
	int ret;

	/* One object per member: each has its own program and chain map. */
	for (int i = 0; i <= SKBTRACE_CHAIN_SLOTS; i++) {
		objs[i] = open_drop();
		links[i] = KFREE_SKB_LINK_INIT;
		CHECK(objs[i] != NULL);
		if (!objs[i])
			return check_summary("test_chain_slots");
	}
#define PREPARE(i)                                                                                 \
	kfree_skb_chain_prepare(                                                                   \
		&links[i], bpf_object__find_program_by_name(objs[i], "drop_tp_btf"),               \
		ATTACH_TP_BTF, bpf_object__find_map_by_name(objs[i], "kfree_skb_chain"),             \
		bpf_object__find_map_by_name(objs[i], "kfree_skb_chain_end"), &next, err,          \
		sizeof(err))
	ret = PREPARE(0);
	if (ret == -EPERM || ret == -EACCES) {
		check_skip(
			"cannot load the kfree_skb dispatcher (needs CAP_BPF): slots not checked");
		goto out;
	}
	CHECK(ret == 0 && links[0].slot == 0 && next == 1);
	CHECK(kfree_skb_chain_dispatcher(ATTACH_TP_BTF) == NULL); /* attached only at a join */
	CHECK(chain_end(objs[0]) == 1);
	CHECK(PREPARE(1) == 0 && links[1].slot == 1 && next == 2);
	CHECK(chain_end(objs[1]) == 2);
	/* A freed slot is the first free one again. */
	kfree_skb_chain_leave(&links[0]);
	CHECK(links[0].slot == -1);
	CHECK(chain_end(objs[1]) == 2); /* slot 1 is still reserved */
	CHECK(PREPARE(2) == 0 && links[2].slot == 0 && next == 1);
	for (int i = 3; i <= SKBTRACE_CHAIN_SLOTS; i++)
		CHECK(PREPARE(i) == 0 && links[i].slot == i - 1);
	CHECK(chain_end(objs[1]) == SKBTRACE_CHAIN_SLOTS);
	/* All eight taken: a ninth says so. */
	CHECK(PREPARE(0) == -ENOSPC);
	CHECK_STR_EQ(err, "all 8 kfree_skb chain slots are taken");
	CHECK(links[0].slot == -1);
	/* Releasing the highest slot lowers the end to the next reserved one. */
	kfree_skb_chain_leave(&links[SKBTRACE_CHAIN_SLOTS]);
	CHECK(chain_end(objs[1]) == SKBTRACE_CHAIN_SLOTS - 1);
	for (int i = 1; i < SKBTRACE_CHAIN_SLOTS; i++)
		kfree_skb_chain_leave(&links[i]);
	/* The last one out freed the chain; a new member starts at slot 0. */
	CHECK(PREPARE(0) == 0 && links[0].slot == 0 && next == 1);
	kfree_skb_chain_leave(&links[0]);
out:
	for (int i = 0; i <= SKBTRACE_CHAIN_SLOTS; i++)
		bpf_object__close(objs[i]);
	return check_summary("test_chain_slots");
}
