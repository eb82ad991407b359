/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "web" part of the configuration: what the HTTP server allows a client,
 * TLS and users.  Apart from config.h so that the server (http.c) depends
 * on what it serves with, not on the probes' configuration.
 */
#ifndef SKBTRACE_WEB_CONFIG_H
#define SKBTRACE_WEB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "web.tls_server_config.client_auth_type", named as in Prometheus's exporter-toolkit. */
enum web_client_auth {
	WEB_CLIENT_AUTH_NONE,		    /* NoClientCert */
	WEB_CLIENT_AUTH_REQUEST,	    /* RequestClientCert: asked for, never checked */
	WEB_CLIENT_AUTH_REQUIRE_ANY,	    /* RequireAnyClientCert: required, never checked */
	WEB_CLIENT_AUTH_VERIFY_IF_GIVEN,    /* VerifyClientCertIfGiven */
	WEB_CLIENT_AUTH_REQUIRE_AND_VERIFY, /* RequireAndVerifyClientCert */
	WEB_CLIENT_AUTH_COUNT,
};

enum web_tls_version {
	WEB_TLS10,
	WEB_TLS11,
	WEB_TLS12,
	WEB_TLS13,
	WEB_TLS_VERSION_COUNT,
};

/* A file named by the config: its path (relative ones from the config's directory) and bytes. */
struct web_file {
	char *path;
	char *data; /* NUL-terminated */
	size_t len;
};

/* Read and checked while the config is parsed, so a bad file fails the load or the reload. */
struct web_tls_config {
	bool enabled;
	struct web_file cert;
	struct web_file key;
	struct web_file client_ca; /* path NULL when not configured */
	enum web_client_auth client_auth;
	enum web_tls_version min_version;
};

struct web_user {
	char *name;
	char *hash; /* bcrypt, "$2y$..." */
};

/* "web": what the HTTP server allows a client (daemon/http_guard.h) and whom. */
struct web_config {
	uint32_t max_connections;
	uint32_t max_connections_per_client;
	uint32_t header_timeout_ms;
	uint32_t idle_timeout_ms;
	struct web_tls_config tls;
	struct web_user *users; /* basic_auth_users; none: no authentication */
	int n_users;
};

/* TLS files (by content, so a rotated certificate counts) and users the same. */
bool web_security_equal(const struct web_config *a, const struct web_config *b);
/* Deep copy of tls and users (not the limits); free with web_security_free(). */
int web_security_copy(struct web_config *dst, const struct web_config *src);
void web_security_free(struct web_config *w);
const char *web_client_auth_name(enum web_client_auth a);

#endif /* SKBTRACE_WEB_CONFIG_H */
