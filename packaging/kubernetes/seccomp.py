#!/usr/bin/env python3
"""Makes skbtrace-seccomp.json, the Localhost seccomp profile of skbtrace.yaml.

It is the container runtime's default profile (podman's and CRI-O's, from
containers-common: /usr/share/containers/seccomp.json) resolved for the
capabilities the DaemonSet grants (BPF, PERFMON, SYSLOG) on amd64 and arm64,
plus bpf() and perf_event_open(), which that default allows only to
CAP_SYS_ADMIN.  The kernel still asks for CAP_BPF and CAP_PERFMON: the
profile only stops seccomp from refusing first.

The result uses only the OCI runtime spec's fields (no per-capability or
per-architecture conditions), so that containerd, CRI-O and podman read it
alike.
  packaging/kubernetes/seccomp.py [DEFAULT_PROFILE] > packaging/kubernetes/skbtrace-seccomp.json
"""
import json
import sys

CAPS = {"CAP_BPF", "CAP_PERFMON", "CAP_SYSLOG"}
ARCHES = {"amd64": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
          "arm64": ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"]}
ADDED = ["bpf", "perf_event_open"]

path = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/containers/seccomp.json"
with open(path) as f:
    default = json.load(f)


def applies(rule):
    inc, exc = rule.get("includes") or {}, rule.get("excludes") or {}
    if not set(inc.get("caps") or []) <= CAPS or set(exc.get("caps") or []) & CAPS:
        return False
    if inc.get("arches") and not set(inc["arches"]) & set(ARCHES):
        return False
    if exc.get("arches") and set(ARCHES) <= set(exc["arches"]):
        return False
    # A rule for a minimum kernel version would tie the profile to one node's kernel.
    if inc.get("minKernel") or exc.get("minKernel"):
        sys.exit(f"seccomp.py: {path}: a rule depends on the kernel version: {rule['names']}")
    return True


syscalls = []
for rule in default["syscalls"]:
    if not applies(rule):
        continue
    names = [n for n in rule["names"] if n not in ADDED]
    if not names:
        continue
    out = {"names": names, "action": rule["action"]}
    if rule.get("args"):
        out["args"] = rule["args"]
    if "errnoRet" in rule:
        out["errnoRet"] = rule["errnoRet"]
    syscalls.append(out)
syscalls.append({"names": ADDED, "action": "SCMP_ACT_ALLOW"})

profile = {"defaultAction": default["defaultAction"]}
if "defaultErrnoRet" in default:
    profile["defaultErrnoRet"] = default["defaultErrnoRet"]
profile["architectures"] = [a for arch in ARCHES.values() for a in arch]
profile["syscalls"] = syscalls
json.dump(profile, sys.stdout, indent=1)
sys.stdout.write("\n")
