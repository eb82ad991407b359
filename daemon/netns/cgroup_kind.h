/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a cgroup v2 path says about the workload in it: a container of a
 * runtime, a Kubernetes pod, or a systemd service.  Pure string code, from
 * the layouts the runtimes and the kubelet create (docs/metrics.md,
 * skbtrace_netns_info).
 */
#ifndef SKBTRACE_CGROUP_KIND_H
#define SKBTRACE_CGROUP_KIND_H

#include <stddef.h>

#define NETNS_KIND_LEN 16
#define NETNS_NAME_LEN 256
#define NETNS_RUNTIME_LEN 16
#define NETNS_POD_UID_LEN 40 /* 36 and the NUL */

/* The labels of one skbtrace_netns_info series besides netns; "" where not applicable. */
struct netns_identity {
	char kind[NETNS_KIND_LEN]; /* host, netns, container, pod, unit, unknown */
	char name[NETNS_NAME_LEN];
	char runtime[NETNS_RUNTIME_LEN]; /* docker, containerd, crio, podman, nspawn */
	char pod_uid[NETNS_POD_UID_LEN];
};

/*
 * Fills id from path ("/system.slice/docker-<64 hex>.scope", relative to the
 * cgroup v2 root): a pod (kind "pod", pod_uid with dashes, name the uid,
 * runtime from the container's scope when it tells), else the deepest
 * container (kind "container", name the short id, 12 hex, or the machine
 * name), else a service under system.slice (kind "unit", name NAME.service).
 * Returns 0, or -ENOENT when the path is none of them (id untouched).
 */
int cgroup_kind_classify(const char *path, struct netns_identity *id);

#endif /* SKBTRACE_CGROUP_KIND_H */
