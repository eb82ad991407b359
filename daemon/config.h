/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's configuration: parsed from JSON with cJSON, validated
 * strictly (unknown keys are errors) and turned into plain structs.
 */
#ifndef SKBTRACE_CONFIG_H
#define SKBTRACE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "skbtrace.h"

#define CONFIG_DEFAULT_PATH "/etc/skbtrace/skbtrace.json"
/* Neither node_exporter (9100) nor ebpf_exporter (9435). */
#define CONFIG_DEFAULT_LISTEN "127.0.0.1:9820"
#define CONFIG_ERR_LEN 512
#define CONFIG_NAME_LEN 32

enum attach_method {
	ATTACH_AUTO = 0,
	ATTACH_TP_BTF,
	ATTACH_RAW_TP,
	ATTACH_TRACEPOINT,
	ATTACH_FENTRY,
	ATTACH_KPROBE,
	ATTACH_METHOD_COUNT,
};

/* Which filter keys a probe understands; a key outside the mask is a config error. */
enum filter_field {
	FILTER_PROTOCOL = 1 << 0,
	FILTER_SADDR = 1 << 1,
	FILTER_DADDR = 1 << 2,
	FILTER_SPORT = 1 << 3,
	FILTER_DPORT = 1 << 4,
	FILTER_NETNS = 1 << 5,
	FILTER_REASONS = 1 << 6,
	FILTER_ALL = (1 << 7) - 1,
};

struct filter_config {
	unsigned int set; /* enum filter_field bits present in the file */
	uint64_t protocols[4];
	struct skbtrace_cidr saddr[SKBTRACE_MAX_CIDRS];
	int n_saddr;
	struct skbtrace_cidr daddr[SKBTRACE_MAX_CIDRS];
	int n_daddr;
	uint16_t sport[SKBTRACE_MAX_PORTS];
	int n_sport;
	uint16_t dport[SKBTRACE_MAX_PORTS];
	int n_dport;
	uint32_t netns[SKBTRACE_MAX_NETNS];
	int n_netns;
	/* Names as written; each probe resolves them against the kernel's BTF. */
	char reason_include[SKBTRACE_MAX_REASONS][64];
	int n_reason_include;
	char reason_exclude[SKBTRACE_MAX_REASONS][64];
	int n_reason_exclude;
};

struct stack_config {
	enum skbtrace_stack_mode mode;
	uint32_t budget_per_cpu;
	uint32_t sample_one_in; /* power of two */
};

struct probe_config {
	char name[CONFIG_NAME_LEN];
	char path[CONFIG_NAME_LEN]; /* "probes[N]", for error messages */
	bool enabled;
	enum attach_method attach;
	struct filter_config filter;
	struct stack_config stacks;
};

struct limits_config {
	uint32_t max_series;	    /* per-probe counter map entries */
	uint32_t max_stacks;	    /* per-probe stack table entries */
	uint32_t max_stack_series;  /* per-probe stack counter map entries */
	uint32_t max_stable_stacks; /* the daemon's symbolized stacks, of all probes */
};

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

struct config {
	char *file;
	char listen[128];
	struct limits_config limits;
	struct web_config web;
	struct probe_config *probes;
	int n_probes;
};

/*
 * Tells the parser which probe names exist and which filter keys each
 * accepts; returns -ENOENT for an unknown name.
 */
typedef int (*config_probe_lookup_fn)(const char *name, unsigned int *filter_mask);

/*
 * Parses and validates.  On error returns -EINVAL and writes one line to err:
 *   "FILE:LINE:COL: syntax error: ..." or "FILE: JSON.PATH: what was expected".
 * On error *out is left zeroed, so config_free() is safe either way.
 */
int config_parse(const char *text, const char *file, config_probe_lookup_fn lookup,
		 struct config *out, char *err, size_t errlen);
int config_load(const char *file, config_probe_lookup_fn lookup, struct config *out, char *err,
		size_t errlen);
void config_free(struct config *cfg);

const struct probe_config *config_find_probe(const struct config *cfg, const char *name);
/* True when two probe configs would load the very same BPF program. */
bool probe_config_equal(const struct probe_config *a, const struct probe_config *b);
/* True when two limits size every probe's BPF maps alike (max_stable_stacks sizes none). */
bool limits_equal(const struct limits_config *a, const struct limits_config *b);

/* TLS files (by content, so a rotated certificate counts) and users the same. */
bool web_security_equal(const struct web_config *a, const struct web_config *b);
/* Deep copy of tls and users (not the limits); free with web_security_free(). */
int web_security_copy(struct web_config *dst, const struct web_config *src);
void web_security_free(struct web_config *w);
const char *web_client_auth_name(enum web_client_auth a);
const char *web_tls_version_name(enum web_tls_version v);

/*
 * A whole regular file, NUL-terminated, at most 1 MiB; never blocks on a
 * FIFO.  On error returns NULL with "FILE: cannot read: REASON" in err.
 */
char *config_read_file(const char *file, size_t *len, char *err, size_t errlen);

const char *attach_method_name(enum attach_method m);
const char *stack_mode_name(enum skbtrace_stack_mode m);

/* "127.0.0.1:9820", "[::1]:9820", ":9820" (all IPv6+IPv4). */
int parse_listen_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len, char *err,
		      size_t errlen);

#endif /* SKBTRACE_CONFIG_H */
