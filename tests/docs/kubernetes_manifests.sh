#!/usr/bin/env bash
# packaging/kubernetes/skbtrace.yaml parses, and grants what the daemon needs
# and no more: the capabilities of the systemd unit (which test_systemd and
# docs/systemd.md prove), no privileged mode or host namespaces, read-only
# mounts of only the host paths the daemon reads, a read-only root, the
# shipped config byte for byte but for the listen address, its port
# everywhere the port is named, the seccomp profile that seccomp.py makes
# from the runtime's default, and the architectures the Containerfile builds
# for.  tests/integration/test_container.sh plays the pod under podman.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
command -v /usr/bin/python3 > /dev/null && /usr/bin/python3 -c 'import yaml' 2> /dev/null ||
	{ echo "NA: python3-yaml is not installed"; exit 77; }

/usr/bin/python3 - "$SRC" <<'PY'
import json, os, re, subprocess, sys
import yaml

src = sys.argv[1]
fails = []
checks = 0


def check(cond, what):
    global checks
    checks += 1
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        fails.append(what)


with open(f"{src}/packaging/kubernetes/skbtrace.yaml") as f:
    docs = [d for d in yaml.safe_load_all(f) if d]
kinds = {d["kind"]: d for d in docs}
check(set(kinds) == {"Namespace", "ConfigMap", "DaemonSet", "Service", "PodMonitor"},
      f"the manifests parse: {sorted(kinds)}")

unit = open(f"{src}/systemd/skbtrace.service.in").read()
bounding = re.search(r"^CapabilityBoundingSet=(.*)$", unit, re.M).group(1).split()
unit_caps = sorted(c[len("CAP_"):] for c in bounding)
shipped = json.load(open(f"{src}/config/skbtrace.json"))
port = int(shipped["listen"].rsplit(":", 1)[1])

pod = kinds["DaemonSet"]["spec"]["template"]["spec"]
(c,) = pod["containers"]
sc = c["securityContext"]
check(sorted(sc["capabilities"]["add"]) == unit_caps,
      f"capabilities {sorted(sc['capabilities']['add'])} are the unit's {unit_caps}")
check(sc["capabilities"]["drop"] == ["ALL"], "every other capability dropped")
check(sc.get("privileged") is False, "not privileged")
check(sc.get("allowPrivilegeEscalation") is False, "no privilege escalation")
check(sc.get("readOnlyRootFilesystem") is True, "read-only root filesystem")
check(not any(pod.get(k) for k in ("hostNetwork", "hostPID", "hostIPC")),
      "no host network, PID or IPC namespace")

# The host paths the daemon reads (docs/systemd.md): BTF, tracefs for the
# classic tracepoint method, and /run/netns for the `ip netns` names of
# skbtrace_netns_info.  /proc/kallsyms is the container's own /proc.
needed = {"/sys/kernel/btf", "/sys/kernel/tracing", "/run/netns"}
host = {v["name"]: v["hostPath"]["path"] for v in pod["volumes"] if "hostPath" in v}
check(set(host.values()) == needed, f"host paths {sorted(host.values())} are {sorted(needed)}")
mounts = c["volumeMounts"]
check(all(m.get("readOnly") is True for m in mounts), "every mount is read-only")
check(all(m["mountPath"] == host[m["name"]] for m in mounts if m["name"] in host),
      "host paths are mounted where the daemon looks for them")
cfg_mount = next(m["mountPath"] for m in mounts if m["name"] == "config")
check(f"--config={cfg_mount}/skbtrace.json" in c["args"], "the daemon reads the ConfigMap")
netns = next(m for m in mounts if m["name"] in host and host[m["name"]] == "/run/netns")
check(netns.get("mountPropagation") == "HostToContainer",
      "/run/netns propagates namespaces made after the pod started")
# One source for the configuration: config/skbtrace.json, listening on every
# address of the pod's network namespace.
shipped_text = open(f"{src}/config/skbtrace.json").read()
listen_line = f'"listen": "{shipped["listen"]}"'
check(shipped_text.count(listen_line) == 1, f"config/skbtrace.json has one {listen_line}")
want_cm = shipped_text.replace(listen_line, f'"listen": ":{port}"')
check(kinds["ConfigMap"]["data"]["skbtrace.json"] == want_cm,
      "the ConfigMap is config/skbtrace.json byte for byte, but for listen \":%d\"" % port)
check(not any(a.startswith("--listen") for a in c["args"]), "no --listen overrides the ConfigMap")

(cport,) = c["ports"]
check(cport["containerPort"] == port, f"the container port is the shipped port {port}")
svc = kinds["Service"]["spec"]["ports"][0]
check(svc["port"] == port and svc["targetPort"] == cport["name"], "the Service names that port")
pm = kinds["PodMonitor"]["spec"]
check(pm["podMetricsEndpoints"][0]["port"] == cport["name"], "the PodMonitor scrapes that port")
labels = kinds["DaemonSet"]["spec"]["template"]["metadata"]["labels"]
check(all(labels.get(k) == v for k, v in pm["selector"]["matchLabels"].items()) and
      all(labels.get(k) == v for k, v in kinds["Service"]["spec"]["selector"].items()),
      "the Service and the PodMonitor select the DaemonSet's pods")
# Seccomp: the Localhost profile, named alike in the field Kubernetes reads
# and the annotation podman reads, made by seccomp.py from the runtime default.
k8s = f"{src}/packaging/kubernetes"
prof = sc.get("seccompProfile", {})
check(prof.get("type") == "Localhost" and "/" not in prof.get("localhostProfile", "/"),
      f"a Localhost seccomp profile at the top of the profile root: {prof}")
ann = kinds["DaemonSet"]["spec"]["template"]["metadata"].get("annotations", {})
check(ann.get(f"container.seccomp.security.alpha.kubernetes.io/{c['name']}") ==
      f"localhost/{prof.get('localhostProfile')}", "the seccomp annotation names the same profile")
profile = json.load(open(f"{k8s}/{prof.get('localhostProfile')}"))
allowed = {n for r in profile["syscalls"] if r["action"] == "SCMP_ACT_ALLOW" and not r.get("args")
           for n in r["names"]}
check({"bpf", "perf_event_open"} <= allowed, "the profile allows bpf() and perf_event_open()")
check(profile["defaultAction"] != "SCMP_ACT_ALLOW", "the profile refuses what it does not name")
default = "/usr/share/containers/seccomp.json"
if os.path.exists(default):
    made = subprocess.run([sys.executable, f"{k8s}/seccomp.py", default], check=True,
                          capture_output=True, text=True).stdout
    check(made == open(f"{k8s}/{prof['localhostProfile']}").read(),
          f"the profile is what seccomp.py makes from {default}")
else:
    print(f"note: no {default} (containers-common): the profile is not regenerated")

# Architectures: the nodes the DaemonSet may run on are those the image is built for.
terms = pod["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
arches = [e["values"] for t in terms["nodeSelectorTerms"] for e in t["matchExpressions"]
          if e["key"] == "kubernetes.io/arch"]
check(arches == [["amd64", "arm64"]], f"the DaemonSet runs on amd64 and arm64 nodes: {arches}")
cf = open(f"{k8s}/Containerfile").read()
check(re.search(r"^ARG BASE=\S*debian:bookworm-slim$", cf, re.M) and
      re.search(r"^FROM \$\{BASE\}$", cf, re.M),
      "the Containerfile's base is debian:bookworm-slim unless --build-arg BASE says otherwise")
check(re.search(r"^COPY skbtrace_\*_\$\{TARGETARCH\}\.deb ", cf, re.M),
      "the Containerfile installs the .deb of the image's architecture (TARGETARCH)")
print(f"{'FAIL' if fails else 'PASS'}: kubernetes_manifests ({checks} checks)")
sys.exit(1 if fails else 0)
PY
