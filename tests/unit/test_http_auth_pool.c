// SPDX-License-Identifier: GPL-2.0
/*
 * The bcrypt workers (http_auth_pool.c) with real cost-10 hashes: the
 * queue is bounded, every job comes back through the fd with its answer,
 * and cancelling a tag leaves no job of it with a worker.
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "check.h"
#include "http_auth.h"
#include "http_auth_pool.h"

/* bcrypt (cost 10) of "s3cret", as in test_web_tls.sh. */
static struct web_user users[] = {
	{ "alice", "$2y$10$CV3lTaFSYpgwjHdcD.FB6Oqd20kwuV8r75arEnguCEdxbB93CCM3K" },
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct http_auth_job *job(struct http_auth *a, const char *pw)
{
	struct http_auth_job *j = NULL;

	CHECK(http_auth_begin(a, NULL, "alice", pw, 1, &j) == HTTP_AUTH_NEEDS_BCRYPT);
	return j;
}

/* Waits for n finished jobs; returns how many matched, -1 on a timeout. */
static int collect(struct http_auth_pool *p, int n, int *not_run)
{
	struct pollfd pfd = { .fd = http_auth_pool_fd(p), .events = POLLIN };
	struct http_auth_job *j;
	int ok = 0, got = 0;

	while (got < n) {
		while ((j = http_auth_pool_done(p))) {
			got++;
			ok += j->ran && j->ok;
			*not_run += !j->ran;
			http_auth_job_free(j);
		}
		if (got < n && poll(&pfd, 1, 10000) <= 0)
			return -1;
	}
	return ok;
}

int main(void)
{
	struct http_auth *a = http_auth_new(users, 1);
	struct http_auth_pool *p = http_auth_pool_new();
	int tag_a, tag_b, accepted = 0, not_run = 0, ok;
	struct http_auth_job *j;
	char pw[32];
	double t0;

	CHECK(a && p);
	if (!a || !p)
		return check_summary("test_http_auth_pool");
	/* The right password and wrong ones, until the queue refuses one. */
	CHECK(http_auth_pool_submit(p, job(a, "s3cret"), &tag_a));
	accepted = 1;
	for (int i = 0; i < 2 * HTTP_AUTH_QUEUE; i++) {
		snprintf(pw, sizeof(pw), "wrong%d", i);
		j = job(a, pw);
		if (!http_auth_pool_submit(p, j, &tag_a)) {
			http_auth_job_free(j);
			break;
		}
		accepted++;
	}
	/* The queue, plus what the workers took meanwhile (at most a few at cost 10). */
	CHECK(accepted >= HTTP_AUTH_QUEUE && accepted <= HTTP_AUTH_QUEUE + HTTP_AUTH_WORKERS + 1);
	t0 = now_s();
	ok = collect(p, accepted, &not_run);
	CHECK(ok == 1 && not_run == 0);
	printf("# %d jobs at cost 10 in %.2f s on %d workers\n", accepted, now_s() - t0,
	       HTTP_AUTH_WORKERS);

	/* Cancelling one tag: its queued jobs come back not run, the other tag's run. */
	for (int i = 0; i < 8; i++) {
		snprintf(pw, sizeof(pw), "again%d", i);
		CHECK(http_auth_pool_submit(p, job(a, pw), i % 2 ? &tag_b : &tag_a));
	}
	http_auth_pool_cancel(p, &tag_a);
	not_run = 0;
	CHECK(collect(p, 8, &not_run) == 0);
	CHECK(not_run >= 2 && not_run <= 4);
	http_auth_pool_free(p);
	http_auth_free(a);
	return check_summary("test_http_auth_pool");
}
