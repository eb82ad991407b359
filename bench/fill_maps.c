// SPDX-License-Identifier: GPL-2.0
/*
 * skbtrace-fill-maps: fills a running daemon's drop_counts map with N
 * synthetic series, so that the benchmark can measure scrape time and memory
 * at a known cardinality without first producing N distinct real drops.
 *
 *   skbtrace-fill-maps N
 *
 * Locations are real kernel text symbols from /proc/kallsyms, so that
 * symbolization costs what it costs for real drops.  The namespace is this
 * one, keyed as the probes key it (bpf/lib/netns.bpf.h): the daemon evicts
 * series of namespaces that do not exist.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "drop.h"

static int find_map(const char *name)
{
	__u32 id = 0;

	while (!bpf_map_get_next_id(id, &id)) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_map_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && !strcmp(info.name, name))
			return fd;
		close(fd);
	}
	return -ENOENT;
}

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

/* The low 32 bits of this namespace's cookie (5.14+ tells it), else its inode. */
static __u32 own_netns_id(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	socklen_t len = sizeof(__u64);
	__u64 cookie = 0;
	struct stat st;

	if (fd >= 0 && !getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) && cookie) {
		close(fd);
		return (__u32)cookie;
	}
	if (fd >= 0)
		close(fd);
	return stat("/proc/self/ns/net", &st) ? 0 : (__u32)st.st_ino;
}

static size_t text_symbols(unsigned long long **out)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	unsigned long long addr, *v = NULL;
	size_t n = 0, cap = 0;
	char line[512], type;

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c", &addr, &type) != 2 || (type != 't' && type != 'T'))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				exit(1);
		}
		v[n++] = addr;
	}
	if (f)
		fclose(f);
	*out = v;
	return n;
}

int main(int argc, char **argv)
{
	int ncpus = libbpf_num_possible_cpus(), fd;
	unsigned long long *syms;
	size_t nsyms;
	__u32 netns = own_netns_id();
	__u64 *values;
	long n;

	if (argc != 2 || (n = atol(argv[1])) <= 0) {
		fprintf(stderr, "usage: skbtrace-fill-maps N\n");
		return 2;
	}
	fd = find_map("drop_counts");
	if (fd < 0) {
		fprintf(stderr, "fill-maps: no drop_counts map: is skbtrace running?\n");
		return 1;
	}
	nsyms = text_symbols(&syms);
	values = calloc(ncpus, sizeof(*values));
	if (!nsyms || !values)
		return 1;
	for (int c = 0; c < ncpus; c++)
		values[c] = 1000 + c;
	for (long i = 0; i < n; i++) {
		/* Spread over reasons as a busy host would. */
		struct drop_key key = { .reason = 2 + i % 7,
					.netns = netns,
					.location = syms[(i * 7919) % nsyms] + 4 };

		if (bpf_map_update_elem(fd, &key, values, BPF_ANY)) {
			fprintf(stderr, "fill-maps: update %ld: %s\n", i, strerror(errno));
			return 1;
		}
	}
	printf("filled %ld series\n", n);
	return 0;
}
