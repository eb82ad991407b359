// SPDX-License-Identifier: GPL-2.0
/*
 * Basic auth against real bcrypt hashes (libxcrypt): the right password
 * only, and bcrypt run once per (user, password) that matched, never
 * skipped for one that did not.
 */
#include <stdio.h>
#include <string.h>
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
	uint64_t runs;

	CHECK(a != NULL);
	if (!a)
		return;
	CHECK(http_auth_check(a, "alice", "pw"));
	CHECK(http_auth_bcrypt_runs(a) == 1);
	/* Remembered: the next scrapes cost no bcrypt. */
	for (int i = 0; i < 10; i++)
		CHECK(http_auth_check(a, "alice", "pw"));
	CHECK(http_auth_bcrypt_runs(a) == 1);
	/* Per user: bob's first success runs bcrypt, even with the same hash and password. */
	CHECK(http_auth_check(a, "bob", "pw"));
	CHECK(http_auth_bcrypt_runs(a) == 2);
	/* Failures are never remembered, and an unknown user costs a bcrypt as well. */
	CHECK(!http_auth_check(a, "alice", "wrong"));
	CHECK(!http_auth_check(a, "alice", "wrong"));
	CHECK(!http_auth_check(a, "mallory", "pw"));
	CHECK(http_auth_bcrypt_runs(a) == 5);
	/* A remembered success does not make a prefix or an extension of it pass. */
	CHECK(!http_auth_check(a, "alice", "p"));
	CHECK(!http_auth_check(a, "alice", "pwx"));
	CHECK(http_auth_bcrypt_runs(a) == 7);

	/* Bounded: more successes than slots push out the least recently used. */
	struct web_user many[HTTP_AUTH_CACHE_SLOTS + 1];
	char names[HTTP_AUTH_CACHE_SLOTS + 1][16];

	http_auth_free(a);
	for (int i = 0; i <= HTTP_AUTH_CACHE_SLOTS; i++) {
		snprintf(names[i], sizeof(names[i]), "user%d", i);
		many[i] = (struct web_user){ names[i], HASH_PW };
	}
	a = http_auth_new(many, HTTP_AUTH_CACHE_SLOTS + 1);
	CHECK(a != NULL);
	if (!a)
		return;
	for (int i = 0; i <= HTTP_AUTH_CACHE_SLOTS; i++)
		CHECK(http_auth_check(a, names[i], "pw"));
	runs = http_auth_bcrypt_runs(a);
	CHECK(runs == HTTP_AUTH_CACHE_SLOTS + 1);
	/* user0 was the least recently used when user64 came: forgotten, bcrypt again. */
	CHECK(http_auth_check(a, names[0], "pw"));
	CHECK(http_auth_bcrypt_runs(a) == runs + 1);
	/* user64 is still remembered. */
	CHECK(http_auth_check(a, names[HTTP_AUTH_CACHE_SLOTS], "pw"));
	CHECK(http_auth_bcrypt_runs(a) == runs + 1);
	CHECK(http_auth_check(a, names[1] /* pushed out by user0 */, "pw"));
	CHECK(http_auth_bcrypt_runs(a) == runs + 2);
	http_auth_free(a);
}

int main(void)
{
	test_match();
	test_cache();
	return check_summary("test_http_auth");
}
