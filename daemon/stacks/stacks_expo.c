// SPDX-License-Identifier: GPL-2.0
/*
 * What the stable stack table shows: skbtrace_stack_info and the table's own
 * series in the exposition, and the /stacks JSON.  The table itself, its LRU
 * and the sweep of BPF ids are stacks.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "diagnosis.h"
#include "expo.h"
#include "stacks.h"
#include "stacks_internal.h"
#include "u64map.h"
#include "self_metrics.h"
#include "source_cache.h"
#include "skbtrace.h"

/* Frames joined with ";" (the folded-stack convention of flame graphs). */
static char *join_frames(const struct stack_entry *e)
{
	size_t len = 1, off = 0;
	char *s;

	for (size_t i = 0; i < e->n_frames; i++)
		len += strlen(e->frames[i]) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	/* Outermost caller first, as flame graphs fold them. */
	for (size_t i = e->n_frames; i-- > 0;)
		off += sprintf(s + off, "%s%s", e->frames[i], i ? ";" : "");
	return s;
}

static int expo_table(const struct stack_table *t, struct expo *e)
{
	struct expo_family *entries, *max, *evicted, *full;

	entries = expo_self_family(e, SM_STACK_TABLE_ENTRIES);
	max = expo_self_family(e, SM_STACK_TABLE_MAX_ENTRIES);
	evicted = expo_self_family(e, SM_STACK_TABLE_EVICTIONS_TOTAL);
	full = expo_self_family(e, SM_STACK_TABLE_FULL_TOTAL);
	if (!entries || !max || !evicted || !full)
		return -ENOMEM;
	return expo_add_u64(entries, NULL, 0, t->n_entries)
		       ?: expo_add_u64(max, NULL, 0, t->max_entries)
		       ?: expo_add_u64(evicted, (struct expo_label[]){ { "trigger", "full" } }, 1,
				       t->evicted_full)
		       ?: expo_add_u64(evicted, (struct expo_label[]){ { "trigger", "reload" } }, 1,
				       t->evicted_reload)
		       ?: expo_add_u64(full, NULL, 0, t->full);
}

int stack_table_expo(struct stack_table *t, struct expo *e)
{
	struct expo_family *f = expo_self_family(e, SM_STACK_INFO);

	if (!f)
		return -ENOMEM;
	u64map_for_each(&t->by_hash, slot)
	{
		struct stack_entry *se = slot->value;
		struct expo_label l[2] = { { "stack", se->id } };
		char *frames;
		int err;

		if (se->used != t->gen)
			continue;
		frames = join_frames(se);
		l[1] = (struct expo_label){ "frames", frames ? frames : "" };
		err = expo_add_u64(f, l, 2, 1);
		free(frames);
		if (err)
			return err;
	}
	return expo_table(t, e);
}

/*
 * "sources", beside "frames" and index for index: each frame's line and
 * inlined chain from the kernel's debug info, or null.  Absent without any.
 */
static void add_sources(cJSON *o, const struct stack_entry *se)
{
	struct source_cache *c = source_cache_default();
	const struct source_answer *a[SKBTRACE_MAX_STACK_DEPTH];
	bool any = false;
	cJSON *arr;

	for (size_t i = 0; i < se->n_frames && i < SKBTRACE_MAX_STACK_DEPTH; i++)
		any |= (a[i] = source_cache_get(c, se->frames[i])) != NULL;
	if (!any || !(arr = cJSON_AddArrayToObject(o, "sources")))
		return;
	for (size_t i = 0; i < se->n_frames && i < SKBTRACE_MAX_STACK_DEPTH; i++) {
		cJSON *f = a[i] ? cJSON_CreateObject() : cJSON_CreateNull(), *in;

		if (a[i] && f) {
			cJSON_AddStringToObject(f, "source", a[i]->source);
			in = cJSON_AddArrayToObject(f, "inlined");
			for (size_t k = 0; in && k < a[i]->n_inlined; k++) {
				cJSON *ij = cJSON_CreateObject();

				cJSON_AddStringToObject(ij, "function", a[i]->inlined[k].func);
				cJSON_AddStringToObject(ij, "at", a[i]->inlined[k].at);
				cJSON_AddItemToArray(in, ij);
			}
		}
		cJSON_AddItemToArray(arr, f);
	}
}


static cJSON *entry_json(const struct stack_entry *se)
{
	cJSON *o = cJSON_CreateObject(), *frames, *hints;

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "id", se->id);
	frames = cJSON_AddArrayToObject(o, "frames");
	/* Innermost frame first, as bpftrace's kstack prints it. */
	for (size_t i = 0; frames && i < se->n_frames; i++)
		cJSON_AddItemToArray(frames, cJSON_CreateString(se->frames[i]));
	add_sources(o, se);
	hints = cJSON_AddArrayToObject(o, "hints");
	for (size_t i = 0; hints && i < se->n_notes; i++) {
		const struct hint *h = se->notes[i].hint;
		cJSON *hj = cJSON_CreateObject();

		cJSON_AddStringToObject(hj, "for", hint_kind_name(h->kind));
		cJSON_AddStringToObject(hj, "key", h->key);
		cJSON_AddStringToObject(hj, "cause", h->cause);
		cJSON_AddStringToObject(hj, "action", h->action);
		cJSON_AddItemToArray(hints, hj);
	}
	return o;
}

char *stack_table_json(struct stack_table *t, const char *id, size_t *len)
{
	cJSON *root = cJSON_CreateObject(), *arr;
	char *out;

	if (!root)
		return NULL;
	arr = cJSON_AddArrayToObject(root, "stacks");
	if (id) {
		const struct stack_entry *se = stack_entry_by_id(t, id);

		if (se)
			cJSON_AddItemToArray(arr, entry_json(se));
	} else {
		u64map_for_each(&t->by_hash, slot)
		{
			const struct stack_entry *se = slot->value;

			if (se->used == t->gen)
				cJSON_AddItemToArray(arr, entry_json(se));
		}
	}
	out = cJSON_Print(root);
	cJSON_Delete(root);
	if (out && len)
		*len = strlen(out);
	return out;
}
