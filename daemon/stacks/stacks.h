/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stable stack ids.  A BPF stack id is only an index into one map of one
 * daemon run; users alert on series, so the id they see is a hash of the
 * symbolized frames instead: the same for the same kernel code path across
 * daemon restarts, reboots (KASLR changes addresses, not symbol offsets) and
 * attach methods.
 */
#ifndef SKBTRACE_STACKS_H
#define SKBTRACE_STACKS_H

#include <stddef.h>
#include <stdint.h>
#include "defaults.h"
#include "diagnosis.h"

struct ksym_cache;
struct expo;

#define STACK_ID_LEN 17 /* 16 hex digits and NUL */
/* Distinct hints a stack keeps for /stacks: one per reason or origin it was counted under. */
#define STACK_MAX_NOTES 4

struct stack_table;

/*
 * Completed scrapes in a row whose count maps no longer hold a BPF stack id
 * before it is deleted from the kernel's stack map.  More than one: a BPF
 * program takes the id before it counts the key that holds it, so a key may
 * appear just after a scrape read its map.
 */
#define STACK_IDLE_SCRAPES 2

struct stack_table *stack_table_new(struct ksym_cache *ksyms);
void stack_table_free(struct stack_table *t);

/* At most max stable stacks (at least 1); applied as the table next needs room. */
void stack_table_set_limit(struct stack_table *t, size_t max);

/*
 * A scrape, in which every probe's collect reads every key of its
 * stack-count maps and resolves each key's BPF stack id through
 * stack_table_id().  stack_table_scrape_end(), only after a scrape that
 * read every map completely, deletes from each kernel stack map the ids
 * that no key held for STACK_IDLE_SCRAPES such scrapes (their series were
 * evicted with their namespace, or never counted): the kernel's table then
 * has room for new stacks.
 */
void stack_table_scrape_begin(struct stack_table *t);
void stack_table_scrape_end(struct stack_table *t);

/*
 * Returns the stable id for BPF stack bpf_id of the stack map map_fd (or
 * "lost" for SKBTRACE_STACK_LOST), reading and symbolizing the stack on
 * first sight; notes that a key of the current scrape holds bpf_id.  NULL
 * if the stack cannot be read, or if the table is full of stacks that this
 * scrape uses.  The string stays valid until the next scrape or reload.
 */
const char *stack_table_id(struct stack_table *t, int map_fd, int32_t bpf_id);

/*
 * Notes that a series of the current scrape shows stable id `id`:
 * skbtrace_stack_info and /stacks list exactly the stacks so noted.
 * Ids not in the table ("lost", "unreadable", evicted ones) are ignored.
 */
void stack_table_use(struct stack_table *t, const char *id);

/* A probe's stack map, to be swept at each scrape end even if no key names it yet. */
int stack_table_add_map(struct stack_table *t, int map_fd);
/* Forgets the BPF ids of a stack map that is going away; stable entries stay. */
void stack_table_forget_map(struct stack_table *t, int map_fd);

struct stack_map_stats {
	uint64_t entries; /* ids in the kernel's map at the last scrape end */
	uint64_t freed;	  /* ids deleted from it since it was added */
};

/* Zeroes for a map the table does not know. */
void stack_table_map_stats(const struct stack_table *t, int map_fd, struct stack_map_stats *out);

/*
 * A reload, after the stack maps that went away were forgotten: between
 * begin and end, stack_table_keep() names each stable id that a carried
 * series shows; end evicts every stack neither kept nor held by a BPF id
 * that a key of the last scrape held, then trims the table to max.
 */
void stack_table_reload_begin(struct stack_table *t, size_t max);
void stack_table_keep(struct stack_table *t, const char *id);
void stack_table_reload_end(struct stack_table *t);

/*
 * Notes that stable stack `id` was counted under a label `key` of `kind`
 * (a drop reason, a reset origin), so that /stacks shows its hint.  Keys
 * without a hint and stacks with STACK_MAX_NOTES hints already are ignored.
 */
void stack_table_note(struct stack_table *t, const char *id, enum hint_kind kind, const char *key);

/*
 * skbtrace_stack_info{stack,frames} for every stack a series of this scrape
 * showed (stack_table_use()), and the table's own fill and evictions.
 */
int stack_table_expo(struct stack_table *t, struct expo *e);

/*
 * The symbolized frames of stable id `id`, innermost first, owned by the
 * table until the next scrape or reload; NULL for "lost" and ids not in the
 * table.
 */
const char *const *stack_table_frames(struct stack_table *t, const char *id, size_t *n);

/*
 * JSON for /stacks: the stacks the last scrape's series showed, or stable id
 * `id` when non-NULL, for as long as the table holds it; each with its
 * frames and the hints of what it was counted under.
 */
char *stack_table_json(struct stack_table *t, const char *id, size_t *len);

/*
 * The stable id of a list of symbolized frames; exposed for the tests.
 * Leading frames of the tracing machinery itself are skipped, and so is a
 * first real frame that older kernels store twice, so that every attach
 * method yields the same id; *first_frame says how many were skipped.
 */
uint64_t stack_hash_frames(const char *const *frames, size_t n, size_t *first_frame);

#endif /* SKBTRACE_STACKS_H */
