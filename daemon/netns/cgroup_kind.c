// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "cgroup_kind.h"

#define MAX_PARTS 32
#define CONTAINER_ID_LEN 64
#define SHORT_ID_LEN 12
#define UID_LEN 36

struct part {
	const char *s;
	size_t len;
};

static size_t split(const char *path, struct part *parts)
{
	size_t n = 0;

	while (*path && n < MAX_PARTS) {
		size_t len;

		while (*path == '/')
			path++;
		len = strcspn(path, "/");
		if (len)
			parts[n++] = (struct part){ path, len };
		path += len;
	}
	return n;
}

static bool is_hex(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return true;
}

static bool has_prefix(struct part p, const char *prefix)
{
	size_t n = strlen(prefix);

	return p.len >= n && !memcmp(p.s, prefix, n);
}

static bool has_suffix(struct part p, const char *suffix)
{
	size_t n = strlen(suffix);

	return p.len >= n && !memcmp(p.s + p.len - n, suffix, n);
}

static bool equals(struct part p, const char *s)
{
	return p.len == strlen(s) && !memcmp(p.s, s, p.len);
}

/* PREFIX<64 hex>[.scope]: the container id's first 12 digits into out. */
static bool scope_id(struct part p, const char *prefix, char *out)
{
	size_t n = strlen(prefix), len = p.len;

	if (!has_prefix(p, prefix))
		return false;
	if (has_suffix(p, ".scope"))
		len -= strlen(".scope");
	if (len != n + CONTAINER_ID_LEN || !is_hex(p.s + n, CONTAINER_ID_LEN))
		return false;
	snprintf(out, SHORT_ID_LEN + 1, "%.*s", SHORT_ID_LEN, p.s + n);
	return true;
}

/* systemd's unit name escaping ("\x2d" for '-') undone, for machine names. */
static void unescape(const char *s, size_t len, char *out, size_t outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 1 < outlen; i++) {
		unsigned int c;

		if (s[i] == '\\' && i + 3 < len && s[i + 1] == 'x' && is_hex(s + i + 2, 2) &&
		    sscanf(s + i + 2, "%2x", &c) == 1) {
			out[o++] = (char)c;
			i += 3;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
}

static const struct {
	const char *prefix;
	const char *runtime;
} scopes[] = {
	{ "docker-", "docker" },      { "cri-containerd-", "containerd" },
	{ "nerdctl-", "containerd" }, { "crio-", "crio" },
	{ "libpod-", "podman" },
};

/* A container runtime's cgroup, one path component (with its parent). */
static bool container_part(struct part parent, struct part p, struct netns_identity *id)
{
	char shortid[SHORT_ID_LEN + 1];

	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		if (scope_id(p, scopes[i].prefix, shortid)) {
			snprintf(id->runtime, sizeof(id->runtime), "%s", scopes[i].runtime);
			snprintf(id->name, sizeof(id->name), "%s", shortid);
			return true;
		}
	}
	/* Docker's cgroupfs driver: /docker/<64 hex>. */
	if (equals(parent, "docker") && p.len == CONTAINER_ID_LEN && is_hex(p.s, p.len)) {
		snprintf(id->runtime, sizeof(id->runtime), "docker");
		snprintf(id->name, sizeof(id->name), "%.*s", SHORT_ID_LEN, p.s);
		return true;
	}
	/* systemd-nspawn: its own service, or machinectl's scope in machine.slice. */
	if (has_prefix(p, "systemd-nspawn@") && has_suffix(p, ".service") &&
	    p.len > strlen("systemd-nspawn@.service")) {
		snprintf(id->runtime, sizeof(id->runtime), "nspawn");
		unescape(p.s + strlen("systemd-nspawn@"), p.len - strlen("systemd-nspawn@.service"),
			 id->name, sizeof(id->name));
		return true;
	}
	if (equals(parent, "machine.slice") && has_prefix(p, "machine-") &&
	    has_suffix(p, ".scope") && p.len > strlen("machine-.scope")) {
		snprintf(id->runtime, sizeof(id->runtime), "nspawn");
		unescape(p.s + strlen("machine-"), p.len - strlen("machine-.scope"), id->name,
			 sizeof(id->name));
		return true;
	}
	return false;
}

/* A pod uid, 8-4-4-4-12 hex digits, separated by sep. */
static bool pod_uid(const char *s, size_t len, char sep, char *out)
{
	if (len != UID_LEN)
		return false;
	for (size_t i = 0; i < UID_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != sep : !is_hex(s + i, 1))
			return false;
	}
	for (size_t i = 0; i < UID_LEN; i++)
		out[i] = s[i] == sep ? '-' : s[i];
	out[UID_LEN] = '\0';
	return true;
}

/*
 * The kubelet's pod cgroup: kubepods[-QOS]-pod<uid with _>.slice (systemd
 * driver) or pod<uid> under /kubepods[/QOS] (cgroupfs driver).
 */
static bool pod_part(struct part root, struct part p, char *uid)
{
	const char *pod;

	if (has_prefix(p, "kubepods") && has_suffix(p, ".slice")) {
		pod = memmem(p.s, p.len, "-pod", 4);
		if (pod) {
			pod += 4;
			return pod_uid(pod, p.s + p.len - strlen(".slice") - pod, '_', uid);
		}
	}
	return equals(root, "kubepods") && has_prefix(p, "pod") &&
	       pod_uid(p.s + 3, p.len - 3, '-', uid);
}

int cgroup_kind_classify(const char *path, struct netns_identity *id)
{
	struct part parts[MAX_PARTS];
	struct netns_identity c = { 0 };
	size_t n = split(path, parts);
	bool pod = false, container = false;

	for (size_t i = 0; i < n && !pod; i++)
		pod = pod_part(parts[0], parts[i], c.pod_uid);
	for (size_t i = n; i-- > 0 && !container;)
		container = container_part(i ? parts[i - 1] : (struct part){ "", 0 }, parts[i], &c);
	if (pod) {
		snprintf(c.kind, sizeof(c.kind), "pod");
		snprintf(c.name, sizeof(c.name), "%s", c.pod_uid);
		*id = c;
		return 0;
	}
	if (container) {
		snprintf(c.kind, sizeof(c.kind), "container");
		*id = c;
		return 0;
	}
	if (n >= 2 && equals(parts[0], "system.slice")) {
		for (size_t i = 1; i < n; i++) {
			if (has_suffix(parts[i], ".service") && parts[i].len > strlen(".service")) {
				memset(&c, 0, sizeof(c));
				snprintf(c.kind, sizeof(c.kind), "unit");
				snprintf(c.name, sizeof(c.name), "%.*s", (int)parts[i].len,
					 parts[i].s);
				*id = c;
				return 0;
			}
		}
	}
	return -ENOENT;
}
