#!/usr/bin/env python3
"""Wraps the DaemonSet of packaging/kubernetes/skbtrace.yaml for `podman kube play`.

podman 4.3 plays Pods and Deployments, not DaemonSets: the DaemonSet's pod
template goes verbatim into a one-replica Deployment; only the image
reference changes.  The ConfigMaps it names come along unchanged.
  packaging/kubernetes/kube-play.py packaging/kubernetes/skbtrace.yaml IMAGE > POD.yaml
"""
import copy
import sys

import yaml

manifest, image = sys.argv[1:3]
with open(manifest) as f:
    docs = [d for d in yaml.safe_load_all(f) if d]
(ds,) = [d for d in docs if d["kind"] == "DaemonSet"]
template = copy.deepcopy(ds["spec"]["template"])
for c in template["spec"]["containers"]:
    c["image"] = image
deployment = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": copy.deepcopy(ds["metadata"]),
    "spec": {"replicas": 1, "selector": ds["spec"]["selector"], "template": template},
}
config_maps = [d for d in docs if d["kind"] == "ConfigMap"]
yaml.safe_dump_all(config_maps + [deployment], sys.stdout, sort_keys=False)
