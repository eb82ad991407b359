/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Series described as data.  A family is one per-CPU counting map of a
 * probe's BPF object (and the count cache in front of it); each label is a
 * field of the map's key with the decoder that turns it into a label value.
 * One collector (series.c) reads every family the same way: sums the CPUs,
 * adds the cache, replaces BPF stack ids with stable ids, merges the rows
 * whose labels coincide, decodes, and adds the map's overflow series, so
 * that every family's sum stays exact.
 */
#ifndef SKBTRACE_SERIES_H
#define SKBTRACE_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "diagnosis.h"
#include "skbtrace.h"

struct expo;
struct probe;
struct probe_env;

enum series_decoder {
	SERIES_NETNS,  /* __u32 namespace id: the inode; the row is left out once it is gone */
	SERIES_KSYM,   /* __u64 kernel address: function+offset, or "unknown" */
	SERIES_STACK,  /* __s32 BPF stack id: the stable stack id (stacks.h) */
	SERIES_UINT,   /* an unsigned number, e.g. a port */
	SERIES_NAMES,  /* an index into names[] */
	SERIES_ENUM,   /* a value of the probe's enums[which], loaded from BTF */
	SERIES_CUSTOM, /* custom() */
	SERIES_STRING, /* a char array from a kernel object: series_label_text() */
};

struct series_label {
	const char *name;
	enum series_decoder decoder;
	uint8_t off, size; /* the field in the key */
	/* SERIES_NAMES */
	const char *const *names;
	size_t n_names;
	/* SERIES_ENUM: which enum; `none` (if none_name) is labelled none_name */
	int which;
	uint32_t none;
	const char *none_name;
	/* SERIES_CUSTOM */
	const char *(*custom)(const struct probe *p, uint64_t value, char *buf, size_t len);
};

#define SERIES_FIELD(type, member)                                                                 \
	.off = __builtin_offsetof(type, member), .size = sizeof(((type *)0)->member)

#define SERIES_MAX_LABELS 6

struct series_desc {
	const char *name;
	const char *help;
	const char *map;       /* per-CPU hash: key → __u64 */
	const char *cache;     /* its count cache, or NULL */
	unsigned int overflow; /* the map's overflow slot in the stats */
	bool stacks;	       /* per-stack: only with stacks on */
	/* The name of the label whose value /stacks notes as the stack's hint, or NULL. */
	const char *hint_label;
	enum hint_kind hint;
	/* The labels in order; the first without a name ends them. */
	struct series_label labels[SERIES_MAX_LABELS];
};

/*
 * The label value of a name the kernel holds, a char array of `size` bytes
 * NUL-terminated unless the program cut it: every byte the exposition
 * format could not carry (invalid UTF-8, control characters but newline,
 * which expo escapes, DEL) as \xNN, then "..." if cut.  Writes at most
 * SERIES_TEXT_LEN(size) bytes with the NUL; len smaller truncates.
 */
#define SERIES_TEXT_LEN(size) (4 * (size) + 4)
void series_label_text(char *buf, size_t len, const unsigned char *field, size_t size);

/* The number of labels of d: counted, never written by hand. */
size_t series_n_labels(const struct series_desc *d);
/* The index of d's hint label, or -1 (none, or a name that is not a label). */
int series_hint_index(const struct series_desc *d);

/* Exports one family with its map's fill, capacity and overflow events. */
int series_collect(struct probe *p, const struct series_desc *d, struct expo *e,
		   const struct probe_env *env, const struct skbtrace_stats *st);

/* The maps of a family, found by name in the probe's object by series_collect(). */
struct series_maps {
	int fd, cache_fd; /* cache_fd -1: none */
	uint32_t key_size, max_entries;
};
/* series_collect() once the maps are found: tests give it maps they filled. */
int series_collect_maps(struct probe *p, const struct series_desc *d, const struct series_maps *m,
			struct expo *e, const struct probe_env *env,
			const struct skbtrace_stats *st);

#endif /* SKBTRACE_SERIES_H */
