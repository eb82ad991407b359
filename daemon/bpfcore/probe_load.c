// SPDX-License-Identifier: GPL-2.0
/*
 * The one load path of every probe, from its struct probe_ops:
 * open → rodata → autoload the method's programs → size maps → load →
 * attach, undone in reverse by probe_detach() on any failure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "bpf_rodata.h"
#include "ksyms.h"
#include "log.h"
#include "probe.h"
#include "probe_filter.h"
#include "series.h"
#include "stacks.h"
#include "sysfs.h"

int probe_need_tracepoint(const struct btf *btf, const char *group, const char *name, int min_args,
			  char *err, size_t errlen)
{
	int n = btf_tracepoint_nargs(btf, name);

	if (n >= min_args)
		return n;
	snprintf(err, errlen, "the kernel has no tracepoint %s:%s", group, name);
	return -ENOENT;
}

void probe_init(struct probe *p, const struct probe_ops *ops, const struct probe_config *cfg)
{
	memset(p, 0, sizeof(*p));
	p->ops = ops;
	p->cfg = *cfg;
	p->method = ATTACH_AUTO;
	p->chain = KFREE_SKB_LINK_INIT;
	p->stats_fd = p->stack_map_fd = p->cache_sweep_fd = -1;
}

static int load_enums(struct probe *p, const struct btf *btf)
{
	const struct probe_ops *ops = p->ops;

	for (size_t i = 0; i < ops->n_enums && i < PROBE_MAX_ENUMS; i++) {
		const struct probe_enum *pe = &ops->enums[i];

		/* A kernel without the enum labels numbers; the filter says if it needs it. */
		if (pe->name)
			enum_names_load(btf, pe->name, pe->prefix, &p->enums[i]);
		else
			enum_names_load_by_member(btf, pe->member, pe->prefix, &p->enums[i]);
	}
	return 0;
}

static void free_enums(struct probe *p)
{
	for (int i = 0; i < PROBE_MAX_ENUMS; i++)
		enum_names_free(&p->enums[i]);
	memset(p->enums, 0, sizeof(p->enums));
}

static const struct enum_names *reasons_of(const struct probe *p)
{
	const char *r = p->ops->reason_enum;

	for (size_t i = 0; r && i < p->ops->n_enums && i < PROBE_MAX_ENUMS; i++) {
		if (p->ops->enums[i].name && !strcmp(p->ops->enums[i].name, r))
			return &p->enums[i];
	}
	return NULL;
}

/* The step check and start share: the filter's reasons as the running kernel names them. */
static int prepare_filter(const struct probe *p, struct skbtrace_filter *filter, char *err,
			  size_t errlen)
{
	return probe_filter_to_bpf(&p->cfg, reasons_of(p), p->ops->reason_kind, filter, err,
				   errlen);
}

int probe_check(const struct probe_config *cfg, const struct probe_ops *ops,
		const struct probe_env *env, char *err, size_t errlen)
{
	struct skbtrace_filter filter;
	struct probe p;
	int ret;

	probe_init(&p, ops, cfg);
	load_enums(&p, env->btf);
	ret = prepare_filter(&p, &filter, err, errlen);
	free_enums(&p);
	return ret;
}

/* Common rodata: every probe's program filters, samples stacks and keys namespaces. */
static int set_common_rodata(struct probe *p, const struct probe_env *env, char *err, size_t errlen)
{
	struct skbtrace_stack_policy policy;
	struct skbtrace_filter filter;
	bool by_cookie = env->netns_by_cookie;
	int ret;

	ret = prepare_filter(p, &filter, err, errlen);
	if (ret)
		return ret;
	probe_stack_policy(&p->cfg, &policy);
	ret = bpf_rodata_set(p->obj, "filter", &filter, sizeof(filter));
	ret = ret ?: bpf_rodata_set(p->obj, "stack_policy", &policy, sizeof(policy));
	ret = ret ?: bpf_rodata_set(p->obj, "netns_by_cookie", &by_cookie, sizeof(by_cookie));
	if (ret)
		snprintf(err, errlen,
			 "BPF object: no rodata filter, stack_policy or "
			 "netns_by_cookie of the expected size");
	return ret;
}

static int set_map_limits(struct probe *p, const struct probe_env *env, char *err, size_t errlen)
{
	const struct limits_config *lim = env->limits;
	int ncpus = libbpf_num_possible_cpus();
	struct bpf_map *stacks = bpf_object__find_map_by_name(p->obj, "stack_traces");

	for (size_t i = 0; i < p->ops->n_map_limits; i++) {
		const struct probe_map_limit *ml = &p->ops->map_limits[i];
		struct bpf_map *m = bpf_object__find_map_by_name(p->obj, ml->map);
		uint32_t n = ml->limit == PROBE_LIMIT_STACK_SERIES ? lim->max_stack_series
								   : lim->max_series;

		if (ml->limit == PROBE_LIMIT_SERIES_PER_CPU)
			n *= ncpus > 0 ? ncpus : 1;
		if (!m || bpf_map__set_max_entries(m, n)) {
			snprintf(err, errlen, "BPF object: cannot size map %s", ml->map);
			return -ENOENT;
		}
	}
	/* With stacks off the table is never written: do not reserve it. */
	p->max_stacks = p->cfg.stacks.mode == SKBTRACE_STACKS_OFF ? 1 : lim->max_stacks;
	return stacks ? bpf_map__set_max_entries(stacks, p->max_stacks) : 0;
}

static bool kernel_has(enum attach_method m, const char *function, const struct btf *btf)
{
	if (m == ATTACH_FENTRY)
		return btf__find_by_name_kind(btf, function, BTF_KIND_FUNC) >= 0;
	if (m == ATTACH_KPROBE)
		return kallsyms_has(function);
	return true;
}

/*
 * Autoloads exactly the programs of the method that this kernel can run.
 * A function missing from the kernel was inlined, renamed or lives in a
 * module; only an optional one may be skipped.
 */
static int choose_programs(struct probe *p, enum attach_method m, const struct probe_env *env,
			   char *err, size_t errlen)
{
	struct bpf_program *prog;
	int n = 0;

	bpf_object__for_each_program (prog, p->obj)
		bpf_program__set_autoload(prog, false);
	for (size_t i = 0; i < p->ops->n_programs; i++) {
		const struct probe_program *pp = &p->ops->programs[i];
		const char *fn = pp->kernel_function;

		if (pp->method != m || (pp->wanted && !pp->wanted(env)))
			continue;
		prog = bpf_object__find_program_by_name(p->obj, pp->name);
		if (!prog) {
			snprintf(err, errlen, "BPF object: no program %s", pp->name);
			return -ENOENT;
		}
		if (fn && !kernel_has(m, fn, env->btf)) {
			if (!(pp->flags & PROBE_PROG_OPTIONAL)) {
				snprintf(err, errlen, "the kernel has no function %s", fn);
				return -ENOENT;
			}
			log_info("probe %s: no function %s here: %s skipped with %s", p->ops->name,
				 fn, pp->name, attach_method_name(m));
			continue;
		}
		bpf_program__set_autoload(prog, true);
		n++;
	}
	if (!n) {
		snprintf(err, errlen, "no program for %s", attach_method_name(m));
		return -ENOENT;
	}
	if (p->ops->cache_sweeper) {
		prog = bpf_object__find_program_by_name(p->obj, p->ops->cache_sweeper);
		if (!prog) {
			snprintf(err, errlen, "BPF object: no program %s", p->ops->cache_sweeper);
			return -ENOENT;
		}
		bpf_program__set_autoload(prog, true);
	}
	return 0;
}

/* The method's kfree_skb-chain program gets its slot before load. */
static int prepare_chain(struct probe *p, enum attach_method m, char *err, size_t errlen)
{
	for (size_t i = 0; i < p->ops->n_programs; i++) {
		const struct probe_program *pp = &p->ops->programs[i];
		struct bpf_program *prog;
		uint32_t next = 0;
		int ret;

		if (pp->method != m || !(pp->flags & PROBE_PROG_KFREE_SKB_CHAIN))
			continue;
		prog = bpf_object__find_program_by_name(p->obj, pp->name);
		if (!prog || !bpf_program__autoload(prog))
			continue;
		ret = kfree_skb_chain_prepare(
			&p->chain, prog, pp->chain ? pp->chain : m,
			bpf_object__find_map_by_name(p->obj, "kfree_skb_chain"),
			bpf_object__find_map_by_name(p->obj, "kfree_skb_chain_end"), &next, err,
			errlen);
		if (!ret && (ret = bpf_rodata_set(p->obj, "kfree_skb_next", &next, sizeof(next))))
			snprintf(err, errlen, "BPF object: no rodata kfree_skb_next");
		return ret;
	}
	return 0;
}

static int attach_programs(struct probe *p, enum attach_method m, char *err, size_t errlen)
{
	for (size_t i = 0; i < p->ops->n_programs; i++) {
		const struct probe_program *pp = &p->ops->programs[i];
		struct bpf_program *prog;
		struct bpf_link *link;

		if (pp->method != m || (pp->flags & PROBE_PROG_KFREE_SKB_CHAIN))
			continue;
		prog = bpf_object__find_program_by_name(p->obj, pp->name);
		if (!prog || !bpf_program__autoload(prog))
			continue;
		if (p->n_links == PROBE_MAX_LINKS) {
			snprintf(err, errlen, "more than %d programs to attach", PROBE_MAX_LINKS);
			return -E2BIG;
		}
		link = bpf_program__attach(prog);
		if (!link) {
			snprintf(err, errlen, "attach %s failed: %s", pp->name, strerror(errno));
			return -errno;
		}
		p->links[p->n_links++] = link;
	}
	return p->chain.prog ? kfree_skb_chain_join(&p->chain, err, errlen) : 0;
}

static void add_netns_map(struct probe *p, const char *name, uint32_t netns_off)
{
	struct bpf_map *m = bpf_object__find_map_by_name(p->obj, name);

	if (m && p->n_netns_maps < PROBE_NETNS_MAPS)
		p->netns_maps[p->n_netns_maps++] =
			(struct probe_netns_map){ bpf_map__fd(m), netns_off };
}

/* The maps the core reads for every probe, found by name once loaded. */
static int find_maps(struct probe *p, char *err, size_t errlen)
{
	struct bpf_map *stats = bpf_object__find_map_by_name(p->obj, "stats");
	struct bpf_map *stacks = bpf_object__find_map_by_name(p->obj, "stack_traces");
	struct bpf_program *sweeper = NULL;

	if (!stats) {
		snprintf(err, errlen, "BPF object: no map stats");
		return -ENOENT;
	}
	p->stats_fd = bpf_map__fd(stats);
	p->stack_map_fd = stacks ? bpf_map__fd(stacks) : -1;
	for (size_t i = 0; i < p->ops->n_series; i++) {
		const struct series_desc *d = &p->ops->series[i];
		struct bpf_map *cache;
		uint32_t off = UINT32_MAX;

		for (size_t l = 0; l < series_n_labels(d); l++) {
			if (d->labels[l].decoder == SERIES_NETNS)
				off = d->labels[l].off;
		}
		if (off == UINT32_MAX)
			continue;
		add_netns_map(p, d->map, off);
		cache = d->cache ? bpf_object__find_map_by_name(p->obj, d->cache) : NULL;
		if (cache && p->n_netns_caches < SKBTRACE_SWEEP_CACHES)
			p->netns_caches[p->n_netns_caches++] =
				(struct probe_netns_map){ bpf_map__fd(cache), off };
	}
	for (size_t i = 0; i < p->ops->n_netns_keys; i++)
		add_netns_map(p, p->ops->netns_keys[i].map, p->ops->netns_keys[i].netns_off);
	if (p->ops->cache_sweeper)
		sweeper = bpf_object__find_program_by_name(p->obj, p->ops->cache_sweeper);
	p->cache_sweep_fd = sweeper ? bpf_program__fd(sweeper) : -1;
	return 0;
}

static int start(struct probe *p, enum attach_method m, const struct probe_env *env, char *err,
		 size_t errlen)
{
	const struct probe_ops *ops = p->ops;
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = ops->name);
	const void *elf;
	size_t size = 0;
	int ret;

	/* Classic tracepoints, and kprobes on kernels without the kprobe PMU, need tracefs. */
	if ((m == ATTACH_TRACEPOINT || m == ATTACH_KPROBE) && (ret = tracefs_ensure(err, errlen)))
		return ret;
	load_enums(p, env->btf);
	elf = ops->elf_bytes(&size);
	p->obj = bpf_object__open_mem(elf, size, &opts);
	if (!p->obj) {
		ret = -errno;
		snprintf(err, errlen, "cannot open BPF object: %s", strerror(errno));
		goto cleanup;
	}
	ret = probe_ops_validate(ops, p->obj, err, errlen);
	ret = ret ?: set_common_rodata(p, env, err, errlen);
	if (!ret && ops->prepare)
		ret = ops->prepare(p, p->obj, m, env, err, errlen);
	ret = ret ?: choose_programs(p, m, env, err, errlen);
	ret = ret ?: set_map_limits(p, env, err, errlen);
	ret = ret ?: prepare_chain(p, m, err, errlen);
	if (ret)
		goto cleanup;
	ret = bpf_object__load(p->obj);
	if (ret) {
		snprintf(err, errlen, "BPF load failed: %s", strerror(-ret));
		goto cleanup;
	}
	ret = find_maps(p, err, errlen);
	if (!ret && ops->loaded)
		ret = ops->loaded(p, m, env, err, errlen);
	ret = ret ?: attach_programs(p, m, err, errlen);
	if (ret)
		goto cleanup;
	return 0;

cleanup:
	probe_detach(p);
	return ret;
}

int probe_attach(struct probe *p, const struct probe_env *env)
{
	const struct probe_ops *ops = p->ops;
	const enum attach_method *methods =
		ops->methods_for ? ops->methods_for(&p->cfg) : ops->methods;
	char why[CONFIG_ERR_LEN] = "";
	int err = -ENOENT;

	p->error[0] = '\0';
	for (size_t i = 0; i < ops->n_methods; i++) {
		enum attach_method m = methods[i];

		if (p->cfg.attach != ATTACH_AUTO && p->cfg.attach != m)
			continue;
		err = start(p, m, env, why, sizeof(why));
		if (!err) {
			p->attached = true;
			p->method = m;
			log_info("probe %s: attached with %s", ops->name, attach_method_name(m));
			return 0;
		}
		log_info("probe %s: %s is not usable here: %s", ops->name, attach_method_name(m),
			 why);
	}
	if (err == -ENOENT && p->cfg.attach != ATTACH_AUTO && !why[0]) {
		snprintf(p->error, sizeof(p->error), "%s.attach: probe %s cannot attach with %s",
			 p->cfg.path, ops->name, attach_method_name(p->cfg.attach));
		return -EINVAL;
	}
	snprintf(p->error, sizeof(p->error), "probe %s: cannot attach: %.400s", ops->name, why);
	return err;
}

/* Also undoes a start that failed half-way: everything here copes with "not yet". */
void probe_detach(struct probe *p)
{
	kfree_skb_chain_leave(&p->chain);
	p->chain = KFREE_SKB_LINK_INIT;
	for (int i = p->n_links - 1; i >= 0; i--)
		bpf_link__destroy(p->links[i]);
	p->n_links = 0;
	if (p->ops->release)
		p->ops->release(p);
	p->priv = NULL;
	bpf_object__close(p->obj);
	p->obj = NULL;
	free_enums(p);
	p->attached = false;
	p->method = ATTACH_AUTO;
	p->stats_fd = p->stack_map_fd = p->cache_sweep_fd = -1;
	p->n_netns_maps = p->n_netns_caches = 0;
}
