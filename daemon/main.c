// SPDX-License-Identifier: GPL-2.0
/*
 * skbtrace: always-on kernel packet drop diagnosis for Prometheus.  Parses
 * the command line, loads and checks the config, binds, starts the probes
 * and hands over to the event loop (event_loop.c).
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/libbpf.h>
#include <systemd/sd-daemon.h>
#include "config.h"
#include "listen_addr.h"
#include "daemon.h"
#include "event_loop.h"
#include "http.h"
#include "http_routes.h"
#include "log.h"
#include "privileges.h"
#include "probe.h"
#include "symbolize_cmd.h"
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
	"                    [--cacert FILE] [--cert FILE --key FILE]\n"
	"                    [--user NAME [--password-file FILE]]\n"
	"       skbtrace symbolize [--release RELEASE] [--debug-root DIR]\n"
	"                          [--build-id [MODULE=]HEX]... LOCATION...\n"
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
	/* Offline: reads debug files only. */
	if (argc > 1 && !strcmp(argv[1], "symbolize"))
		return symbolize_main(argc - 1, argv + 1);
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

		if (listen_addr_parse(opt.listen, &ss, &sl, err, sizeof(err))) {
			log_err("--listen: %s", err);
			goto cleanup;
		}
		snprintf(cfg.listen, sizeof(cfg.listen), "%s", opt.listen);
	}
	if (daemon_check_config(&cfg, err, sizeof(err))) {
		log_err("%s: %s", opt.config, err);
		goto cleanup;
	}
	if (opt.check_config) {
		printf("%s: configuration OK\n", opt.config);
		ret = 0;
		goto cleanup;
	}
	if (capabilities_check(err, sizeof(err))) {
		log_err("%s", err);
		goto cleanup;
	}
	nofile_rlimit_raise();
	/* Bind before attaching, so a port in use costs no probe load. */
	lfd = open_listen_socket(cfg.listen, err, sizeof(err));
	if (lfd < 0) {
		log_err("%s", err);
		goto cleanup;
	}
	if (daemon_start(&d, &cfg, err, sizeof(err))) {
		log_err("%s", err);
		goto cleanup;
	}
	http_limits_from_web(&d.cfg.web, &lim);
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
	event_loop_notify_ready(&d);

	ret = event_loop_run(&d, http) ? 1 : 0;

	sd_notify(0, "STOPPING=1");
	log_info("stopping: detaching probes");
cleanup:
	/* Each step undoes only what was done: the daemon owns cfg once started. */
	http_server_stop(http);
	daemon_stop(&d);
	config_free(&cfg);
	if (lfd >= 0)
		close(lfd);
	return ret;
}
