/* SPDX-License-Identifier: GPL-2.0 */
/* The daemon's state: configured probes, shared symbol and stack tables. */
#ifndef SKBTRACE_DAEMON_H
#define SKBTRACE_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "probe.h"

struct counter_carry;
struct ksym_cache;
struct stack_table;
struct netns_ids;
struct netns_info;

/* Seconds between sweeps for namespaces that are gone, besides the one at each scrape. */
#define DAEMON_NETNS_SWEEP_SEC 5

struct daemon {
	struct config cfg;
	struct probe *probes;
	int n_probes;
	struct ksym_cache *ksyms;
	struct stack_table *stacks;
	struct netns_ids *netns; /* NULL when the namespace walker could not load */
	/* Final counts of replaced probe instances, added to every scrape. */
	struct counter_carry *carry;
	struct netns_info *netns_info; /* skbtrace_netns_info */
	char note[2 * CONFIG_ERR_LEN]; /* shown in STATUS=, e.g. a failed reload */
	bool last_reload_failed;
	/* The probe that could not attach at the last reload, or "". */
	char attach_failed[CONFIG_NAME_LEN];
};

/* Kernel-dependent validation of a parsed config (reason names and such). */
int daemon_check_config(const struct config *cfg, char *err, size_t errlen);

/* Takes ownership of cfg; attaches every enabled probe or none. */
int daemon_start(struct daemon *d, struct config *cfg, char *err, size_t errlen);
/*
 * Re-reads d->cfg.file.  On any error keeps the old configuration running
 * and returns -1 with the reason in err; probes whose config is unchanged
 * keep their maps, so their counters continue; the final counts of the
 * replaced ones are carried (counter_carry.h), so theirs continue too.
 */
int daemon_reload(struct daemon *d, char *err, size_t errlen);
void daemon_stop(struct daemon *d);

/*
 * Evicts the series of namespaces that are gone from every probe's maps
 * (daemon/netns_evict.h); run every DAEMON_NETNS_SWEEP_SEC and at each scrape.
 */
int daemon_netns_sweep(struct daemon *d);

/* Proves the BPF side is readable, for the watchdog. */
int daemon_health(struct daemon *d);

/* Series from outside the daemon's probes, e.g. the HTTP server's own. */
struct expo;
typedef int (*daemon_expo_fn)(struct expo *e, void *ctx);

/* Adds every series /metrics shows to e; negative errno. */
int daemon_collect(struct daemon *d, struct expo *e, daemon_expo_fn extra, void *extra_ctx);
char *daemon_render_metrics(struct daemon *d, daemon_expo_fn extra, void *extra_ctx, size_t *len);
/* One line for sd_notify STATUS=. */
void daemon_status(struct daemon *d, char *buf, size_t len);

#endif /* SKBTRACE_DAEMON_H */
