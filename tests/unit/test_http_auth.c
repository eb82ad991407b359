// SPDX-License-Identifier: GPL-2.0
/*
 * Basic auth against real bcrypt hashes (libxcrypt): the right password
 * only, and bcrypt run once per (user, password) that matched, never
 * skipped for one that did not.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include "check.h"
#include "http_auth.h"

/*
 * bcrypt cost 4 (the minimum, to keep the test fast) of "pw", made with
 * libxcrypt; $2y$ and $2a$ are the same hash for an ASCII password.
 */
#define HASH_BODY "04$5mrJlve6rJiNJhZOF9L5JeudYHJV8bM/vEdtscLTFFjCtM7PXdbNW"
#define HASH_PW "$2b$" HASH_BODY

static void test_match(void)
{
	struct web_user users[] = {
		{ "alice", HASH_PW },
		{ "yves", "$2y$" HASH_BODY },
		{ "ada", "$2a$" HASH_BODY },
		{ "eve", "$2b$"
			 "04$5mrJlve6rJiNJhZOF9L5JeudYHJV8bM/vEdtscLTFFjCtM7PXdbNX" },
	};
	struct http_auth *a = http_auth_new(users, 4);

	CHECK(a != NULL);
	if (!a)
		return;
	CHECK(http_auth_check(a, "alice", "pw"));
	CHECK(http_auth_check(a, "yves", "pw"));
	CHECK(http_auth_check(a, "ada", "pw"));
	/* One character of the stored hash changed: nothing matches it. */
	CHECK(!http_auth_check(a, "eve", "pw"));
	CHECK(!http_auth_check(a, "alice", "pw "));
	CHECK(!http_auth_check(a, "alice", "Pw"));
	CHECK(!http_auth_check(a, "alice", ""));
	CHECK(!http_auth_check(a, "Alice", "pw"));
	CHECK(!http_auth_check(a, "nobody", "pw"));
	CHECK(!http_auth_check(a, NULL, NULL));
	CHECK(!http_auth_check(a, "alice", NULL));
	http_auth_free(a);
}

static void test_cache(void)
{
	struct web_user users[] = { { "alice", HASH_PW }, { "bob", HASH_PW } };
	struct http_auth *a = http_auth_new(users, 2);
	uint64_t runs, base = http_auth_bcrypt_runs();

	CHECK(a != NULL);
	if (!a)
		return;
	CHECK(http_auth_check(a, "alice", "pw"));
	CHECK(http_auth_bcrypt_runs() - base == 1);
	/* Remembered: the next scrapes cost no bcrypt. */
	for (int i = 0; i < 10; i++)
		CHECK(http_auth_check(a, "alice", "pw"));
	CHECK(http_auth_bcrypt_runs() - base == 1);
	/* Per user: bob's first success runs bcrypt, even with the same hash and password. */
	CHECK(http_auth_check(a, "bob", "pw"));
	CHECK(http_auth_bcrypt_runs() - base == 2);
	/* A failure is remembered as one (the negative cache), and an unknown user costs a bcrypt as well. */
	CHECK(!http_auth_check(a, "alice", "wrong"));
	CHECK(!http_auth_check(a, "alice", "wrong"));
	CHECK(!http_auth_check(a, "mallory", "pw"));
	CHECK(http_auth_bcrypt_runs() - base == 4);
	/* A remembered success does not make a prefix or an extension of it pass. */
	CHECK(!http_auth_check(a, "alice", "p"));
	CHECK(!http_auth_check(a, "alice", "pwx"));
	CHECK(http_auth_bcrypt_runs() - base == 6);

	/* Bounded: more successes than slots push out the least recently used. */
	struct web_user many[HTTP_AUTH_CACHE_SLOTS + 1];
	char names[HTTP_AUTH_CACHE_SLOTS + 1][16];

	http_auth_free(a);
	for (int i = 0; i <= HTTP_AUTH_CACHE_SLOTS; i++) {
		snprintf(names[i], sizeof(names[i]), "user%d", i);
		many[i] = (struct web_user){ names[i], HASH_PW };
	}
	a = http_auth_new(many, HTTP_AUTH_CACHE_SLOTS + 1);
	base = http_auth_bcrypt_runs();
	CHECK(a != NULL);
	if (!a)
		return;
	for (int i = 0; i <= HTTP_AUTH_CACHE_SLOTS; i++)
		CHECK(http_auth_check(a, names[i], "pw"));
	runs = http_auth_bcrypt_runs() - base;
	CHECK(runs == HTTP_AUTH_CACHE_SLOTS + 1);
	/* user0 was the least recently used when user64 came: forgotten, bcrypt again. */
	CHECK(http_auth_check(a, names[0], "pw"));
	CHECK(http_auth_bcrypt_runs() - base == runs + 1);
	/* user64 is still remembered. */
	CHECK(http_auth_check(a, names[HTTP_AUTH_CACHE_SLOTS], "pw"));
	CHECK(http_auth_bcrypt_runs() - base == runs + 1);
	CHECK(http_auth_check(a, names[1] /* pushed out by user0 */, "pw"));
	CHECK(http_auth_bcrypt_runs() - base == runs + 2);
	http_auth_free(a);
}

/* What http_auth_begin() answers without a bcrypt, with its time passing. */
static void test_negative_cache_and_budget(void)
{
	struct web_user users[] = { { "alice", HASH_PW } };
	struct sockaddr_in c1 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	struct sockaddr_in c2 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000002) };
	struct http_auth *a = http_auth_new(users, 1);
	struct http_auth_job *j;
	char pw[32];
	int i;

	CHECK(a != NULL);
	if (!a)
		return;
	CHECK(http_auth_begin(a, NULL, "alice", NULL, 1000, &j) == HTTP_AUTH_NO && !j);
	/* A wrong password, run once, is then known wrong until its time is out. */
	CHECK(http_auth_begin(a, (void *)&c1, "alice", "bad", 1000, &j) == HTTP_AUTH_NEEDS_BCRYPT);
	http_auth_job_run(j);
	CHECK(!http_auth_end(a, j, 1000));
	CHECK(http_auth_begin(a, (void *)&c1, "alice", "bad", 1000 + HTTP_AUTH_NEGATIVE_TTL_MS - 1,
			      &j) == HTTP_AUTH_KNOWN_WRONG);
	CHECK(http_auth_begin(a, (void *)&c1, "alice", "bad", 1000 + HTTP_AUTH_NEGATIVE_TTL_MS,
			      &j) == HTTP_AUTH_NEEDS_BCRYPT);
	CHECK(!http_auth_end(a, j, 100000)); /* not run: no answer, the attempt given back */
	/* The budget: the burst of failed attempts, then none until it refills. */
	for (i = 0; i < HTTP_AUTH_BUDGET_BURST; i++) {
		snprintf(pw, sizeof(pw), "bad%d", i);
		CHECK(http_auth_begin(a, (void *)&c1, "alice", pw, 100000, &j) ==
		      HTTP_AUTH_NEEDS_BCRYPT);
		http_auth_job_run(j);
		CHECK(!http_auth_end(a, j, 100000));
	}
	CHECK(http_auth_begin(a, (void *)&c1, "alice", "again", 100000, &j) ==
	      HTTP_AUTH_OVER_BUDGET);
	/* Another address has its own. */
	CHECK(http_auth_begin(a, (void *)&c2, "alice", "pw", 100000, &j) == HTTP_AUTH_NEEDS_BCRYPT);
	http_auth_job_run(j);
	CHECK(http_auth_end(a, j, 100000));
	/* A password verified once passes even from a client over its budget. */
	CHECK(http_auth_begin(a, (void *)&c1, "alice", "pw", 100000, &j) == HTTP_AUTH_OK);
	CHECK(http_auth_begin(a, (void *)&c1, "alice", "again", 100000 + HTTP_AUTH_BUDGET_REFILL_MS,
			      &j) == HTTP_AUTH_NEEDS_BCRYPT);
	http_auth_job_free(j);
	http_auth_free(a);
}

int main(void)
{
	test_match();
	test_cache();
	test_negative_cache_and_budget();
	return check_summary("test_http_auth");
}
