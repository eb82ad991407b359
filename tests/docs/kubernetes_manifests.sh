#!/usr/bin/env bash
# packaging/kubernetes/skbtrace.yaml parses, and grants what the daemon needs
# and no more: the capabilities of the systemd unit (which test_systemd and
# docs/systemd.md prove), no privileged mode or host namespaces, read-only
# mounts of only the host paths the daemon reads, a read-only root, and the
# port of the shipped config everywhere the port is named.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
command -v /usr/bin/python3 > /dev/null && /usr/bin/python3 -c 'import yaml' 2> /dev/null ||
	{ echo "NA: python3-yaml is not installed"; exit 77; }

/usr/bin/python3 - "$SRC" <<'PY'
import json, re, sys
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

# The host paths the daemon reads (docs/systemd.md): BTF, and tracefs for
# the classic tracepoint method.  /proc/kallsyms is the container's own /proc.
needed = {"/sys/kernel/btf", "/sys/kernel/tracing"}
host = {v["name"]: v["hostPath"]["path"] for v in pod["volumes"] if "hostPath" in v}
check(set(host.values()) == needed, f"host paths {sorted(host.values())} are {sorted(needed)}")
mounts = c["volumeMounts"]
check(all(m.get("readOnly") is True for m in mounts), "every mount is read-only")
check(all(m["mountPath"] == host[m["name"]] for m in mounts if m["name"] in host),
      "host paths are mounted where the daemon looks for them")
cfg_mount = next(m["mountPath"] for m in mounts if m["name"] == "config")
check(f"--config={cfg_mount}/skbtrace.json" in c["args"], "the daemon reads the ConfigMap")
cm = json.loads(kinds["ConfigMap"]["data"]["skbtrace.json"])
# Defaults left out; a probe shipped off stays off.
check(cm["probes"] == [{k: v for k, v in p.items()
                        if k != "attach" and (k, v) != ("enabled", True)}
                       for p in shipped["probes"]] and cm["limits"] == shipped["limits"],
      "the ConfigMap holds the shipped probes and limits")

(cport,) = c["ports"]
check(cport["containerPort"] == port and f"--listen=$(POD_IP):{port}" in c["args"],
      f"the container listens on the shipped port {port}")
svc = kinds["Service"]["spec"]["ports"][0]
check(svc["port"] == port and svc["targetPort"] == cport["name"], "the Service names that port")
pm = kinds["PodMonitor"]["spec"]
check(pm["podMetricsEndpoints"][0]["port"] == cport["name"], "the PodMonitor scrapes that port")
labels = kinds["DaemonSet"]["spec"]["template"]["metadata"]["labels"]
check(all(labels.get(k) == v for k, v in pm["selector"]["matchLabels"].items()) and
      all(labels.get(k) == v for k, v in kinds["Service"]["spec"]["selector"].items()),
      "the Service and the PodMonitor select the DaemonSet's pods")
print(f"{'FAIL' if fails else 'PASS'}: kubernetes_manifests ({checks} checks)")
sys.exit(1 if fails else 0)
PY
