// SPDX-License-Identifier: GPL-2.0
/*
 * One line per message on stderr.  Under systemd (JOURNAL_STREAM set) each
 * line carries a "<N>" priority prefix that journald turns into a level; on
 * a terminal it says "skbtrace: " instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include "log.h"

static bool log_verbose;
static bool log_journal;

void log_init(bool verbose)
{
	log_verbose = verbose;
	log_journal = getenv("JOURNAL_STREAM") != NULL;
}

void log_vmsg(enum log_level lvl, const char *fmt, va_list ap)
{
	if (lvl == LOG_LVL_DEBUG && !log_verbose)
		return;
	if (log_journal)
		fprintf(stderr, "<%d>", lvl);
	else
		fputs(lvl <= LOG_LVL_ERR ? "skbtrace: error: " : "skbtrace: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(lvl, fmt, ap);
	va_end(ap);
}
