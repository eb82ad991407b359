// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "counter_carry.h"
#include "daemon.h"
#include "daemon_metrics.h"
#include "expo.h"
#include "kernel_btf.h"
#include "ksyms.h"
#include "log.h"
#include "map_expo.h"
#include "netns_evict.h"
#include "netns_ids.h"
#include "netns_info.h"
#include "prog_stats.h"
#include "stacks.h"
#include "source_cache.h"
#include "version.h"
#include "self_metrics.h"

int daemon_check_config(const struct config *cfg, char *err, size_t errlen)
{
	struct probe_env env = { .limits = &cfg->limits };
	struct btf *btf = NULL;
	int ret = 0;

	for (int i = 0; i < cfg->n_probes && !ret; i++) {
		const struct probe_config *pc = &cfg->probes[i];
		const struct probe_ops *ops = probe_ops_find(pc->name);

		if (!pc->enabled)
			continue;
		if (!btf) {
			btf = kernel_btf_load(err, errlen);
			if (!btf)
				return -ENOENT;
			env.btf = btf;
		}
		ret = probe_check(pc, ops, &env, err, errlen);
	}
	btf__free(btf);
	return ret;
}

static void probes_free(struct daemon *d, struct probe *probes, int n)
{
	for (int i = 0; i < n; i++) {
		if (probes[i].stack_map_fd >= 0)
			stack_table_forget_map(d->stacks, probes[i].stack_map_fd);
		probe_detach(&probes[i]);
	}
	free(probes);
}

static struct probe *find_probe(struct probe *probes, int n, const char *name)
{
	for (int i = 0; i < n; i++) {
		if (!strcmp(probes[i].cfg.name, name))
			return &probes[i];
	}
	return NULL;
}

/* What the daemon lends its probes, for a set sized by `limits`. */
static struct probe_env daemon_env(const struct daemon *d, const struct limits_config *limits)
{
	return (struct probe_env){ .ksyms = d->ksyms,
				   .stacks = d->stacks,
				   .limits = limits,
				   .netns_by_cookie = netns_ids_by_cookie(d->netns),
				   .netns = d->netns,
				   .info = d->netns_info };
}

/*
 * Builds the probe set for cfg.  A probe of `old` whose config and limits did
 * not change is moved over as it is, maps and all; the rest are attached
 * anew.  On failure nothing of `old` has been touched.
 */
static int probes_build(struct daemon *d, const struct config *cfg, struct probe *old, int n_old,
			bool same_limits, struct probe **out, char *err, size_t errlen)
{
	struct probe *probes = calloc(cfg->n_probes ? cfg->n_probes : 1, sizeof(*probes));
	struct probe_env env = daemon_env(d, &cfg->limits);
	struct btf *btf = NULL;
	int i, ret = 0;

	if (!probes)
		return -ENOMEM;
	for (i = 0; i < cfg->n_probes; i++) {
		struct probe *p = &probes[i], *prev;

		probe_init(p, probe_ops_find(cfg->probes[i].name), &cfg->probes[i]);
		prev = find_probe(old, n_old, p->cfg.name);
		if (prev && prev->attached && same_limits &&
		    probe_config_equal(&prev->cfg, &p->cfg))
			continue; /* moved over below, once everything else attached */
		if (!p->cfg.enabled)
			continue;
		if (!btf) {
			btf = kernel_btf_load(err, errlen);
			if (!btf) {
				ret = -ENOENT;
				break;
			}
			env.btf = btf;
		}
		ret = probe_attach(p, &env);
		if (ret && p->ops->may_stay_unattached && p->cfg.attach == ATTACH_AUTO) {
			log_warn("%s; the daemon runs on without it", p->error);
			ret = 0;
			continue;
		}
		if (ret) {
			snprintf(d->attach_failed, sizeof(d->attach_failed), "%s", p->cfg.name);
			snprintf(err, errlen, "%s", p->error);
			break;
		}
	}
	btf__free(btf);
	if (ret) {
		probes_free(d, probes, i);
		return ret;
	}
	for (i = 0; i < cfg->n_probes; i++) {
		struct probe *prev = find_probe(old, n_old, probes[i].cfg.name);

		if (!probes[i].attached && probes[i].cfg.enabled && prev) {
			probes[i] = *prev;
			probes[i].cfg = cfg->probes[i];
			/* The old slot no longer owns the BPF object. */
			probe_init(prev, prev->ops, &prev->cfg);
			log_info("probe %s: unchanged, counters continue", probes[i].cfg.name);
		}
	}
	*out = probes;
	return 0;
}

static size_t carry_limit(const struct limits_config *l)
{
	return l->max_series > l->max_stack_series ? l->max_series : l->max_stack_series;
}

/* The stack maps of a new probe set are swept at every scrape end from now on. */
static void stacks_add_maps(struct daemon *d)
{
	for (int i = 0; i < d->n_probes; i++) {
		const struct probe *p = &d->probes[i];

		if (p->attached && p->stack_map_fd >= 0 &&
		    stack_table_add_map(d->stacks, p->stack_map_fd))
			log_warn("probe %s: out of memory: its unused stacks stay in its stack map",
				 p->ops->name);
	}
}

static void keep_stack(const char *id, void *ctx)
{
	stack_table_keep(ctx, id);
}

static void use_stack(const char *id, void *ctx)
{
	stack_table_use(ctx, id);
}

static void note_location(const char *location, void *ctx)
{
	source_cache_note(ctx, location);
}

/* Every counter sample of a scrape: the stacks its series show are the ones exported. */
static void observe_sample(struct expo_sample *s, void *ctx)
{
	for (size_t i = 0; i < s->n_labels; i++) {
		if (!strcmp(s->labels[i].name, "stack"))
			stack_table_use(ctx, s->labels[i].value);
	}
}

/*
 * Waits until no BPF program that was taken out of a chain or detached can
 * still be running: tracing programs run under RCU, and membarrier's global
 * command is a synchronize_rcu().  Where it is refused (nohz_full), a pause
 * far longer than any program run does the same.
 */
static void bpf_quiesce(void)
{
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		usleep(20000);
}

/*
 * Absorbs the final counts of the probes of `old` that are still attached
 * (those the new set replaces or drops; moved-over ones were marked
 * detached) into the carried table, before they are freed.  Their chain
 * slots already run the new instances' programs.
 */
static void carry_final_counts(struct daemon *d, struct probe *old, int n_old,
			       const struct limits_config *limits)
{
	/* The same namespace labels as a scrape's, or carried series would not meet live ones. */
	struct probe_env env = daemon_env(d, limits);
	struct expo *e;
	bool any = false;
	int err = 0;

	for (int i = 0; i < n_old; i++)
		any |= old[i].attached;
	if (!any)
		return;
	bpf_quiesce();
	e = expo_new();
	if (!e) {
		log_warn("reload: out of memory: the replaced probes' counts are lost");
		return;
	}
	counter_carry_absorb(d->carry, e);
	ksym_cache_begin(d->ksyms);
	for (int i = 0; !err && i < n_old; i++) {
		if (old[i].attached)
			err = probe_collect(&old[i], e, &env);
	}
	/* The dispatchers outlive the probes: their counts are not the old instances'. */
	if (!err)
		err = prog_stats_expo(e, old, n_old, false);
	if (!err)
		err = daemon_emit_stack_maps(e, d->stacks, old, n_old);
	ksym_cache_end(d->ksyms);
	if (err)
		log_warn("reload: cannot read the replaced probes' final counts: %s",
			 strerror(-err));
	expo_free(e);
	log_info("reload: %zu counter series carried over", counter_carry_count(d->carry));
	if (counter_carry_folded(d->carry))
		log_warn("reload: %llu carried series found the limit and went to the overflow "
			 "series",
			 (unsigned long long)counter_carry_folded(d->carry));
}

int daemon_start(struct daemon *d, struct config *cfg, char *err, size_t errlen)
{
	int ret;

	memset(d, 0, sizeof(*d));
	d->ksyms = ksym_cache_new(NULL);
	d->stacks = d->ksyms ? stack_table_new(d->ksyms) : NULL;
	d->carry = counter_carry_new();
	if (!d->stacks || !d->carry) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	stack_table_set_limit(d->stacks, cfg->limits.max_stable_stacks);
	/* Before the probes: it decides how they key namespaces. */
	ret = netns_ids_open(&d->netns, err, errlen);
	if (ret) {
		log_warn("netns: %s; series of namespaces that are gone are not evicted", err);
		err[0] = '\0';
	}
	ret = netns_info_open(&d->netns_info, netns_ids_by_cookie(d->netns));
	if (ret) {
		snprintf(err, errlen, "out of memory");
		return ret;
	}
	ret = probes_build(d, cfg, NULL, 0, false, &d->probes, err, errlen);
	if (ret)
		return ret;
	d->cfg = *cfg;
	d->n_probes = cfg->n_probes;
	memset(cfg, 0, sizeof(*cfg));
	stacks_add_maps(d);
	return 0;
}

int daemon_reload(struct daemon *d, char *err, size_t errlen)
{
	struct probe *probes;
	struct config cfg;
	int ret;

	d->last_reload_failed = true;
	d->attach_failed[0] = '\0';
	ret = config_load(d->cfg.file, probe_lookup_for_config, &cfg, err, errlen);
	if (ret)
		return ret;
	ret = daemon_check_config(&cfg, err, errlen);
	if (!ret && strcmp(cfg.listen, d->cfg.listen))
		log_warn("reload: a new listen address takes effect only after a restart");
	if (!ret)
		ret = probes_build(d, &cfg, d->probes, d->n_probes,
				   limits_equal(&cfg.limits, &d->cfg.limits), &probes, err, errlen);
	if (ret) {
		config_free(&cfg);
		return ret;
	}
	counter_carry_set_limit(d->carry, carry_limit(&cfg.limits));
	carry_final_counts(d, d->probes, d->n_probes, &d->cfg.limits);
	probes_free(d, d->probes, d->n_probes);
	d->probes = probes;
	d->n_probes = cfg.n_probes;
	stacks_add_maps(d);
	/* What the next scrape shows: the remaining probes' live series and the carried ones. */
	stack_table_reload_begin(d->stacks, cfg.limits.max_stable_stacks);
	counter_carry_each_label(d->carry, "stack", keep_stack, d->stacks);
	stack_table_reload_end(d->stacks);
	/* The socket stays bound to the address the daemon started with. */
	snprintf(cfg.listen, sizeof(cfg.listen), "%s", d->cfg.listen);
	config_free(&d->cfg);
	d->cfg = cfg;
	d->last_reload_failed = false;
	return 0;
}

void daemon_stop(struct daemon *d)
{
	probes_free(d, d->probes, d->n_probes);
	d->probes = NULL;
	d->n_probes = 0;
	config_free(&d->cfg);
	stack_table_free(d->stacks);
	ksym_cache_free(d->ksyms);
	netns_ids_free(d->netns);
	d->netns = NULL;
	counter_carry_free(d->carry);
	d->carry = NULL;
	netns_info_free(d->netns_info);
	d->netns_info = NULL;
	d->stacks = NULL;
	d->ksyms = NULL;
}

int daemon_netns_sweep(struct daemon *d)
{
	return netns_sweep(d->probes, d->n_probes, d->netns);
}

int daemon_health(struct daemon *d)
{
	for (int i = 0; i < d->n_probes; i++) {
		struct skbtrace_stats st;

		if (d->probes[i].attached && probe_read_stats(&d->probes[i], &st))
			return -EIO;
	}
	return 0;
}

int daemon_collect(struct daemon *d, struct expo *e, daemon_expo_fn extra, void *extra_ctx)
{
	struct probe_env env = daemon_env(d, &d->cfg.limits);
	int err;

	/* No scrape shows a namespace that was gone when it began; the walk names the live ones. */
	daemon_netns_sweep(d);
	stack_table_scrape_begin(d->stacks);
	/* Carried series are in every scrape: their stacks keep their room from the start. */
	counter_carry_each_label(d->carry, "stack", use_stack, d->stacks);
	counter_carry_each_label(d->carry, "location", note_location, source_cache_default());
	counter_carry_apply_observed(d->carry, e, observe_sample, d->stacks);
	ksym_cache_begin(d->ksyms);
	netns_info_begin(d->netns_info);
	err = daemon_emit_build_info(e) ?: daemon_emit_reload_state(e, d) ?: daemon_emit_evicted(e, d);
	for (int i = 0; !err && i < d->n_probes; i++) {
		err = probe_collect(&d->probes[i], e, &env);
	}
	if (!err)
		err = prog_stats_expo(e, d->probes, d->n_probes, true);
	/* Only a scrape that read every stack-count map may tell which stacks no key holds. */
	if (!err)
		stack_table_scrape_end(d->stacks);
	if (!err)
		err = daemon_emit_stack_maps(e, d->stacks, d->probes, d->n_probes);
	if (!err)
		err = counter_carry_emit_rest(d->carry, e);
	/* After every series with a stack label, live or carried. */
	if (!err)
		err = stack_table_expo(d->stacks, e);
	/* After every family that labels namespaces: one series for each of them. */
	if (!err)
		err = netns_info_expo(d->netns_info, e, d->cfg.limits.max_series);
	/* After every family that labels locations. */
	if (!err)
		err = source_cache_expo(source_cache_default(), e);
	if (!err && extra)
		err = extra(e, extra_ctx);
	ksym_cache_end(d->ksyms);
	return err;
}

char *daemon_render_metrics(struct daemon *d, daemon_expo_fn extra, void *extra_ctx, size_t *len)
{
	struct expo *e = expo_new();
	char *out = NULL;
	int err;

	if (!e)
		return NULL;
	err = daemon_collect(d, e, extra, extra_ctx);
	if (!err)
		out = expo_render(e, len);
	else
		log_warn("cannot render metrics: %s", strerror(-err));
	expo_free(e);
	return out;
}

void daemon_status(struct daemon *d, char *buf, size_t len)
{
	int attached = 0, enabled = 0;
	size_t off;

	for (int i = 0; i < d->n_probes; i++) {
		enabled += d->probes[i].cfg.enabled;
		attached += d->probes[i].attached;
	}
	off = snprintf(buf, len, "%d/%d probes attached", attached, enabled);
	for (int i = 0; i < d->n_probes && off < len; i++) {
		struct probe *p = &d->probes[i];
		struct skbtrace_stats st;

		if (!p->attached || probe_read_stats(p, &st))
			continue;
		off += snprintf(buf + off, len - off, "; %s (%s): %llu events", p->ops->name,
				attach_method_name(p->method),
				(unsigned long long)(st.v[SKBTRACE_STAT_EVENTS] -
						     st.v[SKBTRACE_STAT_FILTERED]));
	}
	if (d->note[0] && off < len)
		snprintf(buf + off, len - off, "; %s", d->note);
}
