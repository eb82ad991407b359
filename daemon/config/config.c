// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "config.h"
#include "listen_addr.h"
#include "config_filter.h"
#include "config_web.h"
#include "json_path.h"
#include "json_syntax.h"
#include "rows.h"

#define CONFIG_MAX_PROBES 16
#define LIMIT_MAX 1000000
/* Far above any sensible config; stops a wrong --config path from eating memory. */
#define CONFIG_MAX_FILE_SIZE (1 << 20)

static const char *const attach_names[ATTACH_METHOD_COUNT] = {
	[ATTACH_AUTO] = "auto",	    [ATTACH_TP_BTF] = "tp_btf",
	[ATTACH_RAW_TP] = "raw_tp", [ATTACH_TRACEPOINT] = "tracepoint",
	[ATTACH_FENTRY] = "fentry", [ATTACH_KPROBE] = "kprobe",
};

static const char *const stack_mode_names[] = {
	[SKBTRACE_STACKS_OFF] = "off",
	[SKBTRACE_STACKS_ADAPTIVE] = "adaptive",
	[SKBTRACE_STACKS_EXACT] = "exact",
};

const char *attach_method_name(enum attach_method m)
{
	return (unsigned int)m < ATTACH_METHOD_COUNT ? attach_names[m] : "unknown";
}

/* An optional integer key of object `parent`, from min to max, stored times scale. */
static int parse_uint_key(const struct json_err *e, const cJSON *obj, const char *parent,
			  const char *key, uint64_t min, uint64_t max, uint64_t scale,
			  uint32_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char path[JSON_PATH_LEN];
	uint64_t n;

	if (!v)
		return 0;
	json_path_key(path, sizeof(path), parent, key);
	if (json_get_uint(e, v, path, min, max, &n))
		return -EINVAL;
	*out = n * scale;
	return 0;
}

static int parse_limit(const struct json_err *e, const cJSON *obj, const char *key, uint32_t *out)
{
	return parse_uint_key(e, obj, "limits", key, 1, LIMIT_MAX, 1, out);
}

static int parse_limits(const struct json_err *e, const cJSON *v, struct limits_config *l)
{
	static const char *const keys[] = { "max_series", "max_stacks", "max_stack_series",
					    "max_stable_stacks", NULL };

	if (json_expect_object(e, v, "limits") || json_check_keys(e, v, "limits", keys))
		return -EINVAL;
	if (parse_limit(e, v, "max_series", &l->max_series) ||
	    parse_limit(e, v, "max_stacks", &l->max_stacks) ||
	    parse_limit(e, v, "max_stack_series", &l->max_stack_series) ||
	    parse_limit(e, v, "max_stable_stacks", &l->max_stable_stacks))
		return -EINVAL;
	return 0;
}

static int parse_web_uint(const struct json_err *e, const cJSON *obj, const char *key, uint64_t min,
			  uint64_t max, uint64_t scale, uint32_t *out)
{
	return parse_uint_key(e, obj, "web", key, min, max, scale, out);
}

static int parse_web(const struct json_err *e, const cJSON *v, struct web_config *w)
{
	static const char *const keys[] = { "max_connections",
					    "max_connections_per_client",
					    "header_timeout_seconds",
					    "idle_timeout_seconds",
					    "tls_server_config",
					    "basic_auth_users",
					    NULL };
	char path[JSON_PATH_LEN];
	const cJSON *sub;

	if (json_expect_object(e, v, "web") || json_check_keys(e, v, "web", keys))
		return -EINVAL;
	sub = cJSON_GetObjectItemCaseSensitive(v, "tls_server_config");
	if (sub && config_parse_web_tls(e, sub, &w->tls))
		return -EINVAL;
	sub = cJSON_GetObjectItemCaseSensitive(v, "basic_auth_users");
	if (sub && config_parse_basic_auth(e, sub, w))
		return -EINVAL;
	if (parse_web_uint(e, v, "max_connections", 1, 65536, 1, &w->max_connections) ||
	    parse_web_uint(e, v, "max_connections_per_client", 1, 65536, 1,
			   &w->max_connections_per_client) ||
	    parse_web_uint(e, v, "header_timeout_seconds", 1, 3600, 1000, &w->header_timeout_ms) ||
	    parse_web_uint(e, v, "idle_timeout_seconds", 1, 3600, 1000, &w->idle_timeout_ms))
		return -EINVAL;
	if (w->max_connections_per_client && w->max_connections_per_client > w->max_connections) {
		json_path_key(path, sizeof(path), "web", "max_connections_per_client");
		return json_fail(e, path, "at most web.max_connections (%u), got %u",
				 w->max_connections, w->max_connections_per_client);
	}
	return 0;
}

static int parse_listen(const struct json_err *e, const cJSON *v, struct config *cfg)
{
	struct sockaddr_storage ss;
	char why[CONFIG_ERR_LEN];
	const char *s;
	socklen_t len;

	s = json_get_string(e, v, "listen", "a string like \"127.0.0.1:9820\"");
	if (!s)
		return -EINVAL;
	if (strlen(s) >= sizeof(cfg->listen))
		return json_fail(e, "listen", "longer than %zu characters",
				 sizeof(cfg->listen) - 1);
	if (listen_addr_parse(s, &ss, &len, why, sizeof(why)))
		return json_fail(e, "listen", "%s", why);
	strcpy(cfg->listen, s);
	return 0;
}

static int parse_stacks(const struct json_err *e, const cJSON *obj, const char *parent,
			struct stack_config *st)
{
	static const char *const keys[] = { "mode", "budget_per_cpu", "sample_one_in", NULL };
	char path[JSON_PATH_LEN], sub[JSON_PATH_LEN], got[128];
	const cJSON *v;
	uint64_t n;
	int mode = 0;

	json_path_key(path, sizeof(path), parent, "stacks");
	if (json_expect_object(e, obj, path) || json_check_keys(e, obj, path, keys))
		return -EINVAL;
	v = cJSON_GetObjectItemCaseSensitive(obj, "mode");
	json_path_key(sub, sizeof(sub), path, "mode");
	if (v && json_get_enum(e, v, sub, stack_mode_names, 3, &mode))
		return -EINVAL;
	if (v)
		st->mode = mode;
	v = cJSON_GetObjectItemCaseSensitive(obj, "budget_per_cpu");
	json_path_key(sub, sizeof(sub), path, "budget_per_cpu");
	if (v && json_get_uint(e, v, sub, 0, 10000000, &n))
		return -EINVAL;
	if (v)
		st->budget_per_cpu = n;
	v = cJSON_GetObjectItemCaseSensitive(obj, "sample_one_in");
	json_path_key(sub, sizeof(sub), path, "sample_one_in");
	if (v) {
		/* The BPF side samples with a mask, (prandom & (N - 1)) == 0. */
		if (!json_is_uint(v, 1, 65536, &n) || (n & (n - 1))) {
			json_describe(got, sizeof(got), v);
			return json_fail(e, sub, "expected a power of two from 1 to 65536, got %s",
					 got);
		}
		st->sample_one_in = n;
	}
	return 0;
}

/* The index of name in names; defaults.h names the default attach and mode. */
static int name_index(const char *const *names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], name))
			return i;
	return 0;
}

static void probe_defaults(struct probe_config *p)
{
	memset(p, 0, sizeof(*p));
	p->enabled = DEFAULT_PROBE_ENABLED;
	p->attach = name_index(attach_names, ATTACH_METHOD_COUNT, DEFAULT_PROBE_ATTACH);
	p->stacks.mode = name_index(stack_mode_names, 3, DEFAULT_STACKS_MODE);
	p->stacks.budget_per_cpu = DEFAULT_STACKS_BUDGET_PER_CPU;
	p->stacks.sample_one_in = DEFAULT_STACKS_SAMPLE_ONE_IN;
}

static int parse_probe_name(const struct json_err *e, const cJSON *obj, const char *path,
			    config_probe_lookup_fn lookup, struct probe_config *p,
			    unsigned int *mask)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "name");
	char sub[JSON_PATH_LEN], q[128];
	const char *s;

	json_path_key(sub, sizeof(sub), path, "name");
	if (!v)
		return json_fail(e, sub, "missing (expected a probe name)");
	s = json_get_string(e, v, sub, "a probe name");
	if (!s)
		return -EINVAL;
	if (strlen(s) >= sizeof(p->name) || lookup(s, mask) < 0) {
		json_quote(q, sizeof(q), s);
		return json_fail(e, sub, "unknown probe %s", q);
	}
	strcpy(p->name, s);
	return 0;
}

static int parse_probe(const struct json_err *e, const cJSON *obj, const char *path,
		       config_probe_lookup_fn lookup, struct probe_config *p)
{
	static const char *const keys[] = { "name", "enabled", "attach", "filter", "stacks", NULL };
	char sub[JSON_PATH_LEN];
	unsigned int mask = 0;
	const cJSON *v;
	int attach = 0;

	probe_defaults(p);
	snprintf(p->path, sizeof(p->path), "%.*s", (int)sizeof(p->path) - 1, path);
	if (json_expect_object(e, obj, path) || json_check_keys(e, obj, path, keys))
		return -EINVAL;
	if (parse_probe_name(e, obj, path, lookup, p, &mask))
		return -EINVAL;
	v = cJSON_GetObjectItemCaseSensitive(obj, "enabled");
	json_path_key(sub, sizeof(sub), path, "enabled");
	if (v && json_get_bool(e, v, sub, &p->enabled))
		return -EINVAL;
	v = cJSON_GetObjectItemCaseSensitive(obj, "attach");
	json_path_key(sub, sizeof(sub), path, "attach");
	if (v && json_get_enum(e, v, sub, attach_names, ATTACH_METHOD_COUNT, &attach))
		return -EINVAL;
	if (v)
		p->attach = attach;
	v = cJSON_GetObjectItemCaseSensitive(obj, "filter");
	json_path_key(sub, sizeof(sub), path, "filter");
	if (v && config_parse_filter(e, v, sub, p->name, mask, &p->filter))
		return -EINVAL;
	v = cJSON_GetObjectItemCaseSensitive(obj, "stacks");
	if (v && parse_stacks(e, v, path, &p->stacks))
		return -EINVAL;
	return 0;
}

static int parse_probes(const struct json_err *e, const cJSON *v, config_probe_lookup_fn lookup,
			struct config *cfg)
{
	char path[JSON_PATH_LEN], got[128];
	const cJSON *c;
	int n;

	if (!v)
		return json_fail(e, "probes", "missing (expected an array of probes)");
	if (!cJSON_IsArray(v)) {
		json_describe(got, sizeof(got), v);
		return json_fail(e, "probes", "expected an array of probes, got %s", got);
	}
	n = cJSON_GetArraySize(v);
	if (n > CONFIG_MAX_PROBES)
		return json_fail(e, "probes", "too many probes (at most %d)", CONFIG_MAX_PROBES);
	cfg->probes = calloc(n ? n : 1, sizeof(*cfg->probes));
	if (!cfg->probes)
		return json_fail(e, NULL, "out of memory");
	cJSON_ArrayForEach(c, v)
	{
		struct probe_config *p = &cfg->probes[cfg->n_probes];

		json_path_index(path, sizeof(path), "probes", cfg->n_probes);
		if (parse_probe(e, c, path, lookup, p))
			return -EINVAL;
		for (int i = 0; i < cfg->n_probes; i++) {
			if (strcmp(cfg->probes[i].name, p->name))
				continue;
			json_path_key(path, sizeof(path), p->path, "name");
			return json_fail(e, path, "duplicate probe \"%s\" (also %s)", p->name,
					 cfg->probes[i].path);
		}
		cfg->n_probes++;
	}
	return 0;
}

static int parse_root(const struct json_err *e, const cJSON *root, config_probe_lookup_fn lookup,
		      struct config *cfg)
{
	static const char *const keys[] = { "listen", "limits", "web", "probes", NULL };
	const cJSON *v;
	char got[128];

	if (!cJSON_IsObject(root)) {
		json_describe(got, sizeof(got), root);
		return json_fail(e, NULL, "expected a JSON object at the top level, got %s", got);
	}
	if (json_check_keys(e, root, NULL, keys))
		return -EINVAL;
	v = cJSON_GetObjectItemCaseSensitive(root, "listen");
	if (v && parse_listen(e, v, cfg))
		return -EINVAL;
	v = cJSON_GetObjectItemCaseSensitive(root, "limits");
	if (v && parse_limits(e, v, &cfg->limits))
		return -EINVAL;
	v = cJSON_GetObjectItemCaseSensitive(root, "web");
	if (v && parse_web(e, v, &cfg->web))
		return -EINVAL;
	return parse_probes(e, cJSON_GetObjectItemCaseSensitive(root, "probes"), lookup, cfg);
}

static int syntax_error(const char *file, const char *text, size_t offset, const char *reason,
			char *err, size_t errlen)
{
	unsigned int line, col;

	json_line_col(text, offset, &line, &col);
	snprintf(err, errlen, "%s:%u:%u: syntax error: %s", file, line, col, reason);
	return -EINVAL;
}

/* len rather than strlen(text), so that a NUL byte inside a file is a syntax error. */
static int parse_buffer(const char *text, size_t len, const char *file,
			config_probe_lookup_fn lookup, struct config *out, char *err, size_t errlen)
{
	const struct json_err e = { .file = file, .buf = err, .len = errlen };
	const char *body = text, *end = NULL;
	char reason[128];
	size_t offset;
	cJSON *root;
	int ret;

	memset(out, 0, sizeof(*out));
	/* Editors on Windows save a byte-order mark that JSON does not allow but means nothing. */
	if (len >= 3 && !memcmp(body, "\xef\xbb\xbf", 3)) {
		body += 3;
		len -= 3;
	}
	if (json_syntax_check(body, len, &offset, reason, sizeof(reason)))
		return syntax_error(file, body, offset, reason, err, errlen);
	root = cJSON_ParseWithOpts(body, &end, 1);
	if (!root) {
		/* Only reached if cJSON is stricter than the check above, or out of memory. */
		offset = end ? (size_t)(end - body) : 0;
		return syntax_error(file, body, offset, "rejected by the JSON parser", err, errlen);
	}

	snprintf(out->listen, sizeof(out->listen), "%s", CONFIG_DEFAULT_LISTEN);
	out->limits.max_series = DEFAULT_MAX_SERIES;
	out->limits.max_stacks = DEFAULT_MAX_STACKS;
	out->limits.max_stack_series = DEFAULT_MAX_STACK_SERIES;
	out->limits.max_stable_stacks = DEFAULT_MAX_STABLE_STACKS;
	out->web.max_connections = DEFAULT_WEB_MAX_CONNECTIONS;
	out->web.max_connections_per_client = DEFAULT_WEB_MAX_CONNECTIONS_PER_CLIENT;
	out->web.header_timeout_ms = DEFAULT_WEB_HEADER_TIMEOUT_SECONDS * 1000;
	out->web.idle_timeout_ms = DEFAULT_WEB_IDLE_TIMEOUT_SECONDS * 1000;
	out->file = strdup(file);
	ret = out->file ? parse_root(&e, root, lookup, out) : json_fail(&e, NULL, "out of memory");
	if (!out->web.max_connections_per_client)
		out->web.max_connections_per_client = out->web.max_connections;
	cJSON_Delete(root);
	if (ret)
		config_free(out);
	return ret;
}

int config_parse(const char *text, const char *file, config_probe_lookup_fn lookup,
		 struct config *out, char *err, size_t errlen)
{
	return parse_buffer(text, strlen(text), file, lookup, out, err, errlen);
}

/* Returns the whole stream NUL-terminated, or NULL with errno set. */
/*
 * O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer,
 * and the daemon's one thread with it (a reload from the event loop, or
 * --check-config).  Anything but a regular file is refused.
 */
static FILE *open_regular(const char *file, char *err, size_t errlen)
{
	int fd = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	FILE *f;

	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot read: %s", file, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st)) {
		snprintf(err, errlen, "%s: cannot read: %s", file, strerror(errno));
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: cannot read: %s", file,
			 S_ISFIFO(st.st_mode)	? "a FIFO, expected a regular file"
			 : S_ISDIR(st.st_mode)	? "a directory, expected a regular file"
			 : S_ISSOCK(st.st_mode) ? "a socket, expected a regular file"
						: "not a regular file");
		close(fd);
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		snprintf(err, errlen, "%s: cannot read: %s", file, strerror(errno));
		close(fd);
	}
	return f;
}

static char *read_all(FILE *f, size_t *lenp)
{
	size_t len = 0, cap = 0, n;
	char *buf = NULL;
	int saved;

	do {
		if (cap - len < 2) {
			if (cap >= CONFIG_MAX_FILE_SIZE) {
				free(buf);
				errno = EFBIG;
				return NULL;
			}
			if (GROW(&buf, &cap, cap + 1, 4096)) {
				free(buf);
				errno = ENOMEM;
				return NULL;
			}
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n);
	if (ferror(f)) {
		saved = errno;
		free(buf);
		errno = saved;
		return NULL;
	}
	buf[len] = 0;
	*lenp = len;
	return buf;
}

char *config_read_file(const char *file, size_t *len, char *err, size_t errlen)
{
	char *buf;
	FILE *f;
	int saved;

	f = open_regular(file, err, errlen);
	if (!f)
		return NULL;
	buf = read_all(f, len);
	saved = errno;
	fclose(f);
	if (!buf)
		snprintf(err, errlen, "%s: cannot read: %s", file, strerror(saved));
	return buf;
}

int config_load(const char *file, config_probe_lookup_fn lookup, struct config *out, char *err,
		size_t errlen)
{
	char *buf;
	size_t len;
	int ret;

	memset(out, 0, sizeof(*out));
	buf = config_read_file(file, &len, err, errlen);
	if (!buf)
		return -EINVAL;
	ret = parse_buffer(buf, len, file, lookup, out, err, errlen);
	free(buf);
	return ret;
}

void config_free(struct config *cfg)
{
	web_security_free(&cfg->web);
	free(cfg->file);
	free(cfg->probes);
	memset(cfg, 0, sizeof(*cfg));
}

/* Element by element, so that struct padding and unused list slots never count. */
static bool filter_equal(const struct filter_config *a, const struct filter_config *b)
{
	if (a->set != b->set || memcmp(a->protocols, b->protocols, sizeof(a->protocols)) ||
	    a->n_saddr != b->n_saddr || a->n_daddr != b->n_daddr || a->n_sport != b->n_sport ||
	    a->n_dport != b->n_dport || a->n_netns != b->n_netns ||
	    a->n_reason_include != b->n_reason_include ||
	    a->n_reason_exclude != b->n_reason_exclude)
		return false;
	if (memcmp(a->saddr, b->saddr, a->n_saddr * sizeof(a->saddr[0])) ||
	    memcmp(a->daddr, b->daddr, a->n_daddr * sizeof(a->daddr[0])) ||
	    memcmp(a->sport, b->sport, a->n_sport * sizeof(a->sport[0])) ||
	    memcmp(a->dport, b->dport, a->n_dport * sizeof(a->dport[0])) ||
	    memcmp(a->netns, b->netns, a->n_netns * sizeof(a->netns[0])))
		return false;
	for (int i = 0; i < a->n_reason_include; i++)
		if (strcmp(a->reason_include[i], b->reason_include[i]))
			return false;
	for (int i = 0; i < a->n_reason_exclude; i++)
		if (strcmp(a->reason_exclude[i], b->reason_exclude[i]))
			return false;
	return true;
}

bool probe_config_equal(const struct probe_config *a, const struct probe_config *b)
{
	return !strcmp(a->name, b->name) && a->enabled == b->enabled && a->attach == b->attach &&
	       a->stacks.mode == b->stacks.mode &&
	       a->stacks.budget_per_cpu == b->stacks.budget_per_cpu &&
	       a->stacks.sample_one_in == b->stacks.sample_one_in &&
	       filter_equal(&a->filter, &b->filter);
}

bool limits_equal(const struct limits_config *a, const struct limits_config *b)
{
	/* max_stable_stacks sizes no BPF map: a reload applies it to the running table. */
	return a->max_series == b->max_series && a->max_stacks == b->max_stacks &&
	       a->max_stack_series == b->max_stack_series;
}
