/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every default of the configuration, in one place.  A key left out of the
 * config file takes the value here; config/skbtrace.json spells out the same
 * values and docs/config.md and the man page state them, and
 * tests/helpers/defaults_check.c fails when any of them differs.
 */
#ifndef SKBTRACE_DEFAULTS_H
#define SKBTRACE_DEFAULTS_H

#define CONFIG_DEFAULT_PATH "/etc/skbtrace/skbtrace.json"
/* Neither node_exporter (9100) nor ebpf_exporter (9435). */
#define CONFIG_DEFAULT_LISTEN "127.0.0.1:9820"

/*
 * limits: the size of every probe's maps, and of the stable stack table.  The
 * table is bounded: when it is full, the stack that a scrape used least
 * recently is forgotten (its frames are read again if it comes back).
 */
#define DEFAULT_MAX_SERIES 4096
#define DEFAULT_MAX_STACKS 2048
#define DEFAULT_MAX_STACK_SERIES 4096
#define DEFAULT_MAX_STABLE_STACKS 8192

/* A probe: enabled, attached by the first method the kernel allows. */
#define DEFAULT_PROBE_ENABLED true
#define DEFAULT_PROBE_ATTACH "auto"
#define DEFAULT_STACKS_MODE "adaptive"
#define DEFAULT_STACKS_BUDGET_PER_CPU 1000
#define DEFAULT_STACKS_SAMPLE_ONE_IN 1024

/* web: Prometheus keeps one connection per target, alive between scrapes. */
#define DEFAULT_WEB_MAX_CONNECTIONS 512
/*
 * 0: as many as max_connections (config_load).  Clients that share one
 * address (loopback, NAT, a proxy) share this limit, and at it a new
 * connection evicts one of that address's, which may be the scraper's.
 */
#define DEFAULT_WEB_MAX_CONNECTIONS_PER_CLIENT 0
#define DEFAULT_WEB_HEADER_TIMEOUT_SECONDS 5
#define DEFAULT_WEB_IDLE_TIMEOUT_SECONDS 30

#endif
