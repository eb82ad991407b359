// SPDX-License-Identifier: GPL-2.0
#include <crypt.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include "http_auth.h"

#define MAC_LEN 32 /* HMAC-SHA256 */

struct cache_slot {
	uint8_t mac[MAC_LEN];
	uint64_t last_used;  /* 0: empty */
	uint64_t expires_ms; /* wrong passwords only */
};

struct budget {
	sa_family_t family;
	uint8_t addr[16];
	uint64_t tokens_ms; /* attempts left, in ms of refill: HTTP_AUTH_BUDGET_REFILL_MS each */
	uint64_t at_ms;	    /* when tokens_ms was last brought up to date */
};

struct http_auth {
	const struct web_user *users;
	int n_users;
	uint8_t key[MAC_LEN];
	struct cache_slot good[HTTP_AUTH_CACHE_SLOTS];
	struct cache_slot wrong[HTTP_AUTH_CACHE_SLOTS];
	struct budget budgets[HTTP_AUTH_BUDGET_CLIENTS];
	int n_budgets;
	uint64_t clock;
};

static atomic_uint_fast64_t bcrypt_runs;

struct http_auth *http_auth_new(const struct web_user *users, int n_users)
{
	struct http_auth *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	if (getrandom(a->key, sizeof(a->key), 0) != sizeof(a->key)) {
		free(a);
		return NULL;
	}
	a->users = users;
	a->n_users = n_users;
	return a;
}

void http_auth_free(struct http_auth *a)
{
	if (!a)
		return;
	explicit_bzero(a, sizeof(*a));
	free(a);
}

/* The stored hash is part of the message: a changed hash never matches an old entry. */
static int cache_mac(const struct http_auth *a, const char *name, const char *hash,
		     const char *password, uint8_t *mac)
{
	gnutls_hmac_hd_t h;

	if (gnutls_hmac_init(&h, GNUTLS_MAC_SHA256, a->key, sizeof(a->key)) < 0)
		return -1;
	if (gnutls_hmac(h, name, strlen(name) + 1) < 0 ||
	    gnutls_hmac(h, hash, strlen(hash) + 1) < 0 ||
	    gnutls_hmac(h, password, strlen(password)) < 0) {
		gnutls_hmac_deinit(h, mac);
		return -1;
	}
	gnutls_hmac_deinit(h, mac);
	return 0;
}

/* Every slot is compared, in constant time, so a hit's position does not show. */
static struct cache_slot *cache_find(struct cache_slot *cache, const uint8_t *mac, uint64_t now_ms)
{
	struct cache_slot *hit = NULL;

	for (int i = 0; i < HTTP_AUTH_CACHE_SLOTS; i++) {
		struct cache_slot *s = &cache[i];

		if (s->last_used && (!s->expires_ms || now_ms < s->expires_ms) &&
		    !gnutls_memcmp(s->mac, mac, MAC_LEN))
			hit = s;
	}
	return hit;
}

static void cache_add(struct http_auth *a, struct cache_slot *cache, const uint8_t *mac,
		      uint64_t expires_ms)
{
	struct cache_slot *victim = &cache[0];

	for (int i = 1; i < HTTP_AUTH_CACHE_SLOTS && victim->last_used; i++)
		if (cache[i].last_used < victim->last_used)
			victim = &cache[i];
	memcpy(victim->mac, mac, MAC_LEN);
	victim->last_used = ++a->clock;
	victim->expires_ms = expires_ms;
}

static const struct web_user *find_user(const struct http_auth *a, const char *name)
{
	for (int i = 0; i < a->n_users; i++)
		if (!strcmp(a->users[i].name, name))
			return &a->users[i];
	return NULL;
}

static void client_addr(const struct sockaddr *sa, sa_family_t *family, uint8_t *addr)
{
	memset(addr, 0, 16);
	*family = sa->sa_family;
	if (sa->sa_family == AF_INET)
		memcpy(addr, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	else if (sa->sa_family == AF_INET6)
		memcpy(addr, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
}

#define BUDGET_FULL_MS ((uint64_t)HTTP_AUTH_BUDGET_BURST * HTTP_AUTH_BUDGET_REFILL_MS)

/* The client's budget, refilled up to now; a new client replaces the fullest, which is the least suspect. */
static struct budget *find_budget(struct http_auth *a, const struct sockaddr *sa, uint64_t now_ms)
{
	struct budget *b = NULL, *fullest = NULL;
	uint8_t addr[16];
	sa_family_t family;

	client_addr(sa, &family, addr);
	for (int i = 0; i < a->n_budgets; i++) {
		struct budget *x = &a->budgets[i];
		uint64_t t = x->tokens_ms + (now_ms - x->at_ms);

		x->tokens_ms = t < BUDGET_FULL_MS ? t : BUDGET_FULL_MS;
		x->at_ms = now_ms;
		if (x->family == family && !memcmp(x->addr, addr, 16))
			b = x;
		if (!fullest || x->tokens_ms > fullest->tokens_ms)
			fullest = x;
	}
	if (b)
		return b;
	b = a->n_budgets < HTTP_AUTH_BUDGET_CLIENTS ? &a->budgets[a->n_budgets++] : fullest;
	b->family = family;
	memcpy(b->addr, addr, 16);
	b->tokens_ms = BUDGET_FULL_MS;
	b->at_ms = now_ms;
	return b;
}

enum http_auth_verdict http_auth_begin(struct http_auth *a, const struct sockaddr *client,
				       const char *user, const char *password, uint64_t now_ms,
				       struct http_auth_job **job)
{
	const struct web_user *u;
	struct http_auth_job *j;
	struct budget *b = NULL;
	size_t hash_len;

	*job = NULL;
	if (!user || !password || !a->n_users)
		return HTTP_AUTH_NO;
	j = calloc(1, sizeof(*j));
	if (!j || !(j->password = strdup(password))) {
		free(j);
		return HTTP_AUTH_NO;
	}
	u = find_user(a, user);
	j->known_user = u != NULL;
	/* Unknown names take as long as known ones, so that timing does not tell which exist. */
	hash_len = strlen((u ?: &a->users[0])->hash);
	if (hash_len >= sizeof(j->hash)) {
		http_auth_job_free(j);
		return HTTP_AUTH_NO;
	}
	memcpy(j->hash, (u ?: &a->users[0])->hash, hash_len + 1);
	j->have_mac = !cache_mac(a, user, u ? u->hash : "", password, j->mac);
	if (j->have_mac && u && cache_find(a->good, j->mac, now_ms)) {
		cache_find(a->good, j->mac, now_ms)->last_used = ++a->clock;
		http_auth_job_free(j);
		return HTTP_AUTH_OK;
	}
	if (j->have_mac && cache_find(a->wrong, j->mac, now_ms)) {
		http_auth_job_free(j);
		return HTTP_AUTH_KNOWN_WRONG;
	}
	if (client) {
		b = find_budget(a, client, now_ms);
		if (b->tokens_ms < HTTP_AUTH_BUDGET_REFILL_MS) {
			http_auth_job_free(j);
			return HTTP_AUTH_OVER_BUDGET;
		}
		b->tokens_ms -= HTTP_AUTH_BUDGET_REFILL_MS;
		memcpy(&j->client, client,
		       client->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						     : sizeof(struct sockaddr_in));
	}
	*job = j;
	return HTTP_AUTH_NEEDS_BCRYPT;
}

void http_auth_job_run(struct http_auth_job *j)
{
	struct crypt_data *scratch = calloc(1, sizeof(*scratch)); /* about 32 KiB */
	size_t len = strlen(j->hash);
	const char *out;

	j->ran = true;
	atomic_fetch_add(&bcrypt_runs, 1);
	out = scratch ? crypt_rn(j->password, j->hash, scratch, sizeof(*scratch)) : NULL;
	j->ok = j->known_user && out && strlen(out) == len && !gnutls_memcmp(out, j->hash, len);
	if (scratch) {
		explicit_bzero(scratch, sizeof(*scratch));
		free(scratch);
	}
}

bool http_auth_end(struct http_auth *a, struct http_auth_job *j, uint64_t now_ms)
{
	bool ok = j->ran && j->ok;

	if (j->ran && j->have_mac)
		cache_add(a, ok ? a->good : a->wrong, j->mac,
			  ok ? 0 : now_ms + HTTP_AUTH_NEGATIVE_TTL_MS);
	if ((ok || !j->ran) && j->client.ss_family != AF_UNSPEC) {
		struct budget *b = find_budget(a, (const struct sockaddr *)&j->client, now_ms);

		b->tokens_ms += HTTP_AUTH_BUDGET_REFILL_MS;
		if (b->tokens_ms > BUDGET_FULL_MS)
			b->tokens_ms = BUDGET_FULL_MS;
	}
	http_auth_job_free(j);
	return ok;
}

void http_auth_job_free(struct http_auth_job *j)
{
	if (!j)
		return;
	if (j->password) {
		explicit_bzero(j->password, strlen(j->password));
		free(j->password);
	}
	explicit_bzero(j, sizeof(*j));
	free(j);
}

bool http_auth_check(struct http_auth *a, const char *user, const char *password)
{
	struct http_auth_job *j;

	/* The negative cache would spare bcrypt runs the unit tests count: it has its own test. */
	switch (http_auth_begin(a, NULL, user, password, 1, &j)) {
	case HTTP_AUTH_OK:
		return true;
	case HTTP_AUTH_NEEDS_BCRYPT:
		http_auth_job_run(j);
		return http_auth_end(a, j, 1);
	default:
		return false;
	}
}

uint64_t http_auth_bcrypt_runs(void)
{
	return atomic_load(&bcrypt_runs);
}
