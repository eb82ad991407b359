/* SPDX-License-Identifier: GPL-2.0 */
/* The HTTP server's own series: connections open, refused and timed out. */
#ifndef SKBTRACE_HTTP_METRICS_H
#define SKBTRACE_HTTP_METRICS_H

struct expo;
struct http_stats;

int http_stats_expo(struct expo *e, const struct http_stats *st);

#endif /* SKBTRACE_HTTP_METRICS_H */
