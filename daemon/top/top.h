/* SPDX-License-Identifier: GPL-2.0 */
/* `skbtrace top`: a terminal view of a running daemon's /metrics. */
#ifndef SKBTRACE_TOP_H
#define SKBTRACE_TOP_H

/* argv[0] is "top"; returns the process's exit status. */
int top_main(int argc, char **argv);

#endif /* SKBTRACE_TOP_H */
