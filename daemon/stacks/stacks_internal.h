/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stable stack table's insides, shared by stacks.c (the table, its LRU,
 * the sweep of BPF ids) and stacks_expo.c (what it shows); nothing outside
 * this room includes it.
 */
#ifndef SKBTRACE_STACKS_INTERNAL_H
#define SKBTRACE_STACKS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include "diagnosis.h"
#include "stacks.h"
#include "u64map.h"

/* A label value a stack was counted under, kept to show its hint in /stacks. */
struct stack_note {
	enum hint_kind kind;
	const struct hint *hint;
};

struct stack_ref;

struct stack_entry {
	char id[STACK_ID_LEN];
	uint64_t hash;
	const char **frames; /* strings owned by the ksym cache */
	size_t n_frames;
	struct stack_note notes[STACK_MAX_NOTES];
	size_t n_notes;
	/* The table's recency list, most recently touched first. */
	struct stack_entry *newer, *older;
	struct stack_ref *refs; /* BPF ids that hold this stack */
	unsigned int touched;	/* generation it was last handed out or used in */
	unsigned int used;	/* generation of the last scrape a series showed it in */
	bool kept;		/* reload: a carried series shows it */
};

/* One BPF stack id of one stack map. */
struct stack_ref {
	struct stack_map_ids *map;
	struct stack_entry *entry; /* NULL until read: seen only in the kernel's map */
	struct stack_ref *next;	   /* of the same entry */
	int32_t bpf_id;
	unsigned int seen; /* generation of the last scrape whose keys held it */
	unsigned int idle; /* completed scrapes in a row whose keys did not */
};

/* The BPF ids of one stack map. */
struct stack_map_ids {
	int map_fd;
	struct u64map ids; /* bpf_id + 1 → struct stack_ref */
	struct stack_map_stats stats;
};

struct stack_table {
	struct ksym_cache *ksyms;
	struct u64map by_hash; /* stable hash → struct stack_entry */
	struct stack_map_ids **maps;
	size_t n_maps;
	struct stack_entry lost;
	struct stack_entry *newest, *oldest;
	size_t n_entries, max_entries;
	unsigned int gen; /* scrape generation, never 0 */
	bool unsure;	  /* this scrape lost track of a held id (out of memory): no sweep */
	uint64_t evicted_full, evicted_reload, full;
};

/* The entry whose stable id is id, or NULL. */
struct stack_entry *stack_entry_by_id(const struct stack_table *t, const char *id);

#endif
