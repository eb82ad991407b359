/* SPDX-License-Identifier: GPL-2.0 */
/* Where `top` scrapes: --url, else the config's listen address. */
#ifndef SKBTRACE_TOP_SOURCE_H
#define SKBTRACE_TOP_SOURCE_H

#include <stddef.h>

#define TOP_DEFAULT_URL "http://127.0.0.1:9820/metrics"

/*
 * The /metrics URL of the daemon that config_file configures; when the file
 * cannot be read or is invalid, TOP_DEFAULT_URL and why in note.
 */
void top_default_url(const char *config_file, char *url, size_t size, char *note, size_t notelen);

/* One scrape through c: 0 and a parsed body, or a negative errno and one line in err. */
struct top_client;
struct top_scrape;
int top_fetch(struct top_client *c, int timeout_ms, struct top_scrape *out, char *err,
	      size_t errlen);

#endif /* SKBTRACE_TOP_SOURCE_H */
