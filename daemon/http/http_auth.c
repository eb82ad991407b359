// SPDX-License-Identifier: GPL-2.0
#include <crypt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include "http_auth.h"

#define MAC_LEN 32 /* HMAC-SHA256 */

struct cache_slot {
	uint8_t mac[MAC_LEN];
	uint64_t last_used; /* 0: empty */
};

struct http_auth {
	const struct web_user *users;
	int n_users;
	uint8_t key[MAC_LEN];
	struct cache_slot cache[HTTP_AUTH_CACHE_SLOTS];
	uint64_t clock, bcrypt_runs;
	struct crypt_data scratch; /* about 32 KiB: kept, not on the stack */
};

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
static int cache_mac(const struct http_auth *a, const struct web_user *u, const char *password,
		     uint8_t *mac)
{
	gnutls_hmac_hd_t h;

	if (gnutls_hmac_init(&h, GNUTLS_MAC_SHA256, a->key, sizeof(a->key)) < 0)
		return -1;
	if (gnutls_hmac(h, u->name, strlen(u->name) + 1) < 0 ||
	    gnutls_hmac(h, u->hash, strlen(u->hash) + 1) < 0 ||
	    gnutls_hmac(h, password, strlen(password)) < 0) {
		gnutls_hmac_deinit(h, mac);
		return -1;
	}
	gnutls_hmac_deinit(h, mac);
	return 0;
}

/* Every slot is compared, in constant time, so a hit's position does not show. */
static struct cache_slot *cache_find(struct http_auth *a, const uint8_t *mac)
{
	struct cache_slot *hit = NULL;

	for (int i = 0; i < HTTP_AUTH_CACHE_SLOTS; i++) {
		struct cache_slot *s = &a->cache[i];

		if (s->last_used && !gnutls_memcmp(s->mac, mac, MAC_LEN))
			hit = s;
	}
	return hit;
}

static void cache_add(struct http_auth *a, const uint8_t *mac)
{
	struct cache_slot *victim = &a->cache[0];

	for (int i = 1; i < HTTP_AUTH_CACHE_SLOTS && victim->last_used; i++)
		if (a->cache[i].last_used < victim->last_used)
			victim = &a->cache[i];
	memcpy(victim->mac, mac, MAC_LEN);
	victim->last_used = ++a->clock;
}

static const struct web_user *find_user(const struct http_auth *a, const char *name)
{
	for (int i = 0; i < a->n_users; i++)
		if (!strcmp(a->users[i].name, name))
			return &a->users[i];
	return NULL;
}

static bool bcrypt_matches(struct http_auth *a, const char *password, const char *hash)
{
	size_t len = strlen(hash);
	const char *out;

	a->bcrypt_runs++;
	out = crypt_rn(password, hash, &a->scratch, sizeof(a->scratch));
	return out && strlen(out) == len && !gnutls_memcmp(out, hash, len);
}

bool http_auth_check(struct http_auth *a, const char *user, const char *password)
{
	const struct web_user *u;
	uint8_t mac[MAC_LEN];
	struct cache_slot *hit;
	bool ok;

	if (!user || !password || !a->n_users)
		return false;
	u = find_user(a, user);
	if (!u) {
		/* As long as for a known user, so that timing does not tell which names exist. */
		bcrypt_matches(a, password, a->users[0].hash);
		return false;
	}
	if (cache_mac(a, u, password, mac))
		return bcrypt_matches(a, password, u->hash);
	hit = cache_find(a, mac);
	if (hit) {
		hit->last_used = ++a->clock;
		ok = true;
	} else {
		ok = bcrypt_matches(a, password, u->hash);
		if (ok)
			cache_add(a, mac);
	}
	explicit_bzero(mac, sizeof(mac));
	return ok;
}

uint64_t http_auth_bcrypt_runs(const struct http_auth *a)
{
	return a->bcrypt_runs;
}
