// SPDX-License-Identifier: GPL-2.0
/* Naming a namespace's workload from its task's cgroup v2 path, in every layout the runtimes make. */
#include <errno.h>
#include "cgroup_kind.h"
#include "check.h"

#define ID64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define SHORT "0123456789ab"
#define UID "8e2f1f3b-7c1a-4b6e-9f00-1a2b3c4d5e6f"
#define UID_ "8e2f1f3b_7c1a_4b6e_9f00_1a2b3c4d5e6f"

static void expect(const char *path, const char *kind, const char *name, const char *runtime,
		   const char *pod_uid)
{
	struct netns_identity id = { .kind = "unset" };
	int ret = cgroup_kind_classify(path, &id);

	if (!kind) {
		CHECK(ret == -ENOENT);
		CHECK_STR_EQ(id.kind, "unset");
		return;
	}
	CHECK(ret == 0);
	CHECK_STR_EQ(id.kind, kind);
	CHECK_STR_EQ(id.name, name);
	CHECK_STR_EQ(id.runtime, runtime);
	CHECK_STR_EQ(id.pod_uid, pod_uid);
}

int main(void)
{
	/* Docker, systemd and cgroupfs drivers. */
	expect("/system.slice/docker-" ID64 ".scope", "container", SHORT, "docker", "");
	expect("/docker/" ID64, "container", SHORT, "docker", "");
	/* containerd's CRI plugin and nerdctl outside Kubernetes. */
	expect("/system.slice/cri-containerd-" ID64 ".scope", "container", SHORT, "containerd", "");
	expect("/system.slice/nerdctl-" ID64 ".scope", "container", SHORT, "containerd", "");
	/* CRI-O; podman, systemd (rootful and rootless) and cgroupfs. */
	expect("/system.slice/crio-" ID64 ".scope", "container", SHORT, "crio", "");
	expect("/machine.slice/libpod-" ID64 ".scope", "container", SHORT, "podman", "");
	expect("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID64 ".scope",
	       "container", SHORT, "podman", "");
	expect("/machine.slice/libpod-" ID64 ".scope/container", "container", SHORT, "podman", "");
	expect("/libpod_parent/libpod-" ID64, "container", SHORT, "podman", "");
	/* podman's conmon is no container. */
	expect("/machine.slice/libpod-conmon-" ID64 ".scope", NULL, NULL, NULL, NULL);
	/* systemd-nspawn, its own service or machinectl's scope; names unescaped. */
	expect("/machine.slice/systemd-nspawn@web\\x2d1.service/payload", "container", "web-1",
	       "nspawn", "");
	expect("/machine.slice/systemd-nspawn@db.service/payload/system.slice/foo.service",
	       "container", "db", "nspawn", "");
	expect("/machine.slice/machine-web\\x2d2.scope", "container", "web-2", "nspawn", "");
	expect("/system.slice/machine-x.scope", NULL, NULL, NULL, NULL);
	/* A container inside a container: the innermost. */
	expect("/system.slice/docker-" ID64 ".scope/docker/"
	       "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210",
	       "container", "fedcba987654", "docker", "");

	/* The kubelet, systemd driver: QoS classes, runtimes in the pod's slice. */
	expect("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_
	       ".slice/cri-containerd-" ID64 ".scope",
	       "pod", UID, "containerd", UID);
	expect("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	       ".slice/crio-" ID64 ".scope",
	       "pod", UID, "crio", UID);
	expect("/kubepods.slice/kubepods-pod" UID_ ".slice/docker-" ID64 ".scope", "pod", UID,
	       "docker", UID);
	expect("/kubepods.slice/kubepods-pod" UID_ ".slice", "pod", UID, "", UID);
	/* cgroupfs driver: the container's directory is its bare id. */
	expect("/kubepods/burstable/pod" UID "/" ID64, "pod", UID, "", UID);
	expect("/kubepods/pod" UID "/" ID64, "pod", UID, "", UID);
	expect("/kubepods/besteffort/pod" UID "/" ID64, "pod", UID, "", UID);
	/* Not a uid: wrong length, separator or digits. */
	expect("/kubepods/pod" UID "0/x", NULL, NULL, NULL, NULL);
	expect("/kubepods.slice/kubepods-pod" UID ".slice", NULL, NULL, NULL, NULL);
	expect("/kubepods/podXe2f1f3b-7c1a-4b6e-9f00-1a2b3c4d5e6f/x", NULL, NULL, NULL, NULL);
	expect("/other/pod" UID "/x", NULL, NULL, NULL, NULL);

	/* A service with PrivateNetwork, possibly in a sub-slice or a child cgroup. */
	expect("/system.slice/foo.service", "unit", "foo.service", "", "");
	expect("/system.slice/system-getty.slice/getty@tty1.service", "unit", "getty@tty1.service",
	       "", "");
	expect("/system.slice/foo.service/child", "unit", "foo.service", "", "");

	/* Nothing to say: the root, init, user sessions, ids of the wrong length. */
	expect("/", NULL, NULL, NULL, NULL);
	expect("", NULL, NULL, NULL, NULL);
	expect("/init.scope", NULL, NULL, NULL, NULL);
	expect("/system.slice", NULL, NULL, NULL, NULL);
	expect("/user.slice/user-1000.slice/session-3.scope", NULL, NULL, NULL, NULL);
	expect("/system.slice/docker-0123.scope", NULL, NULL, NULL, NULL);
	expect("/system.slice/docker-" ID64 "0.scope", NULL, NULL, NULL, NULL);
	expect("/docker/" SHORT, NULL, NULL, NULL, NULL);
	expect("/system.slice/"
	       "docker-0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"
	       ".scope",
	       NULL, NULL, NULL, NULL);
	return check_summary("test_cgroup_kind");
}
