/* SPDX-License-Identifier: GPL-2.0 */
/*
 * skbtrace_netns_info: what each network namespace in a scrape is, from the
 * best source the machine offers (docs/metrics.md): the initial namespace,
 * an `ip netns` name, or the cgroup of a task in it (a container, a pod, a
 * systemd unit), found by a BPF task iterator (bpf/netns_tasks.bpf.c).
 */
#ifndef SKBTRACE_NETNS_INFO_H
#define SKBTRACE_NETNS_INFO_H

#include <stdbool.h>
#include <stdint.h>

struct expo;
struct netns_info;

/*
 * by_cookie: the probes key namespaces by net cookie (netns_ids_by_cookie()).
 * Without the task iterator (no BTF, a kernel before 5.8) namespaces are
 * named host, netns or unknown only, and the log says so once.
 */
int netns_info_open(struct netns_info **out, bool by_cookie);
void netns_info_free(struct netns_info *ni);

/* A scrape begins: no namespace is in it yet. */
void netns_info_begin(struct netns_info *ni);
/* Namespace id, labelled netns="inum", is in the scrape (probe_netns_label()). */
void netns_info_note(struct netns_info *ni, uint32_t id, uint32_t inum);

/*
 * One skbtrace_netns_info series per namespace of the scrape, at most
 * max_series.  Namespaces not named before are looked up: one run of the
 * iterator, /run/netns and, for the cgroups of their tasks, one walk of
 * the cgroup tree; a scrape of namespaces all named before reads nothing
 * (but namespaces named "unknown" are looked up again after a minute).
 */
int netns_info_expo(struct netns_info *ni, struct expo *e, uint32_t max_series);

#endif /* SKBTRACE_NETNS_INFO_H */
