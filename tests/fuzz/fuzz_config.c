// SPDX-License-Identifier: GPL-2.0
/*
 * The config file as the daemon reads it: config_load() on a file holding
 * the input (a memfd, so nothing touches the disk), through the strict
 * syntax pass, cJSON and the schema checks, with the daemon's probe names.
 * Besides crashes, it fails on what config.h promises: a rejected config
 * leaves *out zeroed, and its error is one line that starts with the file.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "config.h"
#include "listen_addr.h"
#include "probe.h"

static void check_error(const char *file, const char *err)
{
	size_t n = strlen(file);

	if (strncmp(err, file, n) || err[n] != ':') {
		fprintf(stderr, "error does not start with \"%s:\": %s\n", file, err);
		abort();
	}
	for (const unsigned char *p = (const unsigned char *)err; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			fprintf(stderr, "control byte 0x%02x in the error: %s\n", *p, err);
			abort();
		}
	}
}

/* What the daemon goes on to use without checking again. */
static void check_accepted(const struct config *cfg)
{
	struct sockaddr_storage ss;
	char why[CONFIG_ERR_LEN];
	socklen_t len;

	if (listen_addr_parse(cfg->listen, &ss, &len, why, sizeof(why))) {
		fprintf(stderr, "accepted listen address fails to parse: %s\n", why);
		abort();
	}
	for (int i = 0; i < cfg->n_probes; i++) {
		const struct stack_config *st = &cfg->probes[i].stacks;

		if (!st->sample_one_in || (st->sample_one_in & (st->sample_one_in - 1))) {
			fprintf(stderr, "accepted sample_one_in %u\n", st->sample_one_in);
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct config zero;
	char file[64], err[CONFIG_ERR_LEN] = "";
	struct config cfg;
	int fd, ret;

	fd = memfd_create("fuzz-config", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		perror("memfd");
		abort();
	}
	snprintf(file, sizeof(file), "/proc/self/fd/%d", fd);
	ret = config_load(file, probe_lookup_for_config, &cfg, err, sizeof(err));
	close(fd);
	if (ret) {
		if (memcmp(&cfg, &zero, sizeof(cfg))) {
			fprintf(stderr, "rejected config not zeroed: %s\n", err);
			abort();
		}
		check_error(file, err);
	} else {
		check_accepted(&cfg);
	}
	config_free(&cfg);
	return 0;
}
