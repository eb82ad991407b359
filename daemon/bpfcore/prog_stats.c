// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "expo.h"
#include "kfree_skb_chain.h"
#include "probe.h"
#include "prog_stats.h"
#include "sysfs.h"
#include "self_metrics.h"

#define STATS_SYSCTL "/proc/sys/kernel/bpf_stats_enabled"

/* Read at every scrape: an operator may turn the statistics on or off at any time. */
static bool stats_enabled(void)
{
	uint64_t on = 0;

	return !read_u64_file(STATS_SYSCTL, &on) && on == 1;
}

struct families {
	struct expo_family *seconds;
	struct expo_family *runs;
};

static int add_program(const struct families *fam, const char *probe,
		       const struct bpf_program *prog)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);
	struct expo_label l[] = { { "probe", probe }, { "program", bpf_program__name(prog) } };
	int fd = bpf_program__fd(prog);

	/* Not loaded: another method's program, or one the kernel lacked a function for. */
	if (fd < 0)
		return 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	return expo_add_double(fam->seconds, l, 2, (double)info.run_time_ns / 1e9)
		       ?: expo_add_u64(fam->runs, l, 2, info.run_cnt);
}

int prog_stats_expo(struct expo *e, const struct probe *probes, int n_probes, bool with_dispatchers)
{
	struct families fam;
	struct bpf_program *prog;
	int err = 0;

	if (!stats_enabled())
		return 0;
	fam.seconds = expo_self_family(e, SM_BPF_PROGRAM_RUN_SECONDS_TOTAL);
	fam.runs = expo_self_family(e, SM_BPF_PROGRAM_RUNS_TOTAL);
	if (!fam.seconds || !fam.runs)
		return -ENOMEM;
	for (int m = 0; with_dispatchers && !err && m < ATTACH_METHOD_COUNT; m++) {
		const struct bpf_program *d = kfree_skb_chain_dispatcher(m);

		if (d)
			err = add_program(&fam, "dispatch", d);
	}
	for (int i = 0; !err && i < n_probes; i++) {
		if (!probes[i].attached || !probes[i].obj)
			continue;
		bpf_object__for_each_program (prog, probes[i].obj) {
			if (kfree_skb_chain_has(prog))
				continue;
			err = add_program(&fam, probes[i].ops->name, prog);
			if (err)
				break;
		}
	}
	return err;
}
