/* SPDX-License-Identifier: GPL-2.0 */
/* `skbtrace symbolize`: source lines for locations, offline, from debug files. */
#ifndef SKBTRACE_SYMBOLS_SYMBOLIZE_CMD_H
#define SKBTRACE_SYMBOLS_SYMBOLIZE_CMD_H

/* argv[0] is "symbolize"; returns the process's exit status. */
int symbolize_main(int argc, char **argv);

#endif /* SKBTRACE_SYMBOLS_SYMBOLIZE_CMD_H */
