/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prometheus text exposition format 0.0.4 writer.  Samples may be added in
 * any order; each family is emitted once, with HELP and TYPE, and all its
 * samples together, in the order families were first declared.
 */
#ifndef SKBTRACE_EXPO_H
#define SKBTRACE_EXPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXPO_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

enum expo_type {
	EXPO_COUNTER,
	EXPO_GAUGE,
};

struct expo;
struct expo_family;

struct expo_label {
	const char *name;
	const char *value;
};

struct expo *expo_new(void);
void expo_free(struct expo *e);

/*
 * A view of the same collection that /metrics renders (the landing page)
 * reads the samples as they are added instead of parsing the text: with a
 * tap set, every expo_add_u64() hands its family name, labels and value
 * (after the counter hook, so carried counts included) to fn and formats
 * nothing; fn's nonzero return is expo_add_u64()'s.
 * Doubles are not tapped (and still formatted): no view needs them.
 */
typedef int (*expo_tap_fn)(void *ctx, const char *family, const struct expo_label *labels,
			   size_t n_labels, uint64_t value);
void expo_set_tap(struct expo *e, expo_tap_fn fn, void *ctx);

/*
 * Declares a family, or returns the one already declared with that name.
 * Counter names must end in _total.  Returns NULL on allocation failure, an
 * invalid name or a conflicting redeclaration (other type).
 */
struct expo_family *expo_family(struct expo *e, const char *name, enum expo_type type,
				const char *help);

/*
 * Adds one sample; label values are escaped (backslash, quote, newline).
 * Returns 0, -EINVAL for an invalid or repeated label name or -ENOMEM, in
 * which case nothing was added; with a tap, the tap's nonzero return.
 */
int expo_add_u64(struct expo_family *f, const struct expo_label *labels, size_t n_labels,
		 uint64_t value);
int expo_add_double(struct expo_family *f, const struct expo_label *labels, size_t n_labels,
		    double value);

/*
 * Marks a counter family as the kernel's own (its value does not restart
 * when a probe instance is replaced): the counter hook never sees it.
 */
void expo_family_kernel_owned(struct expo_family *f);

/* One counter sample on its way in, as the counter hook sees it. */
struct expo_sample {
	const char *family;
	const char *help;
	const char *series; /* name{labels} as rendered: the series' identity; not NUL-ended */
	size_t series_len;
	const struct expo_label *labels;
	size_t n_labels;
	bool is_double;
	uint64_t u; /* the value, which the hook may change */
	double d;
};

typedef void (*expo_counter_fn)(struct expo_sample *s, void *ctx);

/* fn sees every sample of every counter family added from now on; NULL: none. */
void expo_set_counter_hook(struct expo *e, expo_counter_fn fn, void *ctx);

/*
 * Renders the whole exposition into a malloc'd NUL-terminated buffer that the
 * caller frees.  Returns NULL on allocation failure.
 */
char *expo_render(struct expo *e, size_t *len);

#endif /* SKBTRACE_EXPO_H */
