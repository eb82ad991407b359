// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "conntrack.h"
#include "conntrack_netns.skel.h"
#include "conntrack_netns_reader.h"
#include "kernel_btf.h"
#include "log.h"
#include "sysfs.h"
#include "u64map.h"
#include "walker.h"

#define CT_MODULE "nf_conntrack"
#define CT_MODULE_BTF "/sys/kernel/btf/" CT_MODULE
/* bpf_loop()'s own limit: the walk ends at its start long before. */
#define MAX_STEPS (1U << 23)

struct ct_netns_reader {
	struct conntrack_netns_bpf *skel;
	int prog_fd;
	uint32_t bound;
	int ncpus; /* possible CPUs: the length of a per-CPU value */
	struct ct_netns_args args;
	bool built_in;	      /* the layout came from vmlinux's BTF and never changes */
	ino_t module_btf_ino; /* module BTF the layout was last looked up in, 0 for none */
};

/* Where nf_conntrack keeps a namespace's entry count, from btf; false when it cannot tell. */
static bool layout_from(const struct btf *btf, struct ct_netns_args *a)
{
	struct enum_names rows;
	uint32_t row;
	int count = btf_member_offset(btf, "nf_conntrack_net", "count");
	int sysctl = btf_member_offset(btf, "nf_conntrack_net", "sysctl_header");

	if (count < 0 || sysctl < 0 ||
	    enum_names_load(btf, "nf_ct_sysctl_index", "NF_SYSCTL_CT_", &rows))
		return false;
	a->known = !enum_names_find(&rows, "COUNT", &row);
	enum_names_free(&rows);
	a->count_off = count;
	a->sysctl_off = sysctl;
	a->sysctl_count = row;
	return a->known;
}

/*
 * nf_conntrack built in, or loaded as a module with BTF: the module may come
 * (and go, and come back with another layout) while the daemon runs.
 */
static void layout_update(struct ct_netns_reader *r, const struct btf *vmlinux)
{
	struct btf *base = NULL, *mod;
	struct stat st;

	if (r->built_in)
		return;
	if (stat(CT_MODULE_BTF, &st)) {
		r->args.known = 0;
		r->module_btf_ino = 0;
		return;
	}
	if (st.st_ino == r->module_btf_ino)
		return;
	r->module_btf_ino = st.st_ino;
	if (!vmlinux)
		vmlinux = base = btf__load_vmlinux_btf();
	mod = vmlinux ? btf__load_module_btf(CT_MODULE, (struct btf *)vmlinux) : NULL;
	r->args.known = 0;
	if (!mod || !layout_from(mod, &r->args))
		log_warn("conntrack: no nf_conntrack_net layout in the BTF of %s: the "
			 "per-namespace entry count is not reported",
			 CT_MODULE);
	btf__free(mod);
	btf__free(base);
}

static int run_on(struct ct_netns_reader *r, int cpu)
{
	return walker_run(r->prog_fd, &r->args, sizeof(r->args), cpu);
}

int ct_netns_reader_open(struct ct_netns_reader **out, const struct btf *btf, uint32_t max_netns,
			 bool netns_by_cookie, char *err, size_t errlen)
{
	struct ct_netns_reader *r = calloc(1, sizeof(*r));
	bool has_loop = walker_has_loop();
	struct bpf_program *prog;
	int ret;

	*out = NULL;
	if (!r)
		return -ENOMEM;
	r->ncpus = libbpf_num_possible_cpus();
	r->skel = conntrack_netns_bpf__open();
	if (r->ncpus <= 0 || !r->skel) {
		ret = r->ncpus <= 0 ? r->ncpus : -errno;
		snprintf(err, errlen, "cannot open the namespace reader: %s", strerror(-ret));
		goto cleanup;
	}
	r->bound = has_loop || max_netns < CT_NETNS_BOUNDED ? max_netns : CT_NETNS_BOUNDED;
	r->skel->rodata->max_netns = r->bound;
	r->skel->rodata->max_steps = MAX_STEPS;
	/* The seed's keys must be the conntrack probe's. */
	r->skel->rodata->netns_by_cookie = netns_by_cookie;
	bpf_map__set_max_entries(r->skel->maps.ct_netns_out, r->bound);
	prog = walker_choose(r->skel->progs.ct_netns_read_loop,
			     r->skel->progs.ct_netns_read_bounded);
	ret = conntrack_netns_bpf__load(r->skel);
	if (ret) {
		snprintf(err, errlen, "cannot load the namespace reader: %s", strerror(-ret));
		goto cleanup;
	}
	r->prog_fd = bpf_program__fd(prog);
	r->built_in = layout_from(btf, &r->args);
	layout_update(r, btf);
	/* The first run must be in the daemon's own context: it learns where walks start. */
	ret = run_on(r, -1);
	if (ret) {
		snprintf(err, errlen, "cannot run the namespace reader: %s", strerror(-ret));
		goto cleanup;
	}
	log_info("conntrack: namespace reader loaded (%s, at most %u namespaces)",
		 walker_loop_name(), r->bound);
	*out = r;
	return 0;

cleanup:
	ct_netns_reader_free(r);
	return ret;
}

void ct_netns_reader_free(struct ct_netns_reader *r)
{
	if (!r)
		return;
	conntrack_netns_bpf__destroy(r->skel);
	free(r);
}

void ct_netns_table_free(struct ct_netns_table *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

struct merge {
	struct ct_netns_table *t;
	struct u64map index; /* inum → row index + 1 */
	int seed_fd;
};

static struct ct_netns_row *row_of(struct merge *m, uint32_t inum)
{
	uintptr_t i = (uintptr_t)u64map_get(&m->index, inum);

	if (i)
		return &m->t->v[i - 1];
	i = m->t->n++;
	if (u64map_put(&m->index, inum, (void *)(i + 1)))
		return NULL;
	m->t->v[i] = (struct ct_netns_row){ .inum = inum };
	return &m->t->v[i];
}

/* Adds one CPU's view of one namespace. */
static int merge_sample(struct merge *m, const struct ct_netns_sample *s, int cpu)
{
	struct ct_netns_row *row = row_of(m, s->inum);
	struct ct_cpu_key k = { s->id, cpu };

	if (!row)
		return -ENOMEM;
	for (int f = 0; f < CT_STAT_FIELDS; f++)
		row->sum[f] += s->stat[f];
	row->active = row->active || s->active || (s->has_count && s->entries);
	if (s->has_count && !row->has_count) {
		row->has_count = true;
		row->entries = s->entries;
	}
	if (m->seed_fd >= 0 && s->has_stat &&
	    bpf_map_update_elem(m->seed_fd, &k, &s->stat[CT_STAT_DROP], BPF_ANY))
		return -errno;
	return 0;
}

/* Which CPUs ran, and how far each walk got. */
static int run_all(struct ct_netns_reader *r, struct ct_netns_walk *walks, bool *ran)
{
	bool *online = calloc(r->ncpus, sizeof(*online));
	uint32_t zero = 0;
	int err = online ? cpu_list_read("/sys/devices/system/cpu/online", online, r->ncpus)
			 : -ENOMEM;

	for (int cpu = 0; err >= 0 && cpu < r->ncpus; cpu++) {
		ran[cpu] = false;
		/* A CPU may go offline between the list and the run. */
		if (online[cpu] && !(err = run_on(r, cpu)))
			ran[cpu] = true;
		else if (err == -ENXIO)
			err = 0;
	}
	free(online);
	if (err < 0)
		return err;
	if (bpf_map_lookup_elem(bpf_map__fd(r->skel->maps.ct_netns_walk), &zero, walks))
		return -errno;
	for (int cpu = 0; cpu < r->ncpus; cpu++) {
		if (ran[cpu] && walks[cpu].no_offset)
			return -ENOTSUP;
	}
	return 0;
}

int ct_netns_read(struct ct_netns_reader *r, struct ct_netns_table *out, int seed_fd)
{
	struct ct_netns_walk *walks = calloc(r->ncpus, sizeof(*walks));
	struct ct_netns_sample *vals = calloc(r->ncpus, sizeof(*vals));
	bool *ran = calloc(r->ncpus, sizeof(*ran));
	struct merge m = { .t = out, .seed_fd = seed_fd };
	int fd = bpf_map__fd(r->skel->maps.ct_netns_out);
	uint32_t most = 0;
	int err;

	memset(out, 0, sizeof(*out));
	layout_update(r, NULL);
	err = walks && vals && ran ? run_all(r, walks, ran) : -ENOMEM;
	for (int cpu = 0; !err && cpu < r->ncpus; cpu++) {
		if (!ran[cpu])
			continue;
		if (walks[cpu].sampled > most)
			most = walks[cpu].sampled;
		if (walks[cpu].found - walks[cpu].sampled > out->over_limit)
			out->over_limit = walks[cpu].found - walks[cpu].sampled;
	}
	/* At most `most` namespaces, but each CPU may have seen a different set. */
	out->v = err ? NULL : calloc(most ? (size_t)most * r->ncpus : 1, sizeof(*out->v));
	if (!err && !out->v)
		err = -ENOMEM;
	/* Slot order is walk order, so rows come out in it too. */
	for (uint32_t slot = 0; !err && slot < most; slot++) {
		if (bpf_map_lookup_elem(fd, &slot, vals)) {
			err = -errno;
			break;
		}
		for (int cpu = 0; !err && cpu < r->ncpus; cpu++) {
			if (ran[cpu] && slot < walks[cpu].sampled)
				err = merge_sample(&m, &vals[cpu], cpu);
		}
	}
	u64map_clear(&m.index, NULL);
	free(walks);
	free(vals);
	free(ran);
	if (err)
		ct_netns_table_free(out);
	return err;
}
