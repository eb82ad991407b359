/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Walkers: BPF programs attached to nothing that the daemon runs with
 * BPF_PROG_TEST_RUN to read kernel lists (the namespace walker, the
 * conntrack namespace reader).  Each comes in two flavours, one with
 * bpf_loop() (5.17+) and one with a bounded loop for older kernels; the
 * choice and the run are the same for all, so they are here once.
 */
#ifndef SKBTRACE_WALKER_H
#define SKBTRACE_WALKER_H

#include <stdbool.h>
#include <stddef.h>

struct bpf_program;

/* Whether the kernel has bpf_loop() for raw tracepoint programs (asked once). */
bool walker_has_loop(void);
/* "bpf_loop" or "bounded loop", for the log line saying which was loaded. */
const char *walker_loop_name(void);
/*
 * Of a walker's two programs, turns autoload off for the one this kernel
 * does not need and returns the other, to be run once the object is loaded.
 */
struct bpf_program *walker_choose(struct bpf_program *loop, struct bpf_program *bounded);
/* One run with ctx (may be NULL) on cpu, or wherever the caller runs (-1); 0 or -errno. */
int walker_run(int prog_fd, const void *ctx, size_t ctx_size, int cpu);

#endif
