// SPDX-License-Identifier: GPL-2.0
/*
 * The stable stack table: what a scrape shows, what it deletes from the
 * kernel's stack map, and that it stays bounded while stacks churn.  The
 * kernel's BPF_MAP_TYPE_STACK_TRACE cannot be written from user space: a
 * BPF hash map with the same key and value stands in for it, read, walked
 * and deleted from with the same syscalls.  Needs the privilege to create
 * BPF maps, else the test is skipped.
 */
#include <errno.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "check.h"
#include "expo.h"
#include "ksyms.h"
#include "skbtrace.h"
#include "stacks.h"

#define KFREE 0xffffffff81001000ull
#define UDP_RCV 0xffffffff81002000ull
#define DELIVER 0xffffffff81003000ull

static const char kallsyms[] = "ffffffff81000000 T _stext\n"
			       "ffffffff81001000 T kfree_skb_reason\n"
			       "ffffffff81002000 T __udp4_lib_rcv\n"
			       "ffffffff81003000 T ip_local_deliver\n"
			       "ffffffff81004000 T net_rx_action\n";

static char *write_kallsyms(void)
{
	static char path[] = "/tmp/skbtrace-stacks-XXXXXX";

	return check_write_temp(path, kallsyms);
}

/* Stack n: the innermost frame's offset tells them apart. */
static void stack_ips(unsigned int n, uint64_t ips[SKBTRACE_MAX_STACK_DEPTH])
{
	memset(ips, 0, SKBTRACE_MAX_STACK_DEPTH * sizeof(*ips));
	ips[0] = KFREE + 16 + n;
	ips[1] = UDP_RCV + 32;
	ips[2] = DELIVER + 48;
}

/* The stable id stack n must get: the hash of its frames as kallsyms names them. */
static const char *expected_id(unsigned int n)
{
	static char ids[64][STACK_ID_LEN];
	char f0[64], f1[64], f2[64];
	const char *frames[] = { f0, f1, f2 };

	snprintf(f0, sizeof(f0), "kfree_skb_reason+%u", 16 + n);
	snprintf(f1, sizeof(f1), "__udp4_lib_rcv+32");
	snprintf(f2, sizeof(f2), "ip_local_deliver+48");
	snprintf(ids[n % 64], sizeof(ids[0]), "%016llx",
		 (unsigned long long)stack_hash_frames(frames, 3, NULL));
	return ids[n % 64];
}

static int map_new(uint32_t max_entries)
{
	return bpf_map_create(BPF_MAP_TYPE_HASH, "test_stacks", sizeof(int32_t),
			      SKBTRACE_MAX_STACK_DEPTH * sizeof(uint64_t), max_entries, NULL);
}

/* As bpf_get_stackid() fills a free slot; fails if the slot is taken or the map full. */
static int put_stack(int fd, int32_t id, unsigned int n)
{
	uint64_t ips[SKBTRACE_MAX_STACK_DEPTH];

	stack_ips(n, ips);
	return bpf_map_update_elem(fd, &id, ips, BPF_NOEXIST);
}

static bool in_map(int fd, int32_t id)
{
	uint64_t ips[SKBTRACE_MAX_STACK_DEPTH];

	return !bpf_map_lookup_elem(fd, &id, ips);
}

static char *render(struct stack_table *t)
{
	struct expo *e = expo_new();
	char *s = NULL;

	if (e && !stack_table_expo(t, e))
		s = expo_render(e, NULL);
	expo_free(e);
	return s;
}

static size_t count_lines(const char *s, const char *prefix)
{
	size_t n = 0, len = strlen(prefix);

	for (const char *p = s; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : "") {
		if (!strncmp(p, prefix, len))
			n++;
	}
	return n;
}

/* A scrape that reads keys holding these BPF ids and shows every one of them. */
static void scrape(struct stack_table *t, int fd, const int32_t *ids, size_t n)
{
	stack_table_scrape_begin(t);
	for (size_t i = 0; i < n; i++) {
		const char *id = stack_table_id(t, fd, ids[i]);

		CHECK(id != NULL);
		if (id)
			stack_table_use(t, id);
	}
	stack_table_scrape_end(t);
}

static void test_ids_and_info(struct ksym_cache *k)
{
	struct stack_table *t = stack_table_new(k);
	int fd = map_new(8);
	const char *a, *b, *const *frames;
	char *s, *json;
	size_t n = 0;

	CHECK(!put_stack(fd, 3, 1) && !put_stack(fd, 5, 2));
	stack_table_scrape_begin(t);
	a = stack_table_id(t, fd, 3);
	b = stack_table_id(t, fd, 5);
	CHECK_STR_EQ(a, expected_id(1));
	CHECK_STR_EQ(b, expected_id(2));
	CHECK(stack_table_id(t, fd, 3) == a);
	CHECK_STR_EQ(stack_table_id(t, fd, SKBTRACE_STACK_LOST), "lost");
	CHECK(stack_table_id(t, fd, -7) == NULL);
	CHECK(stack_table_id(t, fd, 6) == NULL); /* not in the map */
	/* Only a shows in a series: b was read but its series was left out. */
	stack_table_use(t, a);
	stack_table_use(t, "lost");
	stack_table_use(t, "unreadable");
	stack_table_use(t, "0123");
	s = render(t);
	CHECK(count_lines(s, "skbtrace_stack_info{") == 1);
	CHECK_CONTAINS(s, "skbtrace_stack_info{stack=\"");
	CHECK_CONTAINS(s, a);
	CHECK(!strstr(s, b));
	CHECK_CONTAINS(s,
		       "frames=\"ip_local_deliver+48;__udp4_lib_rcv+32;kfree_skb_reason+17\"} 1\n");
	CHECK_CONTAINS(s, "skbtrace_stack_table_entries 2\n");
	CHECK_CONTAINS(s, "skbtrace_stack_table_max_entries 8192\n");
	CHECK_CONTAINS(s, "skbtrace_stack_table_evictions_total{trigger=\"full\"} 0\n");
	CHECK_CONTAINS(s, "skbtrace_stack_table_full_total 0\n");
	free(s);
	stack_table_scrape_end(t);

	/* /stacks lists what the last scrape showed; ?id= any stack the table holds. */
	json = stack_table_json(t, NULL, NULL);
	CHECK_CONTAINS(json, a);
	CHECK(json && !strstr(json, b));
	free(json);
	json = stack_table_json(t, b, NULL);
	CHECK_CONTAINS(json, b);
	free(json);
	frames = stack_table_frames(t, b, &n);
	CHECK(frames && n == 3);
	if (frames && n == 3)
		CHECK_STR_EQ(frames[0], "kfree_skb_reason+18");
	/* Ids as the table prints them, nothing else. */
	CHECK(!stack_table_frames(t, "lost", &n));
	json = stack_table_json(t, "0123456789ABCDEF", NULL);
	CHECK_CONTAINS(json, "\"stacks\":\t[]");
	free(json);

	/* A map that goes away leaves the stable stacks. */
	stack_table_forget_map(t, fd);
	CHECK(stack_table_frames(t, a, &n) && n == 3);
	stack_table_free(t);
	close(fd);
}

static void check_stats(struct stack_table *t, int fd, uint64_t entries, uint64_t freed)
{
	struct stack_map_stats st;

	stack_table_map_stats(t, fd, &st);
	CHECK(st.entries == entries);
	CHECK(st.freed == freed);
	if (st.entries != entries || st.freed != freed)
		fprintf(stderr, "  stack map: %llu entries, %llu freed; expected %llu, %llu\n",
			(unsigned long long)st.entries, (unsigned long long)st.freed,
			(unsigned long long)entries, (unsigned long long)freed);
}

/* Ids no key held for STACK_IDLE_SCRAPES scrapes leave the kernel's map; the others stay. */
static void test_kernel_sweep(struct ksym_cache *k)
{
	struct stack_table *t = stack_table_new(k);
	int fd = map_new(8), other = map_new(8);
	const int32_t all[] = { 0, 1, 2 }, two[] = { 0, 1 }, zero_two[] = { 0, 2 };

	CHECK(STACK_IDLE_SCRAPES == 2);
	for (int32_t i = 0; i < 3; i++)
		CHECK(!put_stack(fd, i, i));
	CHECK(!put_stack(fd, 4, 4)); /* a stack no key ever held */
	scrape(t, fd, all, 3);
	CHECK(in_map(fd, 0) && in_map(fd, 1) && in_map(fd, 2) && in_map(fd, 4));
	check_stats(t, fd, 4, 0);
	scrape(t, fd, two, 2);
	CHECK(in_map(fd, 2) && !in_map(fd, 4));
	check_stats(t, fd, 3, 1);
	scrape(t, fd, zero_two, 2); /* 2 is held again: it starts over */
	CHECK(in_map(fd, 1) && in_map(fd, 2));
	scrape(t, fd, all, 1);
	CHECK(!in_map(fd, 1) && in_map(fd, 2));
	check_stats(t, fd, 2, 2);
	scrape(t, fd, all, 1);
	CHECK(in_map(fd, 0) && !in_map(fd, 2));
	check_stats(t, fd, 1, 3);

	/* The freed slot takes a new stack, read anew rather than taken for the old one. */
	CHECK(!put_stack(fd, 1, 9));
	stack_table_scrape_begin(t);
	CHECK_STR_EQ(stack_table_id(t, fd, 1), expected_id(9));
	stack_table_scrape_end(t);

	/* A map no key named yet is swept all the same once added. */
	CHECK(!put_stack(other, 0, 5));
	CHECK(!stack_table_add_map(t, other));
	scrape(t, fd, all, 2);
	CHECK(in_map(other, 0));
	scrape(t, fd, all, 2);
	CHECK(!in_map(other, 0));
	check_stats(t, other, 0, 1);
	stack_table_forget_map(t, other);
	check_stats(t, other, 0, 0);
	stack_table_free(t);
	close(fd);
	close(other);
}

/* A full table gives room by the least recently used stack, never one of this scrape's. */
static void test_full(struct ksym_cache *k)
{
	struct stack_table *t = stack_table_new(k);
	int fd = map_new(8);
	const char *a, *b;
	char *s;

	stack_table_set_limit(t, 2);
	for (int32_t i = 0; i < 3; i++)
		CHECK(!put_stack(fd, i, i));
	stack_table_scrape_begin(t);
	a = stack_table_id(t, fd, 0);
	b = stack_table_id(t, fd, 1);
	CHECK(stack_table_id(t, fd, 2) == NULL);
	/* The ids handed out stay valid until the scrape ends. */
	CHECK_STR_EQ(a, expected_id(0));
	CHECK_STR_EQ(b, expected_id(1));
	s = render(t);
	CHECK_CONTAINS(s, "skbtrace_stack_table_entries 2\n");
	CHECK_CONTAINS(s, "skbtrace_stack_table_full_total 1\n");
	CHECK_CONTAINS(s, "skbtrace_stack_table_evictions_total{trigger=\"full\"} 0\n");
	free(s);
	stack_table_scrape_end(t);

	stack_table_scrape_begin(t);
	CHECK_STR_EQ(stack_table_id(t, fd, 2), expected_id(2)); /* 0 goes */
	CHECK(!stack_table_frames(t, expected_id(0), &(size_t){ 0 }));
	CHECK_STR_EQ(stack_table_id(t, fd, 0), expected_id(0)); /* back, in 1's place */
	CHECK(stack_table_id(t, fd, 1) == NULL);
	s = render(t);
	CHECK_CONTAINS(s, "skbtrace_stack_table_entries 2\n");
	CHECK_CONTAINS(s, "skbtrace_stack_table_evictions_total{trigger=\"full\"} 2\n");
	CHECK_CONTAINS(s, "skbtrace_stack_table_full_total 2\n");
	free(s);
	stack_table_scrape_end(t);
	stack_table_free(t);
	close(fd);
}

/* A reload keeps what the next scrape shows: live series and carried ones. */
static void test_reload(struct ksym_cache *k)
{
	struct stack_table *t = stack_table_new(k);
	int fd = map_new(8), gone = map_new(8);
	const int32_t two[] = { 0, 1 };
	size_t n;
	char *s;

	for (int32_t i = 0; i < 2; i++)
		CHECK(!put_stack(fd, i, i) && !put_stack(gone, i, 2 + i));
	scrape(t, fd, two, 2);
	/* 1's key is gone (its namespace, say); 2 and 3 were the replaced probe's. */
	stack_table_scrape_begin(t);
	stack_table_use(t, stack_table_id(t, fd, 0));
	stack_table_use(t, stack_table_id(t, gone, 0));
	stack_table_use(t, stack_table_id(t, gone, 1));
	stack_table_scrape_end(t);
	stack_table_forget_map(t, gone);

	stack_table_reload_begin(t, 100);
	stack_table_keep(t, expected_id(2)); /* a carried series shows it */
	stack_table_keep(t, "lost");
	stack_table_reload_end(t);
	CHECK(stack_table_frames(t, expected_id(0), &n));
	CHECK(!stack_table_frames(t, expected_id(1), &n));
	CHECK(stack_table_frames(t, expected_id(2), &n));
	CHECK(!stack_table_frames(t, expected_id(3), &n));
	s = render(t);
	CHECK_CONTAINS(s, "skbtrace_stack_table_entries 2\n");
	CHECK_CONTAINS(s, "skbtrace_stack_table_max_entries 100\n");
	CHECK_CONTAINS(s, "skbtrace_stack_table_evictions_total{trigger=\"reload\"} 2\n");
	free(s);

	/* 1's BPF id is still in the kernel's map: asked for again, it is read again. */
	scrape(t, fd, two, 2);
	CHECK(stack_table_frames(t, expected_id(1), &n));
	/* A lower limit: the most recently used stay. */
	stack_table_reload_begin(t, 1);
	stack_table_keep(t, expected_id(2));
	stack_table_reload_end(t);
	CHECK(stack_table_frames(t, expected_id(1), &n));
	CHECK(!stack_table_frames(t, expected_id(0), &n));
	CHECK(!stack_table_frames(t, expected_id(2), &n));
	s = render(t);
	CHECK_CONTAINS(s, "skbtrace_stack_table_entries 1\n");
	CHECK_CONTAINS(s, "skbtrace_stack_table_evictions_total{trigger=\"reload\"} 4\n");
	free(s);
	stack_table_free(t);
	close(fd);
	close(gone);
}

/*
 * Churn: CHURN_STACKS distinct stacks, one at a time, through a table of
 * CHURN_TABLE and a kernel map of CHURN_SLOTS, each shown by one scrape and
 * then held by no key.  Each new stack finds a free kernel slot (as
 * bpf_get_stackid() needs one), each keeps its stable id when it comes back,
 * and after the first rounds the heap stays the size it was.
 */
#define CHURN_STACKS 40
#define CHURN_TABLE 8
#define CHURN_SLOTS 4
#define CHURN_CYCLES 30

static void test_churn(struct ksym_cache *k)
{
	struct stack_table *t = stack_table_new(k);
	int fd = map_new(CHURN_SLOTS);
	unsigned int rounds = CHURN_STACKS * CHURN_CYCLES, bad = 0;
	size_t heap_warm = 0, heap_end;
	char *s, want[64];

	stack_table_set_limit(t, CHURN_TABLE);
	for (unsigned int r = 0; r < rounds; r++) {
		int32_t slot = r % CHURN_SLOTS;
		const char *id;

		if (put_stack(fd, slot, r % CHURN_STACKS)) {
			bad++;
			break;
		}
		stack_table_scrape_begin(t);
		id = stack_table_id(t, fd, slot);
		bad += !id || strcmp(id, expected_id(r % CHURN_STACKS));
		if (id)
			stack_table_use(t, id);
		s = render(t);
		bad += count_lines(s, "skbtrace_stack_info{") != 1 || !id || !strstr(s, id);
		free(s);
		stack_table_scrape_end(t);
		for (int i = 0; i < STACK_IDLE_SCRAPES; i++) {
			stack_table_scrape_begin(t);
			s = render(t);
			bad += count_lines(s, "skbtrace_stack_info{") != 0;
			free(s);
			stack_table_scrape_end(t);
		}
		bad += in_map(fd, slot);
		if (r == 2 * CHURN_STACKS - 1)
			heap_warm = mallinfo2().uordblks;
	}
	heap_end = mallinfo2().uordblks;
	CHECK(bad == 0);
	CHECK(heap_end <= heap_warm);
	if (heap_end > heap_warm)
		fprintf(stderr, "  heap in use grew from %zu to %zu bytes\n", heap_warm, heap_end);
	s = render(t);
	snprintf(want, sizeof(want), "skbtrace_stack_table_entries %d\n", CHURN_TABLE);
	CHECK_CONTAINS(s, want);
	snprintf(want, sizeof(want), "skbtrace_stack_table_evictions_total{trigger=\"full\"} %u\n",
		 rounds - CHURN_TABLE);
	CHECK_CONTAINS(s, want);
	CHECK_CONTAINS(s, "skbtrace_stack_table_full_total 0\n");
	free(s);
	check_stats(t, fd, 0, rounds);
	stack_table_free(t);
	close(fd);
}

/*
 * Users keep stable ids (alerts, dashboards, notes), so the hash of frames
 * must never change: FNV-1a 64 over each frame and a newline, pinned here.
 */
static void test_stable_hash(void)
{
	const char *frames[] = { "nft_do_chain+0x45b", "nf_hook_slow+0x41" };

	CHECK(stack_hash_frames(frames, 2, NULL) == 0x1caedcb4e15d4bbdull);
}

int main(void)
{
	char *path = write_kallsyms();
	struct ksym_cache *k = path ? ksym_cache_new(path) : NULL;
	int fd = map_new(1);

	CHECK(k != NULL);
	test_stable_hash();
	if (fd < 0) {
		check_skip("cannot create a BPF map (needs CAP_BPF): stack table not checked");
	} else if (k) {
		close(fd);
		test_ids_and_info(k);
		test_kernel_sweep(k);
		test_full(k);
		test_reload(k);
		test_churn(k);
	}
	ksym_cache_free(k);
	if (path)
		unlink(path);
	return check_summary("test_stacks");
}
