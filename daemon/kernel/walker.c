// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "walker.h"

bool walker_has_loop(void)
{
	static int has = -1;

	if (has < 0)
		has = libbpf_probe_bpf_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_loop, NULL) ==
		      1;
	return has;
}

const char *walker_loop_name(void)
{
	return walker_has_loop() ? "bpf_loop" : "bounded loop";
}

struct bpf_program *walker_choose(struct bpf_program *loop, struct bpf_program *bounded)
{
	bool has_loop = walker_has_loop();

	bpf_program__set_autoload(has_loop ? bounded : loop, false);
	return has_loop ? loop : bounded;
}

int walker_run(int prog_fd, const void *ctx, size_t ctx_size, int cpu)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = ctx, .ctx_size_in = ctx_size);

	if (cpu >= 0) {
		opts.flags = BPF_F_TEST_RUN_ON_CPU;
		opts.cpu = cpu;
	}
	return bpf_prog_test_run_opts(prog_fd, &opts) ? -errno : 0;
}
