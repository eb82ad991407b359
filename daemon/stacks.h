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
#include "diagnosis.h"

struct ksym_cache;
struct expo;

#define STACK_ID_LEN 17 /* 16 hex digits and NUL */
/* Distinct hints a stack keeps for /stacks: one per reason or origin it was counted under. */
#define STACK_MAX_NOTES 4

struct stack_table;

struct stack_table *stack_table_new(struct ksym_cache *ksyms);
void stack_table_free(struct stack_table *t);

/*
 * Returns the stable id for BPF stack bpf_id of the stack map map_fd (or
 * "lost" for SKBTRACE_STACK_LOST), reading and symbolizing the stack on
 * first sight.  NULL if the stack cannot be read.
 */
const char *stack_table_id(struct stack_table *t, int map_fd, int32_t bpf_id);

/* Forgets the BPF ids of a stack map that is going away; stable entries stay. */
void stack_table_forget_map(struct stack_table *t, int map_fd);

/*
 * Notes that stable stack `id` was counted under a label `key` of `kind`
 * (a drop reason, a reset origin), so that /stacks shows its hint.  Keys
 * without a hint and stacks with STACK_MAX_NOTES hints already are ignored.
 */
void stack_table_note(struct stack_table *t, const char *id, enum hint_kind kind, const char *key);

/* skbtrace_stack_info{stack,frames} for every stack seen. */
int stack_table_expo(struct stack_table *t, struct expo *e);

/*
 * The symbolized frames of stable id `id`, innermost first, owned by the
 * table; NULL for "lost" and ids never seen.
 */
const char *const *stack_table_frames(struct stack_table *t, const char *id, size_t *n);

/*
 * JSON for /stacks: all stacks, or only stable id `id` when non-NULL; each
 * with its frames and the hints of what it was counted under.
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
