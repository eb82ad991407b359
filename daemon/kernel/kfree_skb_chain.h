/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The skb:kfree_skb chain (bpf/lib/chain.bpf.h): one dispatcher program per
 * attach method, attached while some probe's kfree_skb program sits in one
 * of its slots.  A probe holds one link per program it puts in:
 *   kfree_skb_chain_prepare()  before loading its object (map and slot),
 *   kfree_skb_chain_join()     after loading, instead of attaching,
 *   kfree_skb_chain_leave()    before destroying its object.
 */
#ifndef SKBTRACE_KFREE_SKB_CHAIN_H
#define SKBTRACE_KFREE_SKB_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "config.h"

struct bpf_map;
struct bpf_program;

struct kfree_skb_link {
	struct bpf_program *prog;
	enum attach_method method;
	int slot; /* -1: none reserved */
	bool joined;
};

#define KFREE_SKB_LINK_INIT ((struct kfree_skb_link){ NULL, ATTACH_AUTO, -1, false })

/*
 * Reserves a slot for `prog` in the method's chain and turns off its
 * attachment by the skeleton; points `chain` and `end` (the object's
 * kfree_skb_chain and kfree_skb_chain_end maps) at the chain's and stores in *next the first slot the program
 * is to try after its own.  Call before the object is loaded.
 */
int kfree_skb_chain_prepare(struct kfree_skb_link *l, struct bpf_program *prog,
			    enum attach_method m, struct bpf_map *chain, struct bpf_map *end,
			    uint32_t *next, char *err, size_t errlen);

/* Puts the loaded program into its slot, attaching the dispatcher if it is the first. */
int kfree_skb_chain_join(struct kfree_skb_link *l, char *err, size_t errlen);

/* Takes the program out and frees the slot; the last one out detaches the dispatcher. */
void kfree_skb_chain_leave(struct kfree_skb_link *l);

/*
 * For the self-cost metrics: the method's dispatcher while attached, else
 * NULL; and whether a program runs in a chain, by tail call, which the
 * kernel's statistics count in the dispatcher's run.
 */
const struct bpf_program *kfree_skb_chain_dispatcher(enum attach_method m);
bool kfree_skb_chain_has(const struct bpf_program *prog);

#endif /* SKBTRACE_KFREE_SKB_CHAIN_H */
