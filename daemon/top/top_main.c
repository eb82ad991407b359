// SPDX-License-Identifier: GPL-2.0
/*
 * `skbtrace top`: scrapes the daemon every interval and shows rates from
 * the last two scrapes.  It needs no privileges and loads no BPF: all it
 * knows comes from /metrics.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "config.h"
#include "top.h"
#include "top_client.h"
#include "top_layout.h"
#include "top_parse.h"
#include "top_source.h"
#include "top_term.h"
#include "top_view.h"

#define HTTP_TIMEOUT_MS 5000

static const char usage[] =
	"Usage: skbtrace top [--url URL] [--config FILE] [--once] [--interval SECONDS]\n"
	"                    [--cacert FILE] [--cert FILE --key FILE]\n"
	"                    [--user NAME [--password-file FILE]]\n"
	"\n"
	"Shows drops, stacks, resets, conntrack fill and probe status of a running\n"
	"skbtrace, from its /metrics, refreshed every interval; q quits.\n"
	"\n"
	"  -u, --url URL          the daemon, http:// or https://; a URL without a path\n"
	"                         reads /metrics (default: the config's listen address,\n"
	"                         else " TOP_DEFAULT_URL ")\n"
	"  -c, --config FILE      configuration to take the listen address from\n"
	"                         (default " CONFIG_DEFAULT_PATH ")\n"
	"  -1, --once             print one plain-text snapshot, rates over one interval, and "
	"exit\n"
	"  -i, --interval SECONDS time between scrapes, 0.1 to 3600 (default 1)\n"
	"      --cacert FILE      https: trust the CA certificates in FILE (PEM) instead of\n"
	"                         the system's\n"
	"      --cert FILE        https: client certificate (PEM), for a daemon that asks\n"
	"                         for one; with --key\n"
	"      --key FILE         https: the client certificate's private key (PEM)\n"
	"      --user NAME        basic auth user; its password from --password-file\n"
	"                         FILE, else $" TOP_PASSWORD_ENV ", never an option\n"
	"      --password-file FILE\n"
	"                         read the password from FILE's first line\n"
	"  -h, --help             print this help and exit\n";

struct top_options {
	const char *url;
	const char *config;
	bool once;
	double interval;
	struct top_client_options client;
	const char *password_file;
};

static int parse_args(int argc, char **argv, struct top_options *o)
{
	static const struct option longopts[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "config", required_argument, NULL, 'c' },
		{ "once", no_argument, NULL, '1' },
		{ "interval", required_argument, NULL, 'i' },
		{ "cacert", required_argument, NULL, 'A' },
		{ "cert", required_argument, NULL, 'C' },
		{ "key", required_argument, NULL, 'K' },
		{ "user", required_argument, NULL, 'U' },
		{ "password-file", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	char *end;
	int c;

	*o = (struct top_options){ .config = CONFIG_DEFAULT_PATH, .interval = 1 };
	optind = 1;
	while ((c = getopt_long(argc, argv, "u:c:1i:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'u':
			o->url = optarg;
			break;
		case 'c':
			o->config = optarg;
			break;
		case '1':
			o->once = true;
			break;
		case 'i':
			o->interval = strtod(optarg, &end);
			if (end == optarg || *end || !(o->interval >= 0.1 && o->interval <= 3600)) {
				fprintf(stderr,
					"skbtrace top: --interval: expected seconds from 0.1 to "
					"3600, got '%s'\n",
					optarg);
				return -EINVAL;
			}
			break;
		case 'A':
			o->client.cacert = optarg;
			break;
		case 'C':
			o->client.cert = optarg;
			break;
		case 'K':
			o->client.key = optarg;
			break;
		case 'U':
			o->client.user = optarg;
			break;
		case 'P':
			o->password_file = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(0);
		default:
			fputs(usage, stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "skbtrace top: unexpected argument '%s'\n%s", argv[optind], usage);
		return -EINVAL;
	}
	if (o->password_file && !o->client.user) {
		fprintf(stderr, "skbtrace top: --password-file is the password of --user NAME\n");
		return -EINVAL;
	}
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void wall_clock(char *buf, size_t size)
{
	time_t t = time(NULL);
	struct tm tm;

	strftime(buf, size, "%Y-%m-%d %H:%M:%S", localtime_r(&t, &tm));
}

static void sleep_s(double s)
{
	struct timespec ts = { .tv_sec = (time_t)s, .tv_nsec = (long)((s - (time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Two scrapes an interval apart, so that even a snapshot shows rates. */
static int run_once(const struct top_options *o, struct top_client *c)
{
	const char *url = top_client_url(c);
	struct top_scrape first, second;
	struct top_screen s = {};
	struct top_layout_info info = { .url = url };
	struct top_view v;
	char err[512], when[64];
	double t0, t1;
	int ret;

	t0 = now_s();
	ret = top_fetch(c, HTTP_TIMEOUT_MS, &first, err, sizeof(err));
	if (!ret) {
		sleep_s(o->interval);
		t1 = now_s();
		ret = top_fetch(c, HTTP_TIMEOUT_MS, &second, err, sizeof(err));
		if (ret)
			top_scrape_free(&first);
	}
	if (ret) {
		fprintf(stderr, "skbtrace top: %s\n", err);
		return 1;
	}
	wall_clock(when, sizeof(when));
	info.when = when;
	ret = top_view_build(&v, &second, &first, t1 - t0);
	if (!ret)
		ret = top_layout(&v, &info, &s);
	for (size_t i = 0; !ret && i < s.n; i++)
		puts(s.lines[i]);
	top_screen_free(&s);
	top_view_free(&v);
	top_scrape_free(&first);
	top_scrape_free(&second);
	if (ret)
		fprintf(stderr, "skbtrace top: %s\n", strerror(-ret));
	return ret ? 1 : 0;
}

static int run_interactive(const struct top_options *o, struct top_client *c)
{
	const char *url = top_client_url(c);
	struct top_scrape prev = {}, cur = {}, fresh;
	bool have_prev = false, have_cur = false, quit = false;
	double t_prev = 0, t_cur = 0;
	char err[512], when[64] = "";
	int ret = top_term_enter();

	if (ret) {
		fprintf(stderr, "skbtrace top: cannot set up the terminal: %s\n", strerror(-ret));
		return 1;
	}
	while (!quit) {
		struct top_layout_info info = { .url = url, .when = when, .interactive = true };
		struct top_screen s = {};
		struct top_view v;
		bool have_view = false;
		double t = now_s();

		if (!top_fetch(c, HTTP_TIMEOUT_MS, &fresh, err, sizeof(err))) {
			if (have_prev)
				top_scrape_free(&prev);
			prev = cur;
			t_prev = t_cur;
			have_prev = have_cur;
			cur = fresh;
			t_cur = t;
			have_cur = true;
			wall_clock(when, sizeof(when));
		} else {
			info.error = err;
		}
		if (have_cur)
			have_view =
				!top_view_build(&v, &cur, have_prev ? &prev : NULL, t_cur - t_prev);
		top_term_size(&s.width, &s.height);
		if (!top_layout(have_view ? &v : NULL, &info, &s))
			top_term_draw(&s);
		top_screen_free(&s);
		if (have_view)
			top_view_free(&v);
		quit = top_term_wait((int)(o->interval * 1000));
	}
	top_term_leave();
	if (have_prev)
		top_scrape_free(&prev);
	if (have_cur)
		top_scrape_free(&cur);
	return 0;
}

int top_main(int argc, char **argv)
{
	struct top_options o;
	struct top_client *c;
	char url[1024], note[1024], err[1024], password[TOP_PASSWORD_MAX];
	int ret;

	if (parse_args(argc, argv, &o))
		return 2;
	if (o.url) {
		snprintf(url, sizeof(url), "%s", o.url);
	} else {
		top_default_url(o.config, url, sizeof(url), note, sizeof(note));
		if (note[0])
			fprintf(stderr, "skbtrace top: %s\n", note);
	}
	o.client.url = url;
	if (o.client.user &&
	    top_password_load(o.password_file, password, sizeof(password), err, sizeof(err))) {
		fprintf(stderr, "skbtrace top: %s\n", err);
		return 2;
	}
	o.client.password = o.client.user ? password : NULL;
	c = top_client_new(&o.client, err, sizeof(err));
	/* libcurl keeps its own copy. */
	explicit_bzero(password, sizeof(password));
	if (!c) {
		fprintf(stderr, "skbtrace top: %s\n", err);
		return 2;
	}
	if (o.once || !isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO))
		ret = run_once(&o, c);
	else
		ret = run_interactive(&o, c);
	top_client_free(c);
	return ret;
}
