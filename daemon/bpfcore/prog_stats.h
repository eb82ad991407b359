/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What skbtrace costs, from the kernel's own BPF statistics: run time and
 * run count of every program the daemon attached, while
 * kernel.bpf_stats_enabled is 1 (docs/metrics.md says how to turn it on).
 */
#ifndef SKBTRACE_PROG_STATS_H
#define SKBTRACE_PROG_STATS_H

#include <stdbool.h>

struct expo;
struct probe;

/*
 * skbtrace_bpf_program_run_seconds_total and skbtrace_bpf_program_runs_total
 * {probe,program}; nothing while the statistics are off.  Programs in the
 * kfree_skb chain run by tail call, which the kernel counts in the
 * dispatcher's run: they appear once, as probe "dispatch" (with_dispatchers;
 * without, only the probes' own programs, as a replaced probe's final counts).
 */
int prog_stats_expo(struct expo *e, const struct probe *probes, int n_probes,
		    bool with_dispatchers);

#endif /* SKBTRACE_PROG_STATS_H */
