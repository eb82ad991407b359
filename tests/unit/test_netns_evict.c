// SPDX-License-Identifier: GPL-2.0
/*
 * Namespace eviction (bpfcore/netns_evict.c) on hashes filled from user
 * space: the keys of the namespaces the predicate declares dead leave every
 * map of the probe, at the offset each map keeps its namespace id; id 0
 * (no namespace) and live ids stay.  Creating a map needs CAP_BPF; without
 * it the test is skipped.
 */
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "check.h"
#include "netns_evict.h"

struct key_a {
	uint32_t reason, netns;
	uint64_t location;
};

struct key_b {
	uint32_t netns;
	uint16_t port, pad;
};

static bool odd_is_dead(void *ctx, uint32_t id)
{
	(*(int *)ctx)++;
	return id % 2;
}

static int count_keys(int fd, size_t key_size)
{
	char key[32], next[32];
	int n = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		n++;
	}
	return n;
}

int main(void)
{
	int a = bpf_map_create(BPF_MAP_TYPE_HASH, "a", sizeof(struct key_a), 8, 64, NULL);
	int b = bpf_map_create(BPF_MAP_TYPE_HASH, "b", sizeof(struct key_b), 8, 64, NULL);
	struct probe_ops ops = { .name = "t" };
	struct probe p = { .ops = &ops, .stack_map_fd = -1, .cache_sweep_fd = -1 };
	uint64_t one = 1;
	int asked = 0;

	if (a < 0 || b < 0) {
		check_skip("cannot create a BPF map (needs CAP_BPF): eviction not checked");
		return check_summary("test_netns_evict");
	}
	/* Namespaces 0 (none), 1, 2, 3, 4: in a under two reasons, in b under one port. */
	for (uint32_t ns = 0; ns < 5; ns++) {
		for (uint32_t r = 0; r < 2; r++) {
			struct key_a k = { r, ns, 0xffffffff81000000ULL + ns };

			CHECK(!bpf_map_update_elem(a, &k, &one, BPF_ANY));
		}
		CHECK(!bpf_map_update_elem(b, &(struct key_b){ ns, 80 }, &one, BPF_ANY));
	}
	p.netns_maps[0] = (struct probe_netns_map){ a, offsetof(struct key_a, netns) };
	p.netns_maps[1] = (struct probe_netns_map){ b, offsetof(struct key_b, netns) };
	p.n_netns_maps = 2;

	/* 1 and 3 are dead: 2 keys each in a, 1 each in b. */
	CHECK(netns_evict_probe(&p, odd_is_dead, &asked) == 6);
	CHECK(asked == 12); /* every key but the two of namespace 0 in a and one in b */
	CHECK(count_keys(a, sizeof(struct key_a)) == 6);
	CHECK(count_keys(b, sizeof(struct key_b)) == 3);
	for (uint32_t ns = 0; ns < 5; ns++) {
		struct key_a k = { 1, ns, 0xffffffff81000000ULL + ns };
		uint64_t v;

		CHECK(!bpf_map_lookup_elem(a, &k, &v) == !(ns % 2));
		CHECK(!bpf_map_lookup_elem(b, &(struct key_b){ ns, 80 }, &v) == !(ns % 2));
	}
	/* Nothing left to evict. */
	asked = 0;
	CHECK(netns_evict_probe(&p, odd_is_dead, &asked) == 0);
	close(a);
	close(b);
	return check_summary("test_netns_evict");
}
