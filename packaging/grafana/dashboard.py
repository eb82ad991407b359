#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Writes packaging/grafana/skbtrace-dashboard.json, the Grafana dashboard.

The dashboard is generated so that every panel follows the same rules
(data source variable, label selectors, units, legends) and gridPos never
overlaps; tests/integration/test_grafana_dashboard.sh checks that the JSON
in the tree is this script's output and runs every query on a real
Prometheus.

    packaging/grafana/dashboard.py > packaging/grafana/skbtrace-dashboard.json
"""
import json
import sys

DS = {"type": "prometheus", "uid": "${datasource}"}
# The daemon instances the dashboard shows, and the namespaces it shows of them.
SEL = 'job=~"$job",instance=~"$instance"'
NS = SEL + ',netns=~"$netns"'
RATE = "[$__rate_interval]"


def rate(metric, sel, by):
    return f"sum by ({by}) (rate({metric}{{{sel}}}{RATE}))"


def target(expr, legend="", instant=False, ref="A"):
    t = {"refId": ref, "datasource": DS, "expr": expr, "legendFormat": legend}
    if instant:
        t.update(instant=True, range=False, format="table")
    else:
        t.update(instant=False, range=True)
    return t


def timeseries(title, desc, targets, unit, stack=False):
    custom = {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 10, "showPoints": "never"}
    if stack:
        custom["stacking"] = {"mode": "normal", "group": "A"}
    return {
        "type": "timeseries",
        "title": title,
        "description": desc,
        "datasource": DS,
        "targets": targets,
        "fieldConfig": {"defaults": {"unit": unit, "min": 0, "custom": custom},
                        "overrides": []},
        "options": {
            "legend": {"displayMode": "table", "placement": "right",
                       "calcs": ["mean", "max", "lastNotNull"], "showLegend": True},
            "tooltip": {"mode": "multi", "sort": "desc"},
        },
    }


def stat(title, desc, targets, unit="none"):
    # Whole packets: an exact counter is shown as it is, never averaged.
    return {
        "type": "stat",
        "title": title,
        "description": desc,
        "datasource": DS,
        "targets": targets,
        "fieldConfig": {"defaults": {"unit": unit, "decimals": 0}, "overrides": []},
        "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                    "colorMode": "value", "graphMode": "none", "textMode": "auto"},
    }


def table(title, desc, targets, unit, hide=(), links=None, decimals=None):
    defaults = {"unit": unit}
    if decimals is not None:
        defaults["decimals"] = decimals
    overrides = []
    for field, link in (links or {}).items():
        overrides.append({"matcher": {"id": "byName", "options": field},
                          "properties": [{"id": "links", "value": [link]}]})
    return {
        "type": "table",
        "title": title,
        "description": desc,
        "datasource": DS,
        "targets": targets,
        "fieldConfig": {"defaults": defaults, "overrides": overrides},
        "options": {"showHeader": True, "cellHeight": "sm",
                    "sortBy": [{"displayName": "Value", "desc": True}]},
        "transformations": [{"id": "organize", "options": {
            "excludeByName": {name: True for name in ("Time", "__name__") + tuple(hide)}}}],
    }


def row(title):
    return {"type": "row", "title": title, "collapsed": False, "panels": []}


STACKS_LINK = {
    "title": "Frames on the daemon's /stacks page",
    "url": "http://${__data.fields.instance}/stacks?id=${__value.raw}",
    "targetBlank": True,
}


def stack_table(title, desc, metric, by):
    expr = (f"topk(20, sum by (instance, {by}, stack) (rate({metric}{{{NS}}}{RATE}))"
            f" * on (instance, stack) group_left (frames)"
            f" max by (instance, stack, frames) (skbtrace_stack_info{{{SEL}}}))")
    return table(title, desc, [target(expr, instant=True)], "pps",
                 links={"stack": STACKS_LINK})


# (panel, width, height): rows take the full width.
LAYOUT = [
    (row("Overview"), 24, 1),
    (timeseries("Drops per second by reason",
                "Packets the kernel freed as dropped (skb:kfree_skb), per drop reason.",
                [target(rate("skbtrace_drops_total", NS, "reason"), "{{reason}}")], "pps",
                stack=True), 12, 8),
    (table("Top drop locations",
           "The kernel functions that dropped most, by packets per second over the "
           "rate interval.",
           [target("topk(10, " + rate("skbtrace_drops_total", NS, "location, reason") + ")",
                   instant=True)], "pps"), 12, 8),
    (timeseries("Drops per second by network namespace",
                "Dropped packets per network namespace (inode number, as "
                "`stat -L -c %i /run/netns/NAME` prints it).",
                [target(rate("skbtrace_drops_total", NS, "netns"), "netns {{netns}}")], "pps",
                stack=True), 8, 8),
    (timeseries("Conntrack table-full drops per second",
                "New flows the kernel refused because the conntrack table was full "
                "(nf_conntrack: table full, dropping packet).",
                [target(rate("skbtrace_conntrack_table_full_drops_total", NS, "netns"),
                        "netns {{netns}}")], "pps"), 8, 8),
    (stat("Conntrack table-full drops since the daemon started",
          "Exact count: the counters' current values, summed.",
          [target(f"sum(skbtrace_conntrack_table_full_drops_total{{{NS}}}) or vector(0)")]),
     4, 8),
    (timeseries("TCP resets sent and received",
                "RST segments per second, by direction.",
                [target(rate("skbtrace_tcp_resets_total", NS, "direction"), "{{direction}}")],
                "pps"), 4, 8),

    (row("Stacks"), 24, 1),
    (stack_table("Top drop stacks",
                 "Kernel stacks of dropped packets, by rate, with their frames from "
                 "skbtrace_stack_info. The stack id links to the daemon's /stacks page.",
                 "skbtrace_drop_stacks_total", "reason, netns"), 24, 9),
    (stack_table("Top TCP reset stacks",
                 "Kernel stacks that sent or received a reset, by rate.",
                 "skbtrace_tcp_reset_stacks_total", "direction, origin, netns"), 24, 7),

    (row("Conntrack"), 24, 1),
    (timeseries("Table-full drops per namespace",
                "skbtrace_conntrack_table_full_drops_total, per network namespace.",
                [target(rate("skbtrace_conntrack_table_full_drops_total", NS, "netns"),
                        "netns {{netns}}")], "pps"), 8, 8),
    (timeseries("Entries as % of the limit",
                "nf_conntrack_count over nf_conntrack_max, per namespace: new flows are "
                "dropped at 100%.",
                [target(f"100 * skbtrace_conntrack_entries{{{NS}}}"
                        f" / on (instance, job, netns) skbtrace_conntrack_entries_limit{{{NS}}}",
                        "netns {{netns}}")], "percent"), 8, 8),
    (timeseries("early_drop, insert_failed and invalid per second",
                "The kernel's conntrack statistics: entries evicted from a full table, "
                "entries that could not be inserted, packets conntrack could not track.",
                [target(rate("skbtrace_conntrack_stat_early_drop_total", NS, "netns"),
                        "early_drop netns {{netns}}", ref="A"),
                 target(rate("skbtrace_conntrack_stat_insert_failed_total", NS, "netns"),
                        "insert_failed netns {{netns}}", ref="B"),
                 target(rate("skbtrace_conntrack_stat_invalid_total", NS, "netns"),
                        "invalid netns {{netns}}", ref="C")], "cps"), 8, 8),
    (stack_table("Top table-full drop stacks",
                 "Code paths of the packets dropped for a full table.",
                 "skbtrace_conntrack_table_full_drop_stacks_total", "netns"), 24, 6),

    (row("Firewall"), 24, 1),
    (timeseries("Drops per second by firewall chain",
                "Packets an nftables base chain dropped, by table family, table, base chain "
                "and hook (a drop in a chain reached by jump counts under its base chain). "
                "Empty unless the netfilter probe is enabled and attached: see "
                "docs/netfilter-probe.md.",
                [target(rate("skbtrace_netfilter_drops_total", NS,
                             "family, table, chain, hook"),
                        "{{family}} {{table}} {{chain}} ({{hook}})")], "pps",
                stack=True), 24, 8),

    (row("TCP resets"), 24, 1),
    (timeseries("Resets by origin",
                "Who reset: the local stack answering (passive), the application (active), "
                "or the peer (received).",
                [target(rate("skbtrace_tcp_resets_total", NS, "direction, origin"),
                        "{{direction}} {{origin}}")], "pps"), 8, 8),
    (timeseries("Resets by reason",
                "The kernel's reset reason (enum sk_rst_reason, from BTF) where it has one.",
                [target(rate("skbtrace_tcp_resets_total", NS, "direction, reason"),
                        "{{direction}} {{reason}}")], "pps"), 8, 8),
    (timeseries("Resets by socket state",
                "The TCP state of the socket that sent or got the reset.",
                [target(rate("skbtrace_tcp_resets_total", NS, "direction, state"),
                        "{{direction}} {{state}}")], "pps"), 8, 8),
    (timeseries("Listen overflows per port and namespace",
                "Handshakes dropped because a listener's accept queue was full.",
                [target(rate("skbtrace_tcp_listen_overflows_total", NS, "netns, port"),
                        "port {{port}} netns {{netns}}")], "pps"), 24, 7),

    (row("Daemon health"), 24, 1),
    (table("Probes attached",
           "1 when the probe is attached; method is the attach method the daemon chose "
           "for the running kernel.",
           [target(f"max by (instance, probe, method) (skbtrace_probe_attached{{{SEL}}})",
                   instant=True)], "none", decimals=0), 8, 7),
    (timeseries("Map fill",
                "Entries of each BPF map as a % of its size (limits in the config).",
                [target(f"100 * skbtrace_map_entries{{{SEL}}}"
                        f" / on (instance, job, probe, map) skbtrace_map_max_entries{{{SEL}}}",
                        "{{probe}} {{map}}")], "percent"), 8, 7),
    (timeseries("Map overflow events per second",
                "Events counted in an overflow series because a map was full.",
                [target(rate("skbtrace_map_overflow_events_total", SEL, "probe, map"),
                        "{{probe}} {{map}}")], "cps"), 8, 7),
    (timeseries("Stack sampling",
                "Stacks captured, skipped by the sampling budget, and lost (stack map full "
                "or walk failed), per second.",
                [target(rate("skbtrace_stack_events_total", SEL, "probe, result"),
                        "{{probe}} {{result}}")], "cps"), 12, 7),
    (table("Build info", "Version of each daemon, its libbpf and the running kernel.",
           [target(f"max by (instance, version, libbpf_version, kernel) "
                   f"(skbtrace_build_info{{{SEL}}})", instant=True)], "none",
           hide=("Value",)), 12, 7),
]


def variable(name, label, query, multi=True):
    return {
        "name": name, "label": label, "type": "query", "datasource": DS,
        "definition": query, "query": {"query": query, "refId": name},
        "refresh": 2, "sort": 1, "multi": multi, "includeAll": True, "allValue": ".*",
        "current": {}, "hide": 0, "regex": "", "options": [],
    }


def layout(items):
    panels, x, y, row_h = [], 0, 0, 0
    for pid, (panel, w, h) in enumerate(items, start=1):
        if x + w > 24:
            x, y, row_h = 0, y + row_h, 0
        panel = dict(panel, id=pid, gridPos={"x": x, "y": y, "w": w, "h": h})
        panels.append(panel)
        x += w
        row_h = max(row_h, h)
    return panels


def dashboard():
    netns_query = ('label_values({__name__=~"skbtrace_(drops_total|tcp_resets_total|'
                   'tcp_listen_overflows_total|conntrack_table_full_drops_total|'
                   'conntrack_entries)",' + SEL + '}, netns)')
    return {
        "__inputs": [{"name": "DS_PROMETHEUS", "label": "Prometheus",
                      "description": "The Prometheus that scrapes skbtrace",
                      "type": "datasource", "pluginId": "prometheus",
                      "pluginName": "Prometheus"}],
        "__requires": [
            {"type": "grafana", "id": "grafana", "name": "Grafana", "version": "10.0.0"},
            {"type": "datasource", "id": "prometheus", "name": "Prometheus",
             "version": "1.0.0"},
            {"type": "panel", "id": "timeseries", "name": "Time series", "version": ""},
            {"type": "panel", "id": "table", "name": "Table", "version": ""},
            {"type": "panel", "id": "stat", "name": "Stat", "version": ""},
        ],
        "title": "skbtrace: drops, resets and conntrack",
        "uid": "skbtrace",
        "description": "Where the kernel drops packets and resets connections, and when "
                       "the conntrack table is full. See docs/runbooks.md.",
        "tags": ["skbtrace", "ebpf", "network"],
        "editable": True,
        "graphTooltip": 1,
        "schemaVersion": 38,
        "version": 1,
        "refresh": "30s",
        "time": {"from": "now-1h", "to": "now"},
        "timepicker": {},
        "links": [],
        "annotations": {"list": []},
        "templating": {"list": [
            {"name": "datasource", "label": "Data source", "type": "datasource",
             "query": "prometheus", "hide": 0, "refresh": 1, "regex": "",
             "multi": False, "includeAll": False, "options": [],
             "current": {"selected": False, "text": "Prometheus", "value": "${DS_PROMETHEUS}"}},
            variable("job", "Job", "label_values(skbtrace_build_info, job)"),
            variable("instance", "Instance",
                     'label_values(skbtrace_build_info{job=~"$job"}, instance)'),
            variable("netns", "Network namespace", netns_query),
        ]},
        "panels": layout(LAYOUT),
    }


if __name__ == "__main__":
    json.dump(dashboard(), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
