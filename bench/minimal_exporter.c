// SPDX-License-Identifier: GPL-2.0
/*
 * skbtrace-minimal-exporter: attaches bench/minimal_exporter.bpf.c to
 * tp_btf/kfree_skb, prints "attached" and holds it until SIGINT or SIGTERM.
 * It exports nothing: bench/run.sh measures what its program costs.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include "minimal_exporter.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(void)
{
	struct minimal_exporter_bpf *skel;
	int err;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	skel = minimal_exporter_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "skbtrace-minimal-exporter: cannot load the BPF program\n");
		return 1;
	}
	err = minimal_exporter_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "skbtrace-minimal-exporter: cannot attach: %d\n", err);
		goto cleanup;
	}
	printf("attached\n");
	fflush(stdout);
	while (!stop)
		pause();
cleanup:
	minimal_exporter_bpf__destroy(skel);
	return err ? 1 : 0;
}
