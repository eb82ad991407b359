#!/usr/bin/env bash
# Where the netfilter probe cannot attach (the 6.18 test host: fexit is
# refused, kprobes are off), the daemon says so in its log and its metrics
# and runs on: the drop probe still counts an nft drop exactly.  Exit 77
# where the probe attaches (test_netfilter_chains covers that).  About 3 s.
source "$(dirname "$0")/lib.sh"

N=20
ns=$(netns_create nfu)
inode=$(netns_inode "$ns")
reason=$(drop_reason NETFILTER_DROP)
nft_drop_udp_port "$ns" 9999

write_config "$TMP/config.json" '{ "name": "drop" }' '{ "name": "netfilter" }'
daemon_start "$TMP/config.json"
scrape > "$TMP/before"
if [ "$(metric_sum "$TMP/before" skbtrace_probe_attached probe=netfilter)" = 1 ]; then
	test_na "the netfilter probe attaches on this kernel: see test_netfilter_chains"
fi

assert_eq 1 "$(metric_sum "$TMP/before" skbtrace_probe_enabled probe=netfilter)" \
	"skbtrace_probe_enabled{probe=netfilter}"
assert_eq 0 "$(metric_sum "$TMP/before" skbtrace_probe_attached probe=netfilter)" \
	"skbtrace_probe_attached{probe=netfilter}"
assert_eq 1 "$(metric_sum "$TMP/before" skbtrace_probe_attached probe=drop)" \
	"skbtrace_probe_attached{probe=drop}"
for m in fentry kprobe; do
	grep -q "probe netfilter: $m is not usable here: " "$DAEMON_LOG" ||
		fail "no log line for $m: $(cat "$DAEMON_LOG")"
done
assert_contains "$(cat "$DAEMON_LOG")" \
	"probe netfilter: cannot attach: " "the final log line"
assert_contains "$(grep 'probe netfilter: cannot attach' "$DAEMON_LOG")" \
	"the daemon runs on without it" "the daemon says it runs on"
grep -q "^skbtrace_netfilter_drops_total" "$TMP/before" &&
	fail "an unattached probe serves series"

before=$(metric_sum_or_zero "$TMP/before" skbtrace_drops_total reason="$reason" netns="$inode")
in_ns "$ns" "$TESTGEN" udp 127.0.0.1 9999 $N > /dev/null
scrape > "$TMP/after"
assert_eq "$N" "$(nft_counter "$ns" inet skbtrace_test out)" "nft rule counter"
assert_eq "$N" "$(($(metric_sum "$TMP/after" skbtrace_drops_total reason="$reason" \
	netns="$inode") - before))" "the drop probe still counts $reason in netns $inode"
kill -0 "$DAEMON_PID" || fail "the daemon exited"
promtool_check "$TMP/after"
test_done
