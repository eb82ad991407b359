// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "probe.h"
#include "top_client.h"
#include "top_parse.h"
#include "top_source.h"

/* A listen address as a host to connect to: the wildcard means this host's loopback. */
static void listen_to_url(const struct config *cfg, char *url, size_t size)
{
	const char *scheme = cfg->web.tls.enabled ? "https" : "http";
	const char *colon = strrchr(cfg->listen, ':');
	size_t hlen = colon ? (size_t)(colon - cfg->listen) : 0;
	char host[128];

	snprintf(host, sizeof(host), "%.*s", (int)hlen, cfg->listen);
	if (!host[0] || !strcmp(host, "0.0.0.0"))
		snprintf(host, sizeof(host), "127.0.0.1");
	else if (!strcmp(host, "[::]"))
		snprintf(host, sizeof(host), "[::1]");
	snprintf(url, size, "%s://%s:%s/metrics", scheme, host, colon ? colon + 1 : "9820");
}

void top_default_url(const char *config_file, char *url, size_t size, char *note, size_t notelen)
{
	char err[CONFIG_ERR_LEN];
	struct config cfg;

	note[0] = '\0';
	if (config_load(config_file, probe_lookup_for_config, &cfg, err, sizeof(err))) {
		snprintf(url, size, "%s", TOP_DEFAULT_URL);
		snprintf(note, notelen, "%s; using %s", err, TOP_DEFAULT_URL);
		return;
	}
	listen_to_url(&cfg, url, size);
	config_free(&cfg);
}

int top_fetch(struct top_client *c, int timeout_ms, struct top_scrape *out, char *err,
	      size_t errlen)
{
	char *body, perr[256];
	size_t len;
	int ret = top_client_get(c, timeout_ms, &body, &len, err, errlen);

	if (ret)
		return ret;
	ret = top_parse(body, len, out, perr, sizeof(perr));
	if (ret)
		snprintf(err, errlen, "%s: malformed metrics: %s", top_client_url(c), perr);
	free(body);
	return ret;
}
