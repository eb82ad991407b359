/* SPDX-License-Identifier: GPL-2.0 */
/*
 * "web.tls_server_config" and "web.basic_auth_users", in the shape of
 * Prometheus's exporter-toolkit web config; internal to the config parser.
 */
#ifndef SKBTRACE_CONFIG_WEB_H
#define SKBTRACE_CONFIG_WEB_H

#include "config.h"
#include "json_path.h"

/* Reads and checks the certificate, key and CA files (daemon/tls_files.h). */
int config_parse_web_tls(const struct json_err *e, const cJSON *obj, struct web_tls_config *out);
int config_parse_basic_auth(const struct json_err *e, const cJSON *obj, struct web_config *out);

#endif /* SKBTRACE_CONFIG_WEB_H */
