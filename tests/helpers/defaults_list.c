// SPDX-License-Identifier: GPL-2.0
/*
 * Prints every default of daemon/config/defaults.h as "PATH VALUE", VALUE in
 * JSON, for tests/docs/defaults.sh to find in config/skbtrace.json,
 * docs/config.md and skbtrace.json(5).  The values come from the header the
 * daemon is built with, so the documents are checked against the code.
 */
#include <stdbool.h>
#include <stdio.h>

#include "defaults.h"

int main(void)
{
	printf("listen \"%s\"\n", CONFIG_DEFAULT_LISTEN);
	printf("limits.max_series %d\n", DEFAULT_MAX_SERIES);
	printf("limits.max_stacks %d\n", DEFAULT_MAX_STACKS);
	printf("limits.max_stack_series %d\n", DEFAULT_MAX_STACK_SERIES);
	printf("limits.max_stable_stacks %d\n", DEFAULT_MAX_STABLE_STACKS);
	printf("web.max_connections %d\n", DEFAULT_WEB_MAX_CONNECTIONS);
	/* 0 stands for "as many as web.max_connections". */
	if (DEFAULT_WEB_MAX_CONNECTIONS_PER_CLIENT)
		printf("web.max_connections_per_client %d\n", DEFAULT_WEB_MAX_CONNECTIONS_PER_CLIENT);
	else
		printf("web.max_connections_per_client web.max_connections\n");
	printf("web.header_timeout_seconds %d\n", DEFAULT_WEB_HEADER_TIMEOUT_SECONDS);
	printf("web.idle_timeout_seconds %d\n", DEFAULT_WEB_IDLE_TIMEOUT_SECONDS);
	printf("probes[].enabled %s\n", DEFAULT_PROBE_ENABLED ? "true" : "false");
	printf("probes[].attach \"%s\"\n", DEFAULT_PROBE_ATTACH);
	printf("probes[].stacks.mode \"%s\"\n", DEFAULT_STACKS_MODE);
	printf("probes[].stacks.budget_per_cpu %d\n", DEFAULT_STACKS_BUDGET_PER_CPU);
	printf("probes[].stacks.sample_one_in %d\n", DEFAULT_STACKS_SAMPLE_ONE_IN);
	return 0;
}
