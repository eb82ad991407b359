/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Finding the network namespaces of the machine and looking inside them.
 * Namespaces are found where they are pinned: a process's /proc/PID/ns/net
 * or a bind mount in /run/netns.  One kept alive only by a socket or a
 * mount elsewhere cannot be found this way.
 */
#ifndef SKBTRACE_NETNS_H
#define SKBTRACE_NETNS_H

#include <stddef.h>
#include <stdint.h>

struct netns_ref {
	uint32_t inum;
	char path[64]; /* a file that opens the namespace */
};

struct netns_list {
	struct netns_ref *v;
	size_t n;
	size_t found; /* distinct namespaces seen, including those beyond the bound */
};

/*
 * Distinct namespaces, the caller's own first, at most max of them, the
 * rest by inode number.  Returns 0 or a negative errno.
 */
int netns_list_scan(struct netns_list *out, size_t max);
void netns_list_free(struct netns_list *l);

/*
 * Runs fn inside the namespace at path on the calling thread only, then
 * moves the thread back to its own namespace.  Returns fn's result or a
 * negative errno.
 */
int netns_run_in(const char *path, int (*fn)(void *ctx), void *ctx);

#endif /* SKBTRACE_NETNS_H */
