/* SPDX-License-Identifier: GPL-2.0 */
/* The "filter" object of one probe; internal to the config parser. */
#ifndef SKBTRACE_CONFIG_FILTER_H
#define SKBTRACE_CONFIG_FILTER_H

#include "config.h"
#include "json_path.h"

/* mask: the filter_field bits the probe named probe_name supports. */
int config_parse_filter(const struct json_err *e, const cJSON *obj, const char *path,
			const char *probe_name, unsigned int mask, struct filter_config *out);

#endif /* SKBTRACE_CONFIG_FILTER_H */
