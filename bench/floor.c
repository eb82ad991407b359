// SPDX-License-Identifier: GPL-2.0
/*
 * skbtrace-floor: attaches bench/floor.bpf.c's empty program to
 * tp_btf/kfree_skb, prints "attached" and holds it until SIGINT or SIGTERM.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include "floor.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(void)
{
	struct floor_bpf *skel;
	int err;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	skel = floor_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "skbtrace-floor: cannot load the BPF program\n");
		return 1;
	}
	err = floor_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "skbtrace-floor: cannot attach: %d\n", err);
		goto cleanup;
	}
	printf("attached\n");
	fflush(stdout);
	while (!stop)
		pause();
cleanup:
	floor_bpf__destroy(skel);
	return err ? 1 : 0;
}
