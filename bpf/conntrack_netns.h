/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The kernel's conntrack statistics of every network namespace, read by
 * bpf/conntrack_netns.bpf.c; shared with daemon/probes/conntrack_netns.c.
 */
#ifndef SKBTRACE_CONNTRACK_NETNS_H
#define SKBTRACE_CONNTRACK_NETNS_H

#include "skbtrace.h"

/*
 * Namespaces one walk reports at most where the kernel has no bpf_loop()
 * (before 5.17): the bound of a plain loop, which the verifier checks
 * iteration by iteration.
 */
#define CT_NETNS_BOUNDED 1024

/* Fields of struct ip_conntrack_stat the daemon exports. */
enum ct_stat_field {
	CT_STAT_DROP,
	CT_STAT_EARLY_DROP,
	CT_STAT_INSERT_FAILED,
	CT_STAT_INVALID,
	CT_STAT_FIELDS,
};

/* Pernet ids a walk tries when it looks for nf_conntrack's (see find_pernet_id()). */
#define CT_PERNET_MAX_IDS 256

/*
 * The test-run context the daemon passes, from the BTF of vmlinux or of the
 * nf_conntrack module: where a namespace's entry count lives on kernels
 * (5.13 and later) that keep it in nf_conntrack's per-namespace data, a
 * type that the program cannot name while nf_conntrack is not loaded.
 */
struct ct_netns_args {
	__u64 known;	    /* the fields below are set */
	__u64 count_off;    /* offsetof(struct nf_conntrack_net, count) */
	__u64 sysctl_off;   /* offsetof(struct nf_conntrack_net, sysctl_header) */
	__u64 sysctl_count; /* NF_SYSCTL_CT_COUNT: nf_conntrack_count's row of that table */
};

/* One namespace as seen from one CPU: that CPU's element of ct_netns_out. */
struct ct_netns_sample {
	__u32 inum;
	__u32 id;	 /* the probes' key (lib/netns.bpf.h) */
	__u32 has_stat;	 /* nf_conntrack is loaded: the namespace has statistics */
	__u32 has_count; /* entries is known */
	__u32 active;	 /* a statistic of this CPU is not zero */
	__u32 pad;
	__u64 entries; /* nf_conntrack_count(): the namespace's, not this CPU's */
	__u32 stat[CT_STAT_FIELDS];
};

/* What one run saw, in the running CPU's element of ct_netns_walk. */
struct ct_netns_walk {
	__u32 sampled;	 /* elements 0..sampled-1 of ct_netns_out are this run's */
	__u32 found;	 /* namespaces seen, including those beyond the bound */
	__u32 complete;	 /* the walk went all the way round the list */
	__u32 no_offset; /* this CPU's per-CPU offset could not be learnt */
};

#endif /* SKBTRACE_CONNTRACK_NETNS_H */
