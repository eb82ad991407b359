/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's one thread: HTTP scrapes, signals and the watchdog timer all
 * come through one epoll loop, so a watchdog ping proves that scrapes are
 * being served and that the BPF maps are readable.
 */
#ifndef SKBTRACE_EVENT_LOOP_H
#define SKBTRACE_EVENT_LOOP_H

struct daemon;
struct http_server;

/* Tells systemd the daemon is ready, with its status line. */
void event_loop_notify_ready(struct daemon *d);

/*
 * Serves until SIGTERM or SIGINT reaches the calling thread or the process:
 * SIGHUP reloads the config (a bad one keeps the running configuration),
 * and with a systemd watchdog the loop pings it at half its interval while
 * the probes' maps are readable.  The signals are blocked in the calling
 * thread.  Returns 0, or a negative errno when the loop cannot be set up or
 * waiting fails.
 */
int event_loop_run(struct daemon *d, struct http_server *http);

#endif /* SKBTRACE_EVENT_LOOP_H */
