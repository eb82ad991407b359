// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "dispatch.skel.h"
#include "kfree_skb_chain.h"
#include "log.h"
#include "sysfs.h"

/* One per attach method; the daemon is one thread, so no locking. */
struct chain {
	struct dispatch_bpf *skel;
	struct bpf_link *link;
	uint32_t reserved;					 /* bit N: slot N is reserved */
	const struct bpf_program *members[SKBTRACE_CHAIN_SLOTS]; /* the programs in the slots */
	uint8_t holders[SKBTRACE_CHAIN_SLOTS]; /* links holding the slot: 2 during a handover */
};

static struct chain chains[ATTACH_METHOD_COUNT];

static bool has_chain(enum attach_method m)
{
	return m == ATTACH_TP_BTF || m == ATTACH_RAW_TP || m == ATTACH_TRACEPOINT;
}

static struct bpf_program *dispatcher(struct dispatch_bpf *skel, enum attach_method m)
{
	switch (m) {
	case ATTACH_TP_BTF:
		return skel->progs.dispatch_tp_btf;
	case ATTACH_RAW_TP:
		return skel->progs.dispatch_raw_tp;
	case ATTACH_TRACEPOINT:
		return skel->progs.dispatch_tracepoint;
	default:
		return NULL;
	}
}

/*
 * One past the highest reserved slot: no program tries the slots after it.
 * Raised before a program is put into its slot, lowered after one is taken
 * out, so that no filled slot is ever past the end.
 */
static void chain_set_end(struct chain *c)
{
	uint32_t zero = 0, end = 0;

	for (uint32_t slot = 0; slot < SKBTRACE_CHAIN_SLOTS; slot++)
		if (c->reserved & (1u << slot))
			end = slot + 1;
	if (c->skel && bpf_map_update_elem(bpf_map__fd(c->skel->maps.kfree_skb_chain_end), &zero,
					   &end, BPF_ANY))
		log_warn("kfree_skb chain: cannot set its end: %s", strerror(errno));
}

static void chain_free(struct chain *c)
{
	bpf_link__destroy(c->link);
	dispatch_bpf__destroy(c->skel);
	memset(c, 0, sizeof(*c));
}

/*
 * The dispatcher is loaded before any member, so that its program type
 * owns the array: the kernel then refuses members of another type at load.
 */
static int chain_load(struct chain *c, enum attach_method m, char *err, size_t errlen)
{
	struct bpf_program *prog, *iter;
	int ret;

	if (m == ATTACH_TRACEPOINT && (ret = tracefs_ensure(err, errlen)))
		return ret;
	c->skel = dispatch_bpf__open();
	if (!c->skel) {
		ret = -errno;
		snprintf(err, errlen, "cannot open the kfree_skb dispatcher: %s", strerror(errno));
		return ret;
	}
	prog = dispatcher(c->skel, m);
	bpf_object__for_each_program (iter, c->skel->obj)
		bpf_program__set_autoload(iter, iter == prog);
	ret = dispatch_bpf__load(c->skel);
	if (ret) {
		snprintf(err, errlen, "kfree_skb dispatcher: BPF load failed: %s", strerror(-ret));
		chain_free(c);
	}
	return ret;
}

/*
 * The slot of the program a new instance of the same probe replaces (same
 * program name, joined, not already being replaced), or -1.  Joining it
 * swaps the two in one update of the array, so that every packet is seen by
 * exactly one of them: a reload loses and doubles nothing.
 */
static int successor_slot(const struct chain *c, const struct bpf_program *prog)
{
	for (int slot = 0; slot < SKBTRACE_CHAIN_SLOTS; slot++) {
		const struct bpf_program *m = c->members[slot];

		if (m && c->holders[slot] == 1 &&
		    !strcmp(bpf_program__name(m), bpf_program__name(prog)))
			return slot;
	}
	return -1;
}

static int free_slot(const struct chain *c)
{
	int slot;

	for (slot = 0; slot < SKBTRACE_CHAIN_SLOTS && (c->reserved & (1u << slot)); slot++)
		;
	return slot;
}

int kfree_skb_chain_prepare(struct kfree_skb_link *l, struct bpf_program *prog,
			    enum attach_method m, struct bpf_map *chain, struct bpf_map *end,
			    uint32_t *next, char *err, size_t errlen)
{
	struct chain *c = &chains[m];
	int slot, ret;

	if (!has_chain(m)) {
		snprintf(err, errlen, "no kfree_skb chain for %s", attach_method_name(m));
		return -EINVAL;
	}
	if (!c->skel && (ret = chain_load(c, m, err, errlen)))
		return ret;
	slot = successor_slot(c, prog);
	if (slot < 0)
		slot = free_slot(c);
	if (slot == SKBTRACE_CHAIN_SLOTS) {
		snprintf(err, errlen, "all %d kfree_skb chain slots are taken",
			 SKBTRACE_CHAIN_SLOTS);
		return -ENOSPC;
	}
	ret = bpf_map__reuse_fd(chain, bpf_map__fd(c->skel->maps.kfree_skb_chain));
	if (!ret)
		ret = end ? bpf_map__reuse_fd(end, bpf_map__fd(c->skel->maps.kfree_skb_chain_end))
			  : -ENOENT;
	if (ret) {
		snprintf(err, errlen, "cannot share the kfree_skb chain: %s", strerror(-ret));
		if (!c->reserved)
			chain_free(c);
		return ret;
	}
	c->reserved |= 1u << slot;
	c->holders[slot]++;
	chain_set_end(c);
	bpf_program__set_autoattach(prog, false);
	l->prog = prog;
	l->method = m;
	l->slot = slot;
	l->joined = false;
	*next = slot + 1;
	return 0;
}

int kfree_skb_chain_join(struct kfree_skb_link *l, char *err, size_t errlen)
{
	struct chain *c = &chains[l->method];
	const struct bpf_program *prog = l->prog;
	uint32_t key = l->slot;
	int fd, ret;

	if (l->slot < 0 || !c->skel)
		return -EINVAL;
	fd = bpf_program__fd(prog);
	if (bpf_map_update_elem(bpf_map__fd(c->skel->maps.kfree_skb_chain), &key, &fd, BPF_ANY)) {
		ret = -errno;
		snprintf(err, errlen, "cannot put %s into the kfree_skb chain: %s",
			 bpf_program__name(prog), strerror(errno));
		return ret;
	}
	c->members[l->slot] = prog;
	l->joined = true;
	if (c->link)
		return 0;
	c->link = bpf_program__attach(dispatcher(c->skel, l->method));
	if (!c->link) {
		ret = -errno;
		snprintf(err, errlen, "kfree_skb dispatcher: attach failed: %s", strerror(errno));
		return ret;
	}
	log_debug("kfree_skb dispatcher attached with %s", attach_method_name(l->method));
	return 0;
}

void kfree_skb_chain_leave(struct kfree_skb_link *l)
{
	struct chain *c;
	uint32_t key;

	if (l->slot < 0)
		return;
	c = &chains[l->method];
	key = l->slot;
	/* After a handover the slot runs the successor: leave it alone. */
	if (c->members[l->slot] == l->prog) {
		if (l->joined && c->skel)
			bpf_map_delete_elem(bpf_map__fd(c->skel->maps.kfree_skb_chain), &key);
		c->members[l->slot] = NULL;
	}
	if (!--c->holders[l->slot]) {
		c->reserved &= ~(1u << l->slot);
		chain_set_end(c);
	}
	l->slot = -1;
	l->joined = false;
	if (!c->reserved)
		chain_free(c);
}

const struct bpf_program *kfree_skb_chain_dispatcher(enum attach_method m)
{
	return has_chain(m) && chains[m].link ? dispatcher(chains[m].skel, m) : NULL;
}

bool kfree_skb_chain_has(const struct bpf_program *prog)
{
	for (int m = 0; m < ATTACH_METHOD_COUNT; m++) {
		for (int slot = 0; slot < SKBTRACE_CHAIN_SLOTS; slot++) {
			const struct bpf_program *member = chains[m].members[slot];

			/*
			 * By name too: a replaced probe's program, whose successor
			 * took its slot over, ran in the chain all the same.
			 */
			if (prog && member &&
			    (member == prog ||
			     !strcmp(bpf_program__name(member), bpf_program__name(prog))))
				return true;
		}
	}
	return false;
}
