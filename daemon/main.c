// SPDX-License-Identifier: GPL-2.0
/*
 * skbtrace: always-on kernel packet drop diagnosis for Prometheus.
 *
 * One thread runs everything from one epoll loop: HTTP scrapes, signals and
 * the watchdog timer.  A watchdog ping therefore proves that scrapes are
 * being served and that the BPF maps are readable.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <bpf/libbpf.h>
#include <systemd/sd-daemon.h>
#include "config.h"
#include "daemon.h"
#include "http.h"
#include "http_routes.h"
#include "log.h"
#include "privileges.h"
#include "probe.h"
#include "sysfs.h"
#include "top/top.h"
#include "version.h"

struct options {
	const char *config;
	const char *listen;
	bool check_config;
	bool verbose;
};

static const char usage[] =
	"Usage: skbtrace [--config FILE] [--listen ADDR:PORT] [--check-config] [--verbose]\n"
	"                [--list-probes] [--version] [--help]\n"
	"       skbtrace top [--url URL] [--config FILE] [--once] [--interval SECONDS]\n"
	"\n"
	"Counts kernel packet drops per reason, location, network namespace and kernel\n"
	"stack in BPF maps and serves them on /metrics for Prometheus.\n"
	"\n"
	"  -c, --config FILE      configuration file (default " CONFIG_DEFAULT_PATH ")\n"
	"  -l, --listen ADDR:PORT override the listen address, e.g. 127.0.0.1:9820 or [::1]:9820\n"
	"      --check-config     validate the configuration and exit 0 or 1\n"
	"  -v, --verbose          log libbpf's and the daemon's debug messages\n"
	"      --list-probes      print the name and description of every probe, and exit\n"
	"  -V, --version          print the version and exit\n"
	"  -h, --help             print this help and exit\n";

/* Name, a tab and the description: tests and scripts read the names from here. */
static void list_probes(void)
{
	size_t n;
	const struct probe_ops *const *ops = probe_ops_all(&n);

	for (size_t i = 0; i < n; i++)
		printf("%s\t%s\n", ops[i]->name, ops[i]->description);
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "list-probes", no_argument, NULL, 'P' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	o->config = CONFIG_DEFAULT_PATH;
	while ((c = getopt_long(argc, argv, "c:l:vVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'l':
			o->listen = optarg;
			break;
		case 'C':
			o->check_config = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'P':
			list_probes();
			exit(0);
		case 'V':
			printf("skbtrace %s (libbpf %u.%u)\n", SKBTRACE_VERSION,
			       libbpf_major_version(), libbpf_minor_version());
			exit(0);
		case 'h':
			fputs(usage, stdout);
			exit(0);
		default:
			fputs(usage, stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "skbtrace: unexpected argument '%s'\n%s", argv[optind], usage);
		return -1;
	}
	return 0;
}

static bool libbpf_verbose;

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/*
	 * libbpf warns about every fallback the daemon tries on purpose, and the
	 * daemon logs the outcome itself; the details (verifier logs, long and
	 * multi-line) are for --verbose only and go out unabridged.
	 */
	if (!libbpf_verbose)
		return 0;
	fputs("skbtrace: libbpf: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

static void web_limits(const struct web_config *w, struct http_limits *out)
{
	*out = (struct http_limits){
		.max_connections = w->max_connections,
		.max_connections_per_client = w->max_connections_per_client,
		.header_timeout_ms = w->header_timeout_ms,
		.idle_timeout_ms = w->idle_timeout_ms,
	};
}

static int open_listen_socket(const char *listen, char *err, size_t errlen)
{
	/* Socket activation: systemd passes the bound socket as fd 3. */
	if (sd_listen_fds(1) == 1)
		return SD_LISTEN_FDS_START;
	return listen_socket_open(listen, err, errlen);
}

/* The address actually bound, so that ":0" in tests reports the port it got. */
static void bound_address(int fd, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "?";
	int port = 0;

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *in = (struct sockaddr_in *)&ss;

			inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
			port = ntohs(in->sin_port);
		} else if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

			inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
			port = ntohs(in6->sin6_port);
		}
	}
	snprintf(buf, len, ss.ss_family == AF_INET6 ? "[%s]:%d" : "%s:%d", host, port);
}

static int setup_signals(void)
{
	sigset_t mask;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL))
		return -1;
	return signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Ticks at half the watchdog interval; without a watchdog the daemon sleeps between scrapes. */
static int setup_watchdog_timer(uint64_t *usec)
{
	struct itimerspec its = {};
	int fd;

	if (sd_watchdog_enabled(0, usec) <= 0)
		return -1;
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0)
		return -1;
	its.it_interval.tv_sec = *usec / 2 / 1000000;
	its.it_interval.tv_nsec = (*usec / 2 % 1000000) * 1000;
	its.it_value = its.it_interval;
	timerfd_settime(fd, 0, &its, NULL);
	return fd;
}

static void notify_status(struct daemon *d)
{
	char status[512];

	daemon_status(d, status, sizeof(status));
	sd_notifyf(0, "STATUS=%s", status);
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
	struct http_limits lim;

	char err[CONFIG_ERR_LEN];
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
		web_limits(&d->cfg.web, &lim);
		http_server_set_limits(http, &lim);
		reload_web(d, http);
	}
	sd_notify(0, "READY=1");
	notify_status(d);
}

/* Probes attached and socket bound: from here on only a reload needs privileges. */
static void drop_privileges(void)
{
	int64_t kept = privileges_drop();
	char names[128];

	if (kept < 0) {
		log_warn("cannot drop capabilities: %s", strerror((int)-kept));
		return;
	}
	privileges_describe((uint64_t)kept, names, sizeof(names));
	log_info("capabilities kept for reload: %s", names);
}

enum loop_fd { FD_SIGNAL, FD_TIMER, FD_HTTP };

static int run(struct daemon *d, struct http_server *http)
{
	int sfd = setup_signals(), tfd, epfd;
	struct epoll_event ev;
	uint64_t wd_usec = 0;
	bool stop = false;

	tfd = setup_watchdog_timer(&wd_usec);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (sfd < 0 || epfd < 0) {
		log_err("cannot set up the event loop: %s", strerror(errno));
		return -1;
	}
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u32 = FD_SIGNAL };
	epoll_ctl(epfd, EPOLL_CTL_ADD, sfd, &ev);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u32 = FD_HTTP };
	epoll_ctl(epfd, EPOLL_CTL_ADD, http_server_fd(http), &ev);
	if (tfd >= 0) {
		ev = (struct epoll_event){ .events = EPOLLIN, .data.u32 = FD_TIMER };
		epoll_ctl(epfd, EPOLL_CTL_ADD, tfd, &ev);
		log_info("watchdog enabled, pinging every %llu ms",
			 (unsigned long long)wd_usec / 2000);
	}

	while (!stop) {
		struct epoll_event events[4];
		int n = epoll_wait(epfd, events, 4, http_server_timeout_ms(http));

		if (n < 0 && errno != EINTR) {
			log_err("epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			if (events[i].data.u32 == FD_SIGNAL) {
				struct signalfd_siginfo si;

				while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
					if (si.ssi_signo == SIGHUP)
						reload(d, http);
					else
						stop = true;
				}
			} else if (events[i].data.u32 == FD_TIMER) {
				uint64_t ticks;

				if (read(tfd, &ticks, sizeof(ticks)) < 0)
					continue;
				if (daemon_health(d)) {
					log_warn("BPF maps unreadable; withholding the watchdog "
						 "ping");
					continue;
				}
				sd_notify(0, "WATCHDOG=1");
				notify_status(d);
			}
		}
		http_server_run(http);
	}
	close(epfd);
	close(sfd);
	if (tfd >= 0)
		close(tfd);
	return 0;
}

int main(int argc, char **argv)
{
	struct http_server *http = NULL;
	struct options opt = {};
	struct daemon d = {};
	struct served served = { .d = &d };
	struct http_limits lim;
	char err[CONFIG_ERR_LEN], addr[INET6_ADDRSTRLEN + 8];
	struct config cfg;
	int lfd = -1, ret = 1;

	/* The terminal view is a client of /metrics: no privileges, no BPF. */
	if (argc > 1 && !strcmp(argv[1], "top"))
		return top_main(argc - 1, argv + 1);
	if (parse_args(argc, argv, &opt))
		return 2;
	log_init(opt.verbose);
	/*
	 * Scrape buffers grow with the series count; from mmap they go back to
	 * the kernel when freed instead of staying in the heap at their peak.
	 */
	mallopt(M_MMAP_THRESHOLD, 64 * 1024);
	libbpf_verbose = opt.verbose;
	libbpf_set_print(libbpf_log);

	if (config_load(opt.config, probe_lookup_for_config, &cfg, err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}
	if (opt.listen) {
		struct sockaddr_storage ss;
		socklen_t sl;

		if (parse_listen_addr(opt.listen, &ss, &sl, err, sizeof(err))) {
			log_err("--listen: %s", err);
			goto cleanup_config;
		}
		snprintf(cfg.listen, sizeof(cfg.listen), "%s", opt.listen);
	}
	if (daemon_check_config(&cfg, err, sizeof(err))) {
		log_err("%s: %s", opt.config, err);
		goto cleanup_config;
	}
	if (opt.check_config) {
		printf("%s: configuration OK\n", opt.config);
		ret = 0;
		goto cleanup_config;
	}
	if (capabilities_check(err, sizeof(err))) {
		log_err("%s", err);
		goto cleanup_config;
	}
	nofile_rlimit_raise();
	/* Bind before attaching, so a port in use costs no probe load. */
	lfd = open_listen_socket(cfg.listen, err, sizeof(err));
	if (lfd < 0) {
		log_err("%s", err);
		goto cleanup_config;
	}
	if (daemon_start(&d, &cfg, err, sizeof(err))) {
		log_err("%s", err);
		goto cleanup_config;
	}
	web_limits(&d.cfg.web, &lim);
	http = http_server_start(lfd, skbtrace_routes, skbtrace_n_routes, &served, &lim, &d.cfg.web,
				 err, sizeof(err));
	served.http = http;
	if (!http) {
		log_err("%s", err);
		goto cleanup;
	}
	bound_address(lfd, addr, sizeof(addr));
	lfd = -1; /* the server owns and closes it now */
	log_info("serving metrics on %s://%s/metrics", http_server_tls(http) ? "https" : "http",
		 addr);
	if (d.cfg.web.n_users && !http_server_tls(http))
		log_warn("web.basic_auth_users without web.tls_server_config: passwords cross the "
			 "network in clear text");
	drop_privileges();
	sd_notify(0, "READY=1");
	notify_status(&d);

	ret = run(&d, http) ? 1 : 0;

	sd_notify(0, "STOPPING=1");
	log_info("stopping: detaching probes");
cleanup:
	http_server_stop(http);
	daemon_stop(&d);
	if (lfd >= 0)
		close(lfd);
	return ret;
cleanup_config:
	config_free(&cfg);
	if (lfd >= 0)
		close(lfd);
	return ret;
}
