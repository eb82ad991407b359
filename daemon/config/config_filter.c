// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "config_filter.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *name;
	uint8_t number;
} protocol_names[] = {
	{ "tcp", 6 },	    { "udp", 17 },  { "icmp", 1 }, { "icmpv6", 58 }, { "sctp", 132 },
	{ "udplite", 136 }, { "dccp", 33 }, { "gre", 47 }, { "esp", 50 },    { "ah", 51 },
};

typedef int (*elem_fn)(const struct json_err *e, const cJSON *v, const char *path, void *ctx);

/*
 * Lists accept a bare scalar as a list of one.  An empty list is refused: in
 * BPF it would mean "no filter", the opposite of what "[]" seems to say.
 */
static int for_each_elem(const struct json_err *e, const cJSON *v, const char *path, int max,
			 const char *what, elem_fn fn, void *ctx)
{
	char sub[JSON_PATH_LEN];
	const cJSON *c;
	int i = 0;

	if (!cJSON_IsArray(v))
		return fn(e, v, path, ctx);
	if (cJSON_GetArraySize(v) == 0)
		return json_fail(e, path, "empty list (leave the key out to match every packet)");
	if (cJSON_GetArraySize(v) > max)
		return json_fail(e, path, "too many %s (at most %d)", what, max);
	cJSON_ArrayForEach(c, v)
	{
		json_path_index(sub, sizeof(sub), path, i++);
		if (fn(e, c, sub, ctx))
			return -EINVAL;
	}
	return 0;
}

static int protocol_elem(const struct json_err *e, const cJSON *v, const char *path, void *ctx)
{
	struct filter_config *f = ctx;
	char got[128], list[160] = "";
	size_t o = 0;
	uint64_t num;

	if (cJSON_IsString(v)) {
		for (size_t i = 0; i < ARRAY_SIZE(protocol_names); i++) {
			if (!strcasecmp(v->valuestring, protocol_names[i].name)) {
				num = protocol_names[i].number;
				goto found;
			}
		}
	} else if (json_is_uint(v, 0, 255, &num)) {
		goto found;
	}
	for (size_t i = 0; i < ARRAY_SIZE(protocol_names); i++)
		o += snprintf(list + o, sizeof(list) - o, "%s, ", protocol_names[i].name);
	json_describe(got, sizeof(got), v);
	return json_fail(e, path,
			 "%s is not a protocol (expected one of %sor a number from 0 to 255)", got,
			 list);
found:
	f->protocols[num / 64] |= 1ULL << (num % 64);
	return 0;
}

static int parse_protocol(const struct json_err *e, const cJSON *v, const char *path,
			  struct filter_config *f)
{
	return for_each_elem(e, v, path, 256, "protocols", protocol_elem, f);
}

struct port_list {
	uint16_t *ports;
	int *n;
};

static int port_elem(const struct json_err *e, const cJSON *v, const char *path, void *ctx)
{
	struct port_list *l = ctx;
	char got[128];
	uint64_t port;

	if (!json_is_uint(v, 1, 65535, &port)) {
		json_describe(got, sizeof(got), v);
		return json_fail(e, path, "%s is not a port", got);
	}
	l->ports[(*l->n)++] = port;
	return 0;
}

static int parse_sport(const struct json_err *e, const cJSON *v, const char *path,
		       struct filter_config *f)
{
	struct port_list l = { f->sport, &f->n_sport };

	return for_each_elem(e, v, path, SKBTRACE_MAX_PORTS, "ports", port_elem, &l);
}

static int parse_dport(const struct json_err *e, const cJSON *v, const char *path,
		       struct filter_config *f)
{
	struct port_list l = { f->dport, &f->n_dport };

	return for_each_elem(e, v, path, SKBTRACE_MAX_PORTS, "ports", port_elem, &l);
}

struct cidr_list {
	struct skbtrace_cidr *cidrs;
	int *n;
};

/* Suggests the network the user most likely meant, since that is the usual mistake. */
static int host_bits_error(const struct json_err *e, const char *path, const char *s,
			   struct skbtrace_cidr *c)
{
	char net[INET6_ADDRSTRLEN];

	for (int bit = c->prefixlen; bit < 128; bit++)
		c->addr[bit / 8] &= ~(0x80 >> (bit % 8));
	inet_ntop(c->family, c->addr, net, sizeof(net));
	return json_fail(e, path, "host bits set in %s (did you mean %s/%d?)", s, net,
			 c->prefixlen);
}

static int cidr_elem(const struct json_err *e, const cJSON *v, const char *path, void *ctx)
{
	struct cidr_list *l = ctx;
	struct skbtrace_cidr c = { 0 };
	const char *s, *slash;
	char addr[INET6_ADDRSTRLEN], q[128];
	size_t alen;
	int max;

	s = json_get_string(e, v, path, "an IPv4 or IPv6 address or CIDR");
	if (!s)
		return -EINVAL;
	slash = strchr(s, '/');
	alen = slash ? (size_t)(slash - s) : strlen(s);
	if (alen >= sizeof(addr))
		goto bad;
	memcpy(addr, s, alen);
	addr[alen] = 0;
	if (inet_pton(AF_INET, addr, c.addr) == 1) {
		c.family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, c.addr) == 1) {
		c.family = AF_INET6;
		max = 128;
	} else {
		goto bad;
	}
	c.prefixlen = max;
	if (slash) {
		const char *p = slash + 1;
		int len = 0;

		/* strtol would take "+8", " 8" and "08"; a prefix is plain digits. */
		if (!*p || strlen(p) > 3 || (p[0] == '0' && p[1]))
			goto bad_prefix;
		for (; *p; p++) {
			if (*p < '0' || *p > '9')
				goto bad_prefix;
			len = len * 10 + (*p - '0');
		}
		if (len > max)
			goto bad_prefix;
		c.prefixlen = len;
	}
	for (int bit = c.prefixlen; bit < max; bit++)
		if (c.addr[bit / 8] & (0x80 >> (bit % 8)))
			return host_bits_error(e, path, s, &c);
	l->cidrs[(*l->n)++] = c;
	return 0;
bad_prefix:
	json_quote(q, sizeof(q), s);
	return json_fail(e, path, "%s: prefix length must be a number from 0 to %d", q, max);
bad:
	json_quote(q, sizeof(q), s);
	return json_fail(e, path, "%s is not an IPv4 or IPv6 address or CIDR", q);
}

static int parse_saddr(const struct json_err *e, const cJSON *v, const char *path,
		       struct filter_config *f)
{
	struct cidr_list l = { f->saddr, &f->n_saddr };

	return for_each_elem(e, v, path, SKBTRACE_MAX_CIDRS, "addresses", cidr_elem, &l);
}

static int parse_daddr(const struct json_err *e, const cJSON *v, const char *path,
		       struct filter_config *f)
{
	struct cidr_list l = { f->daddr, &f->n_daddr };

	return for_each_elem(e, v, path, SKBTRACE_MAX_CIDRS, "addresses", cidr_elem, &l);
}

/* The bytes json_quote() escapes: shown raw, they would garble the log line. */
static bool has_control_char(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static int netns_elem(const struct json_err *e, const cJSON *v, const char *path, void *ctx)
{
	struct filter_config *f = ctx;
	char got[128], q[128];
	const char *shown;
	struct stat st;
	uint64_t ino;

	if (json_is_uint(v, 1, UINT32_MAX, &ino))
		goto add;
	if (!cJSON_IsString(v)) {
		json_describe(got, sizeof(got), v);
		return json_fail(
			e, path,
			"expected a network namespace inode from 1 to 4294967295 or a path, got %s",
			got);
	}
	shown = v->valuestring;
	if (has_control_char(shown) || !*shown) {
		json_quote(q, sizeof(q), shown);
		shown = q;
	}
	/* stat() follows /proc/PID/ns/net and bind mounts to the namespace's own inode. */
	if (stat(v->valuestring, &st))
		return json_fail(e, path, "cannot stat %s: %s", shown, strerror(errno));
	ino = st.st_ino;
	if (ino == 0 || ino > UINT32_MAX)
		return json_fail(e, path, "%s: inode %ju cannot be a network namespace", shown,
				 (uintmax_t)ino);
add:
	f->netns[f->n_netns++] = ino;
	return 0;
}

static int parse_netns(const struct json_err *e, const cJSON *v, const char *path,
		       struct filter_config *f)
{
	return for_each_elem(e, v, path, SKBTRACE_MAX_NETNS, "namespaces", netns_elem, f);
}

static bool is_reason_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static int parse_reason_list(const struct json_err *e, const cJSON *v, const char *path,
			     char (*names)[64], int *n)
{
	char sub[JSON_PATH_LEN], got[128];
	const cJSON *c;

	if (!cJSON_IsArray(v)) {
		json_describe(got, sizeof(got), v);
		return json_fail(e, path, "expected an array of drop reason names, got %s", got);
	}
	if (cJSON_GetArraySize(v) > SKBTRACE_MAX_REASONS)
		return json_fail(e, path, "too many reasons (at most %d)", SKBTRACE_MAX_REASONS);
	cJSON_ArrayForEach(c, v)
	{
		json_path_index(sub, sizeof(sub), path, *n);
		if (!cJSON_IsString(c) || !is_reason_name(c->valuestring)) {
			json_describe(got, sizeof(got), c);
			return json_fail(e, sub,
					 "%s is not a drop reason name (expected upper-case "
					 "letters, digits and _, e.g. NETFILTER_DROP)",
					 got);
		}
		if (strlen(c->valuestring) >= sizeof(names[0]))
			return json_fail(e, sub, "longer than %zu characters",
					 sizeof(names[0]) - 1);
		strcpy(names[(*n)++], c->valuestring);
	}
	return 0;
}

static int parse_reasons(const struct json_err *e, const cJSON *v, const char *path,
			 struct filter_config *f)
{
	static const char *const keys[] = { "include", "exclude", NULL };
	char sub[JSON_PATH_LEN], item[JSON_PATH_LEN];
	const cJSON *c;

	if (json_expect_object(e, v, path) || json_check_keys(e, v, path, keys))
		return -EINVAL;
	c = cJSON_GetObjectItemCaseSensitive(v, "include");
	json_path_key(sub, sizeof(sub), path, "include");
	if (c && parse_reason_list(e, c, sub, f->reason_include, &f->n_reason_include))
		return -EINVAL;
	c = cJSON_GetObjectItemCaseSensitive(v, "exclude");
	json_path_key(sub, sizeof(sub), path, "exclude");
	if (c && parse_reason_list(e, c, sub, f->reason_exclude, &f->n_reason_exclude))
		return -EINVAL;
	for (int i = 0; i < f->n_reason_exclude; i++) {
		for (int j = 0; j < f->n_reason_include; j++) {
			if (strcmp(f->reason_exclude[i], f->reason_include[j]))
				continue;
			json_path_index(item, sizeof(item), sub, i);
			return json_fail(e, item, "\"%s\" is also in include",
					 f->reason_exclude[i]);
		}
	}
	return 0;
}

static const struct {
	const char *key;
	enum filter_field bit;
	int (*parse)(const struct json_err *e, const cJSON *v, const char *path,
		     struct filter_config *f);
} filter_keys[] = {
	{ "protocol", FILTER_PROTOCOL, parse_protocol }, { "saddr", FILTER_SADDR, parse_saddr },
	{ "daddr", FILTER_DADDR, parse_daddr },		 { "sport", FILTER_SPORT, parse_sport },
	{ "dport", FILTER_DPORT, parse_dport },		 { "netns", FILTER_NETNS, parse_netns },
	{ "reasons", FILTER_REASONS, parse_reasons },
};

static const char *const filter_key_names[] = {
	"protocol", "saddr", "daddr", "sport", "dport", "netns", "reasons", NULL,
};

_Static_assert(ARRAY_SIZE(filter_key_names) == ARRAY_SIZE(filter_keys) + 1,
	       "filter_key_names must list every filter key");

int config_parse_filter(const struct json_err *e, const cJSON *obj, const char *path,
			const char *probe_name, unsigned int mask, struct filter_config *out)
{
	char sub[JSON_PATH_LEN];

	if (json_expect_object(e, obj, path) || json_check_keys(e, obj, path, filter_key_names))
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(filter_keys); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, filter_keys[i].key);

		if (!v)
			continue;
		json_path_key(sub, sizeof(sub), path, filter_keys[i].key);
		if (!(mask & filter_keys[i].bit))
			return json_fail(e, sub, "not supported by probe %s", probe_name);
		if (filter_keys[i].parse(e, v, sub, out))
			return -EINVAL;
		out->set |= filter_keys[i].bit;
	}
	return 0;
}
