// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <cjson/cJSON.h>
#include "diagnosis.h"
#include "expo.h"
#include "ksyms.h"
#include "stacks.h"
#include "u64map.h"
#include "skbtrace.h"

/* A label value a stack was counted under, kept to show its hint in /stacks. */
struct stack_note {
	enum hint_kind kind;
	const struct hint *hint;
};

struct stack_entry {
	char id[STACK_ID_LEN];
	const char **frames; /* strings owned by the ksym cache */
	size_t n_frames;
	struct stack_note notes[STACK_MAX_NOTES];
	size_t n_notes;
};

/* The BPF ids of one stack map, each pointing at a stable entry. */
struct stack_map_ids {
	int map_fd;
	struct u64map ids;
};

struct stack_table {
	struct ksym_cache *ksyms;
	struct u64map by_hash; /* stable hash → struct stack_entry */
	struct stack_map_ids *maps;
	size_t n_maps;
	struct stack_entry lost;
};

/* Frames of the tracing machinery that sit above the traced kernel function. */
static const char *const tracing_frame_prefixes[] = {
	"bpf_prog_",	"bpf_trace_run",	 "__bpf_trace_", "__traceiter_",
	"perf_trace_",	"trace_event_raw_",	 "__probestub_", "bpf_get_stack",
	"__bpf_prog_",	"trace_call_bpf",	 "kprobe_",	 "kretprobe_",
	"rethook_",	"arch_rethook_",	 "ftrace_",	 "fprobe_",
	"__kretprobe_", "pre_handler_kretprobe",
};

static bool is_tracing_frame(const char *frame)
{
	for (size_t i = 0; i < sizeof(tracing_frame_prefixes) / sizeof(tracing_frame_prefixes[0]);
	     i++) {
		if (!strncmp(frame, tracing_frame_prefixes[i], strlen(tracing_frame_prefixes[i])))
			return true;
	}
	/* Code with no symbol at the top is a BPF trampoline or JIT image. */
	return !strcmp(frame, KSYM_UNKNOWN);
}

uint64_t stack_hash_frames(const char *const *frames, size_t n, size_t *first_frame)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
	size_t first = 0;

	while (first < n && is_tracing_frame(frames[first]))
		first++;
	if (first == n)
		first = 0;
	/*
	 * Older kernels (5.10) store the first frame twice when the walk starts
	 * from a tracepoint's caller registers, as a classic tracepoint's does:
	 * perf_callchain_kernel() stores regs->ip, then unwinds from that ip.
	 * The traced site cannot be its own caller at the same return address,
	 * so the repeat is never a real frame.
	 */
	if (first + 1 < n && !strcmp(frames[first], frames[first + 1]))
		first++;
	for (size_t i = first; i < n; i++) {
		for (const char *p = frames[i]; *p; p++)
			h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
		h = (h ^ '\n') * 0x100000001b3ull;
	}
	if (first_frame)
		*first_frame = first;
	return h;
}

struct stack_table *stack_table_new(struct ksym_cache *ksyms)
{
	struct stack_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->ksyms = ksyms;
	snprintf(t->lost.id, sizeof(t->lost.id), "lost");
	return t;
}

static void entry_free(void *p)
{
	struct stack_entry *e = p;

	free(e->frames);
	free(e);
}

void stack_table_free(struct stack_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_maps; i++)
		u64map_clear(&t->maps[i].ids, NULL);
	free(t->maps);
	u64map_clear(&t->by_hash, entry_free);
	free(t);
}

static struct stack_map_ids *map_ids(struct stack_table *t, int map_fd)
{
	struct stack_map_ids *m;

	for (size_t i = 0; i < t->n_maps; i++) {
		if (t->maps[i].map_fd == map_fd)
			return &t->maps[i];
	}
	m = realloc(t->maps, (t->n_maps + 1) * sizeof(*m));
	if (!m)
		return NULL;
	t->maps = m;
	m = &t->maps[t->n_maps++];
	memset(m, 0, sizeof(*m));
	m->map_fd = map_fd;
	return m;
}

void stack_table_forget_map(struct stack_table *t, int map_fd)
{
	for (size_t i = 0; i < t->n_maps; i++) {
		if (t->maps[i].map_fd != map_fd)
			continue;
		u64map_clear(&t->maps[i].ids, NULL);
		t->maps[i] = t->maps[--t->n_maps];
		return;
	}
}

/* Reads one stack from the map and finds or creates its stable entry. */
static struct stack_entry *load_stack(struct stack_table *t, int map_fd, int32_t bpf_id)
{
	uint64_t ips[SKBTRACE_MAX_STACK_DEPTH] = {};
	const char *frames[SKBTRACE_MAX_STACK_DEPTH];
	struct stack_entry *e;
	size_t n = 0, first;
	uint64_t hash;

	if (bpf_map_lookup_elem(map_fd, &bpf_id, ips))
		return NULL;
	while (n < SKBTRACE_MAX_STACK_DEPTH && ips[n])
		n++;
	ksym_cache_resolve(t->ksyms, ips, n);
	for (size_t i = 0; i < n; i++)
		frames[i] = ksym_cache_name(t->ksyms, ips[i]);
	hash = stack_hash_frames(frames, n, &first);
	e = u64map_get(&t->by_hash, hash);
	if (e)
		return e;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->n_frames = n - first;
	e->frames = calloc(e->n_frames ? e->n_frames : 1, sizeof(*e->frames));
	if (!e->frames || u64map_put(&t->by_hash, hash, e)) {
		entry_free(e);
		return NULL;
	}
	memcpy(e->frames, frames + first, e->n_frames * sizeof(*e->frames));
	snprintf(e->id, sizeof(e->id), "%016" PRIx64, hash);
	return e;
}

const char *stack_table_id(struct stack_table *t, int map_fd, int32_t bpf_id)
{
	struct stack_map_ids *m;
	struct stack_entry *e;

	if (bpf_id == SKBTRACE_STACK_LOST)
		return t->lost.id;
	m = map_ids(t, map_fd);
	if (!m)
		return NULL;
	/* BPF stack ids start at 0; shift so that the key is never confused with "absent". */
	e = u64map_get(&m->ids, (uint64_t)bpf_id + 1);
	if (e)
		return e->id;
	e = load_stack(t, map_fd, bpf_id);
	if (!e || u64map_put(&m->ids, (uint64_t)bpf_id + 1, e))
		return NULL;
	return e->id;
}

void stack_table_note(struct stack_table *t, const char *id, enum hint_kind kind, const char *key)
{
	const struct hint *h = hint_find(kind, key);
	struct stack_entry *e;
	char *end;
	uint64_t hash;

	if (!h)
		return;
	hash = strtoull(id, &end, 16);
	e = *end ? NULL : u64map_get(&t->by_hash, hash);
	if (!e || e->n_notes == STACK_MAX_NOTES)
		return;
	for (size_t i = 0; i < e->n_notes; i++) {
		if (e->notes[i].hint == h)
			return;
	}
	e->notes[e->n_notes++] = (struct stack_note){ kind, h };
}

const char *const *stack_table_frames(struct stack_table *t, const char *id, size_t *n)
{
	const struct stack_entry *e;
	uint64_t hash;
	char *end;

	if (strlen(id) != STACK_ID_LEN - 1)
		return NULL;
	errno = 0;
	hash = strtoull(id, &end, 16);
	if (errno || *end)
		return NULL;
	e = u64map_get(&t->by_hash, hash);
	if (!e)
		return NULL;
	*n = e->n_frames;
	return (const char *const *)e->frames;
}

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

int stack_table_expo(struct stack_table *t, struct expo *e)
{
	struct expo_family *f = expo_family(e, "skbtrace_stack_info", EXPO_GAUGE,
					    "Symbolized frames of each stable stack id, outermost "
					    "caller first, ';'-separated.");

	if (!f)
		return -ENOMEM;
	u64map_for_each(&t->by_hash, slot)
	{
		struct stack_entry *se = slot->value;
		char *frames = join_frames(se);
		struct expo_label l[] = { { "stack", se->id }, { "frames", frames ? frames : "" } };
		int err = expo_add_u64(f, l, 2, 1);

		free(frames);
		if (err)
			return err;
	}
	return 0;
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
	u64map_for_each(&t->by_hash, slot)
	{
		struct stack_entry *se = slot->value;

		if (!id || !strcmp(id, se->id))
			cJSON_AddItemToArray(arr, entry_json(se));
	}
	out = cJSON_Print(root);
	cJSON_Delete(root);
	if (out && len)
		*len = strlen(out);
	return out;
}
