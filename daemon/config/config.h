/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's configuration: parsed from JSON with cJSON, validated
 * strictly (unknown keys are errors) and turned into plain structs.
 */
#ifndef SKBTRACE_CONFIG_H
#define SKBTRACE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "skbtrace.h"
#include "web_config.h"
#include "defaults.h"

#define CONFIG_ERR_LEN 512
#define CONFIG_NAME_LEN 32

enum attach_method {
	ATTACH_AUTO = 0,
	ATTACH_TP_BTF,
	ATTACH_RAW_TP,
	ATTACH_TRACEPOINT,
	ATTACH_FENTRY,
	ATTACH_KPROBE,
	ATTACH_METHOD_COUNT,
};

/* Which filter keys a probe understands; a key outside the mask is a config error. */
enum filter_field {
	FILTER_PROTOCOL = 1 << 0,
	FILTER_SADDR = 1 << 1,
	FILTER_DADDR = 1 << 2,
	FILTER_SPORT = 1 << 3,
	FILTER_DPORT = 1 << 4,
	FILTER_NETNS = 1 << 5,
	FILTER_REASONS = 1 << 6,
	FILTER_ALL = (1 << 7) - 1,
};

struct filter_config {
	unsigned int set; /* enum filter_field bits present in the file */
	uint64_t protocols[4];
	struct skbtrace_cidr saddr[SKBTRACE_MAX_CIDRS];
	int n_saddr;
	struct skbtrace_cidr daddr[SKBTRACE_MAX_CIDRS];
	int n_daddr;
	uint16_t sport[SKBTRACE_MAX_PORTS];
	int n_sport;
	uint16_t dport[SKBTRACE_MAX_PORTS];
	int n_dport;
	uint32_t netns[SKBTRACE_MAX_NETNS];
	int n_netns;
	/* Names as written; each probe resolves them against the kernel's BTF. */
	char reason_include[SKBTRACE_MAX_REASONS][64];
	int n_reason_include;
	char reason_exclude[SKBTRACE_MAX_REASONS][64];
	int n_reason_exclude;
};

struct stack_config {
	enum skbtrace_stack_mode mode;
	uint32_t budget_per_cpu;
	uint32_t sample_one_in; /* power of two */
};

struct probe_config {
	char name[CONFIG_NAME_LEN];
	char path[CONFIG_NAME_LEN]; /* "probes[N]", for error messages */
	bool enabled;
	enum attach_method attach;
	struct filter_config filter;
	struct stack_config stacks;
};

struct limits_config {
	uint32_t max_series;	    /* per-probe counter map entries */
	uint32_t max_stacks;	    /* per-probe stack table entries */
	uint32_t max_stack_series;  /* per-probe stack counter map entries */
	uint32_t max_stable_stacks; /* the daemon's symbolized stacks, of all probes */
};

struct config {
	char *file;
	char listen[128];
	struct limits_config limits;
	struct web_config web;
	struct probe_config *probes;
	int n_probes;
};

/*
 * Tells the parser which probe names exist and which filter keys each
 * accepts; returns -ENOENT for an unknown name.
 */
typedef int (*config_probe_lookup_fn)(const char *name, unsigned int *filter_mask);

/*
 * Parses and validates.  On error returns -EINVAL and writes one line to err:
 *   "FILE:LINE:COL: syntax error: ..." or "FILE: JSON.PATH: what was expected".
 * On error *out is left zeroed, so config_free() is safe either way.
 * config_load() reads FILE and parses it so; config_parse(), a test-only
 * hook (with ksym_cache_size() and http_auth_bcrypt_runs()), takes the text
 * itself, for the unit tests and the fuzzer.
 */
int config_parse(const char *text, const char *file, config_probe_lookup_fn lookup,
		 struct config *out, char *err, size_t errlen);
int config_load(const char *file, config_probe_lookup_fn lookup, struct config *out, char *err,
		size_t errlen);
void config_free(struct config *cfg);

/* True when two probe configs would load the very same BPF program. */
bool probe_config_equal(const struct probe_config *a, const struct probe_config *b);
/* True when two limits size every probe's BPF maps alike (max_stable_stacks sizes none). */
bool limits_equal(const struct limits_config *a, const struct limits_config *b);

/*
 * A whole regular file, NUL-terminated, at most 1 MiB; never blocks on a
 * FIFO.  On error returns NULL with "FILE: cannot read: REASON" in err.
 */
char *config_read_file(const char *file, size_t *len, char *err, size_t errlen);

const char *attach_method_name(enum attach_method m);

#endif /* SKBTRACE_CONFIG_H */
