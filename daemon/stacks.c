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
#include "symbols/source_cache.h"
#include "u64map.h"
#include "skbtrace.h"

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
	t->max_entries = STACK_TABLE_DEFAULT_MAX;
	t->gen = 1;
	snprintf(t->lost.id, sizeof(t->lost.id), "lost");
	return t;
}

static void map_free(struct stack_map_ids *m)
{
	u64map_clear(&m->ids, free);
	free(m);
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
		map_free(t->maps[i]);
	free(t->maps);
	u64map_clear(&t->by_hash, entry_free);
	free(t);
}

void stack_table_set_limit(struct stack_table *t, size_t max)
{
	t->max_entries = max ? max : 1;
}

static void lru_unlink(struct stack_table *t, struct stack_entry *e)
{
	if (e->newer)
		e->newer->older = e->older;
	else
		t->newest = e->older;
	if (e->older)
		e->older->newer = e->newer;
	else
		t->oldest = e->newer;
	e->newer = e->older = NULL;
}

static void touch(struct stack_table *t, struct stack_entry *e)
{
	e->touched = t->gen;
	if (t->newest == e)
		return;
	if (e->newer || e->older || t->oldest == e)
		lru_unlink(t, e);
	e->older = t->newest;
	if (t->newest)
		t->newest->newer = e;
	t->newest = e;
	if (!t->oldest)
		t->oldest = e;
}

/* Forgets a stable stack; the BPF ids that held it are read again when next asked for. */
static void entry_evict(struct stack_table *t, struct stack_entry *e)
{
	for (struct stack_ref *r = e->refs, *next; r; r = next) {
		next = r->next;
		r->entry = NULL;
		r->next = NULL;
	}
	lru_unlink(t, e);
	u64map_del(&t->by_hash, e->hash);
	t->n_entries--;
	entry_free(e);
}

/*
 * Makes room for one more stack: the least recently touched one goes,
 * unless the current scrape touched it too (its id may be held until the
 * scrape ends, and so may every newer one's).
 */
static bool make_room(struct stack_table *t)
{
	while (t->n_entries >= t->max_entries) {
		struct stack_entry *e = t->oldest;

		if (!e || e->touched == t->gen) {
			t->full++;
			return false;
		}
		entry_evict(t, e);
		t->evicted_full++;
	}
	return true;
}

static struct stack_map_ids *map_find(const struct stack_table *t, int map_fd)
{
	for (size_t i = 0; i < t->n_maps; i++) {
		if (t->maps[i]->map_fd == map_fd)
			return t->maps[i];
	}
	return NULL;
}

static struct stack_map_ids *map_get(struct stack_table *t, int map_fd)
{
	struct stack_map_ids *m = map_find(t, map_fd), **v;

	if (m)
		return m;
	v = realloc(t->maps, (t->n_maps + 1) * sizeof(*v));
	if (!v)
		return NULL;
	t->maps = v;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->map_fd = map_fd;
	t->maps[t->n_maps++] = m;
	return m;
}

int stack_table_add_map(struct stack_table *t, int map_fd)
{
	return map_get(t, map_fd) ? 0 : -ENOMEM;
}

static void ref_detach(struct stack_ref *r)
{
	if (!r->entry)
		return;
	for (struct stack_ref **pp = &r->entry->refs; *pp; pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	}
	r->entry = NULL;
	r->next = NULL;
}

static void ref_attach(struct stack_ref *r, struct stack_entry *e)
{
	r->entry = e;
	r->next = e->refs;
	e->refs = r;
}

/* BPF stack ids start at 0; shifted so that the key is never confused with "absent". */
static uint64_t ref_key(int32_t bpf_id)
{
	return (uint64_t)(uint32_t)bpf_id + 1;
}

static struct stack_ref *ref_get(struct stack_map_ids *m, int32_t bpf_id)
{
	struct stack_ref *r = u64map_get(&m->ids, ref_key(bpf_id));

	if (r)
		return r;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->map = m;
	r->bpf_id = bpf_id;
	if (u64map_put(&m->ids, ref_key(bpf_id), r)) {
		free(r);
		return NULL;
	}
	return r;
}

void stack_table_forget_map(struct stack_table *t, int map_fd)
{
	for (size_t i = 0; i < t->n_maps; i++) {
		struct stack_map_ids *m = t->maps[i];

		if (m->map_fd != map_fd)
			continue;
		u64map_for_each(&m->ids, slot) ref_detach(slot->value);
		map_free(m);
		t->maps[i] = t->maps[--t->n_maps];
		return;
	}
}

void stack_table_map_stats(const struct stack_table *t, int map_fd, struct stack_map_stats *out)
{
	const struct stack_map_ids *m = map_find(t, map_fd);

	*out = m ? m->stats : (struct stack_map_stats){};
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
	if (e || !make_room(t))
		return e;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->hash = hash;
	e->n_frames = n - first;
	e->frames = calloc(e->n_frames ? e->n_frames : 1, sizeof(*e->frames));
	if (!e->frames || u64map_put(&t->by_hash, hash, e)) {
		entry_free(e);
		return NULL;
	}
	memcpy(e->frames, frames + first, e->n_frames * sizeof(*e->frames));
	snprintf(e->id, sizeof(e->id), "%016" PRIx64, hash);
	t->n_entries++;
	return e;
}

const char *stack_table_id(struct stack_table *t, int map_fd, int32_t bpf_id)
{
	struct stack_map_ids *m;
	struct stack_ref *r;

	if (bpf_id == SKBTRACE_STACK_LOST)
		return t->lost.id;
	if (bpf_id < 0)
		return NULL;
	m = map_get(t, map_fd);
	r = m ? ref_get(m, bpf_id) : NULL;
	if (!r) {
		t->unsure = true;
		return NULL;
	}
	/* Held by a key even when it cannot be read: the kernel's entry stays. */
	r->seen = t->gen;
	if (!r->entry) {
		struct stack_entry *e = load_stack(t, map_fd, bpf_id);

		if (!e)
			return NULL;
		ref_attach(r, e);
	}
	touch(t, r->entry);
	return r->entry->id;
}

/* The entry of an id as the table prints it: exactly 16 lowercase hex digits. */
static struct stack_entry *entry_by_id(const struct stack_table *t, const char *id)
{
	uint64_t hash = 0;
	size_t i;

	for (i = 0; i < STACK_ID_LEN - 1; i++) {
		char c = id[i];

		if (c >= '0' && c <= '9')
			hash = hash << 4 | (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			hash = hash << 4 | (uint64_t)(c - 'a' + 10);
		else
			return NULL;
	}
	return id[i] ? NULL : u64map_get(&t->by_hash, hash);
}

void stack_table_use(struct stack_table *t, const char *id)
{
	struct stack_entry *e = entry_by_id(t, id);

	if (!e)
		return;
	e->used = t->gen;
	touch(t, e);
}

void stack_table_scrape_begin(struct stack_table *t)
{
	if (!++t->gen)
		t->gen = 1;
	t->unsure = false;
}

/*
 * Deletes the ids of one kernel stack map that no key held for
 * STACK_IDLE_SCRAPES scrapes, including ids no key ever held (a stack
 * taken for an event that found the count map full): found by walking the
 * map, which costs one syscall per id.
 */
static void sweep_map(struct stack_table *t, struct stack_map_ids *m)
{
	struct stack_ref **idle = NULL;
	size_t n_idle = 0, cap_idle = 0;
	uint32_t key, next;
	uint64_t in_kernel = 0;
	bool first = true;

	while (!bpf_map_get_next_key(m->map_fd, first ? NULL : &key, &next)) {
		first = false;
		key = next;
		in_kernel++;
		/* Unseen (generation 0): it goes once no scrape read it STACK_IDLE_SCRAPES times. */
		if (key <= INT32_MAX)
			ref_get(m, (int32_t)key);
	}
	u64map_for_each(&m->ids, slot)
	{
		struct stack_ref *r = slot->value;

		if (r->seen == t->gen) {
			r->idle = 0;
			continue;
		}
		if (++r->idle < STACK_IDLE_SCRAPES)
			continue;
		if (n_idle == cap_idle) {
			size_t cap = cap_idle ? 2 * cap_idle : 16;
			struct stack_ref **v = realloc(idle, cap * sizeof(*v));

			if (!v)
				break; /* the rest waits for the next scrape */
			idle = v;
			cap_idle = cap;
		}
		idle[n_idle++] = r;
	}
	/* Deleting moves the map's slots: not while walking them. */
	for (size_t i = 0; i < n_idle; i++) {
		struct stack_ref *r = idle[i];

		if (bpf_map_delete_elem(m->map_fd, &r->bpf_id)) {
			if (errno != ENOENT)
				continue; /* tried again at the next scrape */
		} else {
			m->stats.freed++;
			if (in_kernel)
				in_kernel--;
		}
		ref_detach(r);
		u64map_del(&m->ids, ref_key(r->bpf_id));
		free(r);
	}
	free(idle);
	m->stats.entries = in_kernel;
}

void stack_table_scrape_end(struct stack_table *t)
{
	if (t->unsure)
		return;
	for (size_t i = 0; i < t->n_maps; i++)
		sweep_map(t, t->maps[i]);
}

void stack_table_reload_begin(struct stack_table *t, size_t max)
{
	stack_table_set_limit(t, max);
	u64map_for_each(&t->by_hash, slot)
	{
		struct stack_entry *e = slot->value;

		e->kept = false;
		/* Held by a key that the last scrape read: a live series of a remaining probe. */
		for (struct stack_ref *r = e->refs; r && !e->kept; r = r->next)
			e->kept = r->idle == 0;
	}
}

void stack_table_keep(struct stack_table *t, const char *id)
{
	struct stack_entry *e = entry_by_id(t, id);

	if (e)
		e->kept = true;
}

void stack_table_reload_end(struct stack_table *t)
{
	struct stack_entry *e, *newer;

	for (e = t->oldest; e; e = newer) {
		newer = e->newer;
		if (e->kept)
			continue;
		entry_evict(t, e);
		t->evicted_reload++;
	}
	/* A lower limit: the least recently used go, whatever they are. */
	while (t->n_entries > t->max_entries && t->oldest) {
		entry_evict(t, t->oldest);
		t->evicted_reload++;
	}
}

void stack_table_note(struct stack_table *t, const char *id, enum hint_kind kind, const char *key)
{
	const struct hint *h = hint_find(kind, key);
	struct stack_entry *e = h ? entry_by_id(t, id) : NULL;

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
	const struct stack_entry *e = entry_by_id(t, id);

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

static int expo_table(const struct stack_table *t, struct expo *e)
{
	struct expo_family *entries, *max, *evicted, *full;

	entries = expo_family(e, "skbtrace_stack_table_entries", EXPO_GAUGE,
			      "Symbolized stacks the daemon holds, of all probes.");
	max = expo_family(e, "skbtrace_stack_table_max_entries", EXPO_GAUGE,
			  "Capacity of the daemon's table of symbolized stacks "
			  "(limits.max_stable_stacks).");
	evicted = expo_family(e, "skbtrace_stack_table_evictions_total", EXPO_COUNTER,
			      "Symbolized stacks forgotten: the least recently used when the table "
			      "was full, or those no series showed at a reload.");
	full = expo_family(e, "skbtrace_stack_table_full_total", EXPO_COUNTER,
			   "Stacks not symbolized because every entry of the table was in use by "
			   "the same scrape; their series show stack=\"unreadable\".");
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
	struct expo_family *f =
		expo_family(e, "skbtrace_stack_info", EXPO_GAUGE,
			    "Symbolized frames of each stable stack id that a series "
			    "of this scrape shows, outermost caller first, "
			    "';'-separated.");

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
		const struct stack_entry *se = entry_by_id(t, id);

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
