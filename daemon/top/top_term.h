/* SPDX-License-Identifier: GPL-2.0 */
/* The full-screen terminal of `skbtrace top`: alternate screen, raw keys, restored on exit. */
#ifndef SKBTRACE_TOP_TERM_H
#define SKBTRACE_TOP_TERM_H

#include <stdbool.h>
#include "top_screen.h"

int top_term_enter(void);
void top_term_leave(void);		     /* idempotent; also runs at exit */
void top_term_size(int *width, int *height); /* 80x24 when the terminal does not say */
void top_term_draw(const struct top_screen *s);

/*
 * Waits up to timeout_ms for a key: true when the user asked to quit (q, Q,
 * Ctrl-C in raw mode); returns early, false, when the window was resized.
 * SIGINT, SIGTERM and SIGHUP restore the terminal and end the process at
 * once, wherever it is.
 */
bool top_term_wait(int timeout_ms);

#endif /* SKBTRACE_TOP_TERM_H */
