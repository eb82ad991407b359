/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The capabilities the daemon needs: checked before anything is loaded, and
 * all others given up once its probes are attached and its socket is bound.
 */
#ifndef SKBTRACE_PRIVILEGES_H
#define SKBTRACE_PRIVILEGES_H

#include <stddef.h>
#include <stdint.h>

/* Checks for CAP_BPF+CAP_PERFMON (or CAP_SYS_ADMIN) with a one-line error. */
int capabilities_check(char *err, size_t errlen);

/*
 * Keeps only what a reload and a scrape still need:
 *   CAP_BPF, CAP_PERFMON  load and attach BPF programs (reload re-attaches),
 *   CAP_SYSLOG            real addresses in /proc/kallsyms, read at scrape time,
 *   CAP_SYS_ADMIN         only where CAP_BPF+CAP_PERFMON are not both held
 *                         (kernels before 5.8 or a unit that grants only it).
 * Every other capability leaves the effective, permitted, inheritable,
 * ambient and bounding sets, and no_new_privs is set.  Returns the kept
 * effective set as a bit mask, or -errno.
 */
int64_t privileges_drop(void);

/* Writes the names of the capabilities in mask, comma separated. */
void privileges_describe(uint64_t mask, char *buf, size_t len);

#endif /* SKBTRACE_PRIVILEGES_H */
