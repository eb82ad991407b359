// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "config_web.h"
#include "tls_files.h"

#define TLS_PATH "web.tls_server_config"
#define USERS_PATH "web.basic_auth_users"
#define MAX_USERS 1000
/* "$2y$10$" and 53 characters of salt and hash. */
#define BCRYPT_LEN 60

static const char *const client_auth_names[WEB_CLIENT_AUTH_COUNT] = {
	[WEB_CLIENT_AUTH_NONE] = "NoClientCert",
	[WEB_CLIENT_AUTH_REQUEST] = "RequestClientCert",
	[WEB_CLIENT_AUTH_REQUIRE_ANY] = "RequireAnyClientCert",
	[WEB_CLIENT_AUTH_VERIFY_IF_GIVEN] = "VerifyClientCertIfGiven",
	[WEB_CLIENT_AUTH_REQUIRE_AND_VERIFY] = "RequireAndVerifyClientCert",
};

static const char *const tls_version_names[WEB_TLS_VERSION_COUNT] = {
	[WEB_TLS10] = "TLS10",
	[WEB_TLS11] = "TLS11",
	[WEB_TLS12] = "TLS12",
	[WEB_TLS13] = "TLS13",
};

const char *web_client_auth_name(enum web_client_auth a)
{
	return (unsigned int)a < WEB_CLIENT_AUTH_COUNT ? client_auth_names[a] : "unknown";
}

/* exporter-toolkit's convention: a relative path starts at the config file's directory. */
static char *resolve(const char *config_file, const char *path)
{
	const char *slash = strrchr(config_file, '/');
	size_t len;
	char *out;

	if (path[0] == '/' || !slash)
		return strdup(path);
	len = (slash - config_file) + 1 + strlen(path) + 1;
	out = malloc(len);
	if (out)
		snprintf(out, len, "%.*s/%s", (int)(slash - config_file), config_file, path);
	return out;
}

/* The string at obj.key, read as a file into out; "missing" unless optional. */
static int read_key_file(const struct json_err *e, const cJSON *obj, const char *key,
			 const char *what, bool optional, struct web_file *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char path[JSON_PATH_LEN], why[CONFIG_ERR_LEN];
	const char *s;

	json_path_key(path, sizeof(path), TLS_PATH, key);
	if (!v)
		return optional ? 0 : json_fail(e, path, "missing (expected the path of %s)", what);
	s = json_get_string(e, v, path, "the path of a file");
	if (!s)
		return -EINVAL;
	if (!*s)
		return json_fail(e, path, "expected the path of %s, got \"\"", what);
	out->path = resolve(e->file, s);
	if (!out->path)
		return json_fail(e, path, "out of memory");
	out->data = config_read_file(out->path, &out->len, why, sizeof(why));
	if (!out->data)
		return json_fail(e, path, "%s", why);
	return 0;
}

static int check_files(const struct json_err *e, const struct web_tls_config *t)
{
	char why[CONFIG_ERR_LEN];

	if (tls_check_cert(t->cert.data, t->cert.len, time(NULL), why, sizeof(why)))
		return json_fail(e, TLS_PATH ".cert_file", "%s: %s", t->cert.path, why);
	if (tls_check_key(t->key.data, t->key.len, why, sizeof(why)))
		return json_fail(e, TLS_PATH ".key_file", "%s: %s", t->key.path, why);
	if (tls_check_pair(t->cert.data, t->cert.len, t->key.data, t->key.len, why, sizeof(why)))
		return json_fail(e, TLS_PATH ".key_file", "%s: %s in %s", t->key.path, why,
				 t->cert.path);
	if (t->client_ca.path &&
	    tls_check_ca(t->client_ca.data, t->client_ca.len, why, sizeof(why)))
		return json_fail(e, TLS_PATH ".client_ca_file", "%s: %s", t->client_ca.path, why);
	return 0;
}

/*
 * As exporter-toolkit: a CA without a policy that verifies, or the reverse,
 * is a mistake.  Checked before any file is read.
 */
static int check_client_auth(const struct json_err *e, const struct web_tls_config *t, bool has_ca)
{
	bool verifies = t->client_auth == WEB_CLIENT_AUTH_VERIFY_IF_GIVEN ||
			t->client_auth == WEB_CLIENT_AUTH_REQUIRE_AND_VERIFY;

	if (verifies && !has_ca)
		return json_fail(e, TLS_PATH ".client_ca_file",
				 "missing (expected the path of the CA certificates that sign "
				 "client certificates, for client_auth_type \"%s\")",
				 web_client_auth_name(t->client_auth));
	if (t->client_auth == WEB_CLIENT_AUTH_NONE && has_ca)
		return json_fail(e, TLS_PATH ".client_ca_file",
				 "set, but client_auth_type is \"NoClientCert\" (expected "
				 "\"RequireAndVerifyClientCert\" or \"VerifyClientCertIfGiven\" "
				 "with a CA)");
	return 0;
}

int config_parse_web_tls(const struct json_err *e, const cJSON *obj, struct web_tls_config *t)
{
	static const char *const keys[] = { "cert_file",      "key_file",    "client_auth_type",
					    "client_ca_file", "min_version", NULL };
	const cJSON *v;
	int n;

	if (json_expect_object(e, obj, TLS_PATH) || json_check_keys(e, obj, TLS_PATH, keys))
		return -EINVAL;
	if (!tls_supported())
		return json_fail(e, TLS_PATH,
				 "this host's libmicrohttpd was built without TLS support");
	t->enabled = true;
	t->client_auth = WEB_CLIENT_AUTH_NONE;
	t->min_version = WEB_TLS12;
	v = cJSON_GetObjectItemCaseSensitive(obj, "client_auth_type");
	if (v && json_get_enum(e, v, TLS_PATH ".client_auth_type", client_auth_names,
			       WEB_CLIENT_AUTH_COUNT, &n))
		return -EINVAL;
	if (v)
		t->client_auth = n;
	v = cJSON_GetObjectItemCaseSensitive(obj, "min_version");
	if (v && json_get_enum(e, v, TLS_PATH ".min_version", tls_version_names,
			       WEB_TLS_VERSION_COUNT, &n))
		return -EINVAL;
	if (v)
		t->min_version = n;
	/* What is missing first, then what the files hold. */
	if (!cJSON_GetObjectItemCaseSensitive(obj, "cert_file"))
		return json_fail(e, TLS_PATH ".cert_file",
				 "missing (expected the path of a PEM "
				 "certificate)");
	if (!cJSON_GetObjectItemCaseSensitive(obj, "key_file"))
		return json_fail(e, TLS_PATH ".key_file",
				 "missing (expected the path of a PEM "
				 "private key)");
	if (check_client_auth(e, t, cJSON_GetObjectItemCaseSensitive(obj, "client_ca_file")) ||
	    read_key_file(e, obj, "cert_file", "a PEM certificate", false, &t->cert) ||
	    read_key_file(e, obj, "key_file", "a PEM private key", false, &t->key) ||
	    read_key_file(e, obj, "client_ca_file", "PEM CA certificates", true, &t->client_ca))
		return -EINVAL;
	return check_files(e, t);
}

/* bcrypt's own alphabet, not base64's. */
static bool is_bcrypt(const char *h)
{
	if (strlen(h) != BCRYPT_LEN || h[0] != '$' || h[1] != '2' || !strchr("aby", h[2]) ||
	    h[3] != '$' || h[4] < '0' || h[4] > '3' || h[5] < '0' || h[5] > '9' || h[6] != '$')
		return false;
	if ((h[4] - '0') * 10 + (h[5] - '0') < 4 || (h[4] - '0') * 10 + (h[5] - '0') > 31)
		return false;
	for (const char *c = h + 7; *c; c++)
		if (!strchr("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", *c))
			return false;
	return true;
}

/* RFC 7617: the user-id cannot contain a colon, nor control characters. */
static bool is_user_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s == ':' || (unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

int config_parse_basic_auth(const struct json_err *e, const cJSON *obj, struct web_config *w)
{
	char path[JSON_PATH_LEN], q[128];
	const cJSON *c, *d;
	int n;

	if (json_expect_object(e, obj, USERS_PATH))
		return -EINVAL;
	n = cJSON_GetArraySize(obj);
	if (n > MAX_USERS)
		return json_fail(e, USERS_PATH, "too many users (at most %d)", MAX_USERS);
	w->users = calloc(n ? n : 1, sizeof(*w->users));
	if (!w->users)
		return json_fail(e, NULL, "out of memory");
	for (c = obj->child; c; c = c->next) {
		struct web_user *u = &w->users[w->n_users];

		json_path_key(path, sizeof(path), USERS_PATH, c->string);
		if (!is_user_name(c->string)) {
			json_quote(q, sizeof(q), c->string);
			return json_fail(e, path,
					 "%s is not a user name (expected at least one character, "
					 "no colon, no control character)",
					 q);
		}
		for (d = obj->child; d != c; d = d->next)
			if (!strcmp(d->string, c->string))
				return json_fail(e, path, "duplicate key");
		/* The value is never echoed: it may be a password pasted by mistake. */
		if (!cJSON_IsString(c) || !is_bcrypt(c->valuestring))
			return json_fail(e, path,
					 "expected a bcrypt hash (\"$2y$\", \"$2b$\" or \"$2a$\", "
					 "cost 04 to 31, 60 characters; e.g. from htpasswd -nBC 10 "
					 "USER), not shown here");
		u->name = strdup(c->string);
		u->hash = strdup(c->valuestring);
		w->n_users++;
		if (!u->name || !u->hash)
			return json_fail(e, NULL, "out of memory");
	}
	return 0;
}
