// SPDX-License-Identifier: GPL-2.0
/*
 * The loader of a comparison program of bench/run.sh (skbtrace-floor:
 * floor.bpf.c's empty program; skbtrace-minimal-exporter: one per-CPU hash
 * update per drop, minimal_exporter.bpf.c): attaches it to tp_btf/kfree_skb,
 * prints "attached" and holds it until SIGINT or SIGTERM.  It exports
 * nothing: run.sh measures what the program costs.  One source for both,
 * built once per skeleton (bench/CMakeLists.txt defines SKEL, SKEL_H and NAME).
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define SKEL_FN(f) CAT(CAT(SKEL, _bpf__), f)
#include SKEL_H

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(void)
{
	struct CAT(SKEL, _bpf) * skel;
	int err;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	skel = SKEL_FN(open_and_load)();
	if (!skel) {
		fprintf(stderr, "%s: cannot load the BPF program\n", NAME);
		return 1;
	}
	err = SKEL_FN(attach)(skel);
	if (err) {
		fprintf(stderr, "%s: cannot attach: %d\n", NAME, err);
		goto cleanup;
	}
	printf("attached\n");
	fflush(stdout);
	while (!stop)
		pause();
cleanup:
	SKEL_FN(destroy)(skel);
	return err ? 1 : 0;
}
