/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The landing page: probe status, the top drop reasons (with the diagnosis
 * table's hint) and namespaces since start, links, and the flame graph of
 * all drop stacks inline.  Server-rendered HTML, no JavaScript.
 */
#ifndef SKBTRACE_LANDING_H
#define SKBTRACE_LANDING_H

#include <stddef.h>

struct daemon;

#define LANDING_TOP 10 /* rows per top list */

/* A malloc'd page, or NULL with errno set. */
char *landing_render(struct daemon *d, size_t *len);

#endif /* SKBTRACE_LANDING_H */
