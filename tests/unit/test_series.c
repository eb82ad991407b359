// SPDX-License-Identifier: GPL-2.0
/*
 * The one collector (series.c) against a per-CPU hash filled from user
 * space: nothing is loaded or attached.  Creating a map needs CAP_BPF;
 * without it the test is skipped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "check.h"
#include "expo.h"
#include "probe.h"
#include "series.h"

struct key {
	uint32_t a, b;
	uint64_t c;
};

static const char *const names[] = { "zero", "one" };

static const struct series_desc desc = {
	.name = "t_total",
	.help = "T.",
	.map = "drop_counts",
	.overflow = 1,
	.labels = { { "a", SERIES_UINT, SERIES_FIELD(struct key, a) },
		    { "b", SERIES_NAMES, SERIES_FIELD(struct key, b), .names = names,
		      .n_names = 2 },
		    { "c", SERIES_UINT, SERIES_FIELD(struct key, c) } },
};

static int ncpus, map_fd;

/* Sets key's per-CPU values: CPU 0 gets v0, the last CPU v1 (if there are two). */
static int put(int fd, struct key k, uint64_t v0, uint64_t v1)
{
	uint64_t *v = calloc(ncpus, sizeof(*v));
	int err;

	if (!v)
		return -ENOMEM;
	v[0] = v0;
	v[ncpus - 1] += v1;
	err = bpf_map_update_elem(fd, &k, v, BPF_ANY);
	free(v);
	return err;
}

static char *collect(struct probe *p, const struct series_desc *d, struct skbtrace_stats *st)
{
	struct probe_env env = { 0 };
	struct expo *e = expo_new();
	size_t len = 0;
	char *s;

	struct series_maps m = {
		.fd = map_fd, .cache_fd = -1, .key_size = sizeof(struct key), .max_entries = 4
	};
	int err = series_collect_maps(p, d, &m, e, &env, st);

	if (err)
		fprintf(stderr, "series_collect: %s\n", strerror(-err));
	CHECK(err == 0);
	s = expo_render(e, &len);
	expo_free(e);
	return s;
}

int main(void)
{
	struct probe_ops ops = { .name = "t" };
	struct probe p = { .ops = &ops, .stack_map_fd = -1 };
	struct skbtrace_stats st = { 0 };
	char *s;
	int fd;

	ncpus = libbpf_num_possible_cpus();
	CHECK(ncpus > 0);
	if (ncpus <= 0)
		return check_summary("test_series");
	fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, "t", sizeof(struct key), sizeof(uint64_t), 4,
			    NULL);
	if (fd < 0) {
		check_skip("cannot create a BPF map (needs CAP_BPF): series.c not checked");
		return check_summary("test_series");
	}
	map_fd = fd;

	/* Summed over CPUs; SERIES_NAMES beyond its names is "unknown". */
	CHECK(!put(fd, (struct key){ 7, 1, 1ULL << 40 }, 5, 7));
	CHECK(!put(fd, (struct key){ 8, 9, 0 }, 1, 0));
	st.overflow[1] = (struct skbtrace_overflow){ .events = 2, .amount = 3 };
	s = collect(&p, &desc, &st);
	CHECK_CONTAINS(s, "# TYPE t_total counter\n");
	CHECK_CONTAINS(s, "t_total{a=\"7\",b=\"one\",c=\"1099511627776\"} 12\n");
	CHECK_CONTAINS(s, "t_total{a=\"8\",b=\"unknown\",c=\"0\"} 1\n");
	/* What found the map full still counts, in the overflow series. */
	CHECK_CONTAINS(s, "t_total{a=\"overflow\",b=\"overflow\",c=\"overflow\"} 3\n");
	CHECK_CONTAINS(s, "skbtrace_map_entries{probe=\"t\",map=\"drop_counts\"} 2\n");
	CHECK_CONTAINS(s,
		       "skbtrace_map_overflow_events_total{probe=\"t\",map=\"drop_counts\"} 2\n");
	free(s);

	/* A per-stack family is not collected with stacks off. */
	{
		struct series_desc d = desc;

		d.stacks = true;
		p.cfg.stacks.mode = SKBTRACE_STACKS_OFF;
		s = collect(&p, &d, &st);
		CHECK(s && !strstr(s, "t_total"));
		free(s);
	}
	close(fd);
	return check_summary("test_series");
}
