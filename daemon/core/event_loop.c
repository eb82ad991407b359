// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <systemd/sd-daemon.h>
#include "config.h"
#include "daemon.h"
#include "event_loop.h"
#include "http.h"
#include "log.h"

enum loop_fd { FD_SIGNAL, FD_TIMER, FD_HTTP, FD_SWEEP };

struct loop {
	struct daemon *d;
	struct http_server *http;
	int epfd, sfd, tfd, swfd;
	bool stop;
};

static int setup_signals(void)
{
	sigset_t mask;
	int fd;

	/* A client that goes away mid-answer must cost an EPIPE, not the daemon. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return -errno;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	/* The calling thread's mask: a test may run the loop in a thread of its own. */
	errno = pthread_sigmask(SIG_BLOCK, &mask, NULL);
	if (errno)
		return -errno;
	fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	return fd < 0 ? -errno : fd;
}

/*
 * Ticks at half the watchdog interval; without a watchdog the daemon sleeps
 * between scrapes.  Returns the timer fd, -ENOENT without a watchdog, or a
 * negative errno.
 */
static int setup_watchdog_timer(uint64_t *usec)
{
	struct itimerspec its = {};
	int fd;

	if (sd_watchdog_enabled(0, usec) <= 0)
		return -ENOENT;
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0)
		return -errno;
	its.it_interval.tv_sec = *usec / 2 / 1000000;
	its.it_interval.tv_nsec = (*usec / 2 % 1000000) * 1000;
	its.it_value = its.it_interval;
	if (timerfd_settime(fd, 0, &its, NULL)) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

/* Sweeps for namespaces that are gone between scrapes, so that their room in the maps frees. */
static int setup_sweep_timer(void)
{
	struct itimerspec its = { .it_interval.tv_sec = DAEMON_NETNS_SWEEP_SEC,
				  .it_value.tv_sec = DAEMON_NETNS_SWEEP_SEC };
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);

	if (fd < 0)
		return -errno;
	if (timerfd_settime(fd, 0, &its, NULL)) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

static void notify_status(struct daemon *d)
{
	char status[512];

	daemon_status(d, status, sizeof(status));
	sd_notifyf(0, "STATUS=%s", status);
}

void event_loop_notify_ready(struct daemon *d)
{
	sd_notify(0, "READY=1");
	notify_status(d);
}

/* TLS files and users, re-read with the config; the listening socket stays. */
static void reload_web(struct daemon *d, struct http_server *http)
{
	char err[CONFIG_ERR_LEN];
	int ret = http_server_reconfigure(http, &d->cfg.web, err, sizeof(err));

	if (ret < 0) {
		log_err("reload: %s; still serving with the previous TLS settings and users", err);
		snprintf(d->note, sizeof(d->note), "reload failed, old TLS settings kept: %s", err);
		d->last_reload_failed = true;
	} else if (ret > 0) {
		log_info("reload: serving with the new TLS settings and users on the same socket");
	}
}

static void reload(struct daemon *d, struct http_server *http)
{
	char err[CONFIG_ERR_LEN];
	struct http_limits lim;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
		   (unsigned long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
	if (daemon_reload(d, err, sizeof(err))) {
		log_err("reload failed, still running the previous configuration: %s", err);
		snprintf(d->note, sizeof(d->note), "reload failed, old config kept: %s", err);
	} else {
		log_info("configuration reloaded from %s", d->cfg.file);
		d->note[0] = '\0';
		http_limits_from_web(&d->cfg.web, &lim);
		http_server_set_limits(http, &lim);
		reload_web(d, http);
	}
	event_loop_notify_ready(d);
}

static void on_signals(struct loop *l)
{
	struct signalfd_siginfo si;

	while (read(l->sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			reload(l->d, l->http);
		else
			l->stop = true;
	}
}

static void on_watchdog_tick(struct loop *l)
{
	uint64_t ticks;

	if (read(l->tfd, &ticks, sizeof(ticks)) < 0)
		return;
	if (daemon_health(l->d)) {
		log_warn("BPF maps unreadable; withholding the watchdog ping");
		return;
	}
	sd_notify(0, "WATCHDOG=1");
	notify_status(l->d);
}

static void on_sweep_tick(struct loop *l)
{
	uint64_t ticks;

	if (read(l->swfd, &ticks, sizeof(ticks)) > 0)
		daemon_netns_sweep(l->d);
}

static int watch(struct loop *l, int fd, enum loop_fd which)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = which };

	return epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static int loop_setup(struct loop *l)
{
	uint64_t wd_usec = 0;
	int ret;

	l->sfd = setup_signals();
	if (l->sfd < 0)
		return l->sfd;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		return -errno;
	l->swfd = setup_sweep_timer();
	if (l->swfd < 0)
		return l->swfd;
	ret = watch(l, l->sfd, FD_SIGNAL) ?: watch(l, http_server_fd(l->http), FD_HTTP)
						   ?: watch(l, l->swfd, FD_SWEEP);
	if (ret)
		return ret;
	l->tfd = setup_watchdog_timer(&wd_usec);
	if (l->tfd == -ENOENT)
		return 0;
	if (l->tfd < 0)
		return l->tfd;
	log_info("watchdog enabled, pinging every %llu ms", (unsigned long long)wd_usec / 2000);
	return watch(l, l->tfd, FD_TIMER);
}

static void loop_close(struct loop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	if (l->sfd >= 0)
		close(l->sfd);
	if (l->tfd >= 0)
		close(l->tfd);
	if (l->swfd >= 0)
		close(l->swfd);
}

int event_loop_run(struct daemon *d, struct http_server *http)
{
	struct loop l = { .d = d, .http = http, .epfd = -1, .sfd = -1, .tfd = -1, .swfd = -1 };
	int ret = loop_setup(&l);

	if (ret) {
		log_err("cannot set up the event loop: %s", strerror(-ret));
		goto out;
	}
	while (!l.stop) {
		struct epoll_event events[4];
		int n = epoll_wait(l.epfd, events, 4, http_server_timeout_ms(http));

		if (n < 0 && errno != EINTR) {
			ret = -errno;
			log_err("epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			if (events[i].data.u32 == FD_SIGNAL)
				on_signals(&l);
			else if (events[i].data.u32 == FD_TIMER)
				on_watchdog_tick(&l);
			else if (events[i].data.u32 == FD_SWEEP)
				on_sweep_tick(&l);
		}
		/* A failed run is retried at the next wakeup; MHD logs why through log.c. */
		http_server_run(http);
	}
out:
	loop_close(&l);
	return ret;
}
