#!/usr/bin/env bash
# Bounded maps never lose an event: with room for one series, drops of
# further namespaces are counted in the overflow series, so the family's sum
# stays exact; with room for one stack, other stacks count as "lost"; with
# room for one per-stack series, the per-stack family keeps its sum exact the
# same way, as every counting map does.
source "$(dirname "$0")/lib.sh"

ns1=$(netns_create of1)
ns2=$(netns_create of2)
ns3=$(netns_create of3)
i1=$(netns_inode "$ns1")
i2=$(netns_inode "$ns2")
i3=$(netns_inode "$ns3")
nft_drop_udp_port "$ns3" 9999
cat > "$TMP/config.json" <<JSON
{
	"listen": "127.0.0.1:0",
	"limits": { "max_series": 1, "max_stacks": 1, "max_stack_series": 8 },
	"probes": [ { "name": "drop", "stacks": { "mode": "exact" },
		      "filter": { "netns": [ $i1, $i2, $i3 ] } } ]
}
JSON
daemon_start "$TMP/config.json"

in_ns "$ns1" "$TESTGEN" udp 127.0.0.1 8888 10 > /dev/null # takes the one series, NO_SOCKET
in_ns "$ns2" "$TESTGEN" udp 127.0.0.1 8888 7 > /dev/null  # overflow
in_ns "$ns3" "$TESTGEN" udp 127.0.0.1 9999 5 > /dev/null  # overflow, and another stack
scrape > "$TMP/m"

assert_eq 10 "$(metric_sum "$TMP/m" skbtrace_drops_total netns="$i1")" "drops in the one series"
assert_eq 12 "$(metric_sum "$TMP/m" skbtrace_drops_total reason=overflow location=overflow netns=overflow)" \
	"drops in the overflow series"
assert_eq 22 "$(metric_sum "$TMP/m" skbtrace_drops_total)" "sum over the family"
assert_eq 12 "$(metric_sum "$TMP/m" skbtrace_map_overflow_events_total probe=drop map=drop_counts)" \
	"overflow events of drop_counts"
assert_eq 1 "$(metric_sum "$TMP/m" skbtrace_map_entries probe=drop map=drop_counts)" "entries"
assert_eq 22 "$(metric_sum "$TMP/m" skbtrace_drop_stacks_total)" "per-stack sum stays exact"
# Which drops take the one stack slot depends on the path the kernel took
# first (loopback output has more than one), but the NETFILTER_DROP path
# differs from every NO_SOCKET one, so at least its 5 drops are lost.
lost=$(metric_sum "$TMP/m" skbtrace_drop_stacks_total stack=lost)
[ "$lost" -ge 5 ] || fail "at least the 5 NETFILTER_DROP stacks must be lost, got $lost"
assert_eq 1 "$(grep '^skbtrace_drop_stacks_total' "$TMP/m" | grep -v 'stack="lost"' |
	sed 's/.*stack="\([^"]*\)".*/\1/' | sort -u | wc -l)" "one stack id besides lost"
assert_eq "$lost" "$(metric_sum "$TMP/m" skbtrace_stack_events_total probe=drop result=lost)" \
	"lost stack events"
out=$(promtool check metrics < "$TMP/m" 2>&1) || fail "promtool: $out"
assert_eq "" "$out" "promtool accepts the overflow series"

# The per-stack map full: one series, the rest in its overflow series.
daemon_stop
sed -i 's/"max_series": 1, "max_stacks": 1, "max_stack_series": 8/"max_series": 8, "max_stacks": 8, "max_stack_series": 1/' \
	"$TMP/config.json"
daemon_start "$TMP/config.json"
in_ns "$ns1" "$TESTGEN" udp 127.0.0.1 8888 10 > /dev/null
in_ns "$ns2" "$TESTGEN" udp 127.0.0.1 8888 7 > /dev/null
in_ns "$ns3" "$TESTGEN" udp 127.0.0.1 9999 5 > /dev/null
scrape > "$TMP/s"
assert_eq 22 "$(metric_sum "$TMP/s" skbtrace_drops_total)" "drops, every namespace in its series"
assert_eq 1 "$(grep '^skbtrace_drop_stacks_total' "$TMP/s" | grep -vc 'stack="overflow"')" \
	"one per-stack series besides overflow"
# ns1's first drop took the one series: ns2's and ns3's (and any other
# stack of ns1's, loopback output has more than one) are in the overflow.
over=$(metric_sum "$TMP/s" skbtrace_drop_stacks_total reason=overflow netns=overflow stack=overflow)
[ "$over" -ge 12 ] || fail "at least 12 per-stack drops in the overflow series, got $over"
assert_eq 22 "$(metric_sum "$TMP/s" skbtrace_drop_stacks_total)" "per-stack sum stays exact"
assert_eq "$over" "$(metric_sum "$TMP/s" skbtrace_map_overflow_events_total probe=drop \
	map=drop_stack_counts)" "overflow events of drop_stack_counts"
out=$(promtool check metrics < "$TMP/s" 2>&1) || fail "promtool: $out"
assert_eq "" "$out" "promtool accepts the per-stack overflow series"
test_done
