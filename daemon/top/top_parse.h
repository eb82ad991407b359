/* SPDX-License-Identifier: GPL-2.0 */
/* The Prometheus text exposition format (0.0.4), read into samples. */
#ifndef SKBTRACE_TOP_PARSE_H
#define SKBTRACE_TOP_PARSE_H

#include <stddef.h>

/* Bounds on what one scrape may cost `top`, whatever the server sends. */
#define TOP_MAX_SAMPLES 200000
#define TOP_MAX_LABELS 16

struct top_label {
	const char *name;
	const char *value; /* unescaped */
};

struct top_sample {
	const char *name;
	struct top_label labels[TOP_MAX_LABELS];
	unsigned int n_labels;
	double value;
};

struct top_scrape {
	struct top_sample *samples;
	size_t n;
	char *text; /* owns every string the samples point to */
};

/*
 * Parses a whole body; comments (HELP, TYPE) and unknown families are kept
 * or skipped without complaint, a line that is not a sample is an error:
 * -EINVAL with "line N: what was expected" in err.  -E2BIG past the bounds.
 */
int top_parse(const char *body, size_t len, struct top_scrape *out, char *err, size_t errlen);
void top_scrape_free(struct top_scrape *s);

/* The value of label name, or NULL. */
const char *top_label_get(const struct top_sample *s, const char *name);

#endif /* SKBTRACE_TOP_PARSE_H */
