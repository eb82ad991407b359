#!/usr/bin/env bash
# A port filter keeps the resets of one port and leaves those of another out,
# exactly.  sport is the local port of the connection on this host: for a
# passive reset the port the refused segment was sent to.
source "$(dirname "$0")/lib.sh"

ns=$(netns_create rfilter)
inode=$(netns_inode "$ns")
write_config "$TMP/config.json" \
	"{ \"name\": \"reset\", \"filter\": { \"sport\": 7301, \"netns\": $inode } }"
daemon_start "$TMP/config.json"

in_ns "$ns" "$TESTGEN" tcp-connect 127.0.0.1 7301 12 500 > /dev/null # kept
in_ns "$ns" "$TESTGEN" tcp-connect 127.0.0.1 7302 8 500 > /dev/null  # filtered out
"$TESTGEN" tcp-connect 127.0.0.1 7301 5 500 > /dev/null              # other netns
scrape > "$TMP/after"

assert_eq 12 "$(metric_sum "$TMP/after" skbtrace_tcp_resets_total direction=sent netns="$inode")" \
	"resets sent from port 7301"
# The clients' own ports are ephemeral: their received resets fail the filter.
assert_eq 0 "$(metric_sum_or_zero "$TMP/after" skbtrace_tcp_resets_total direction=received)" \
	"received resets (local port is the client's)"
assert_eq 12 "$(metric_sum "$TMP/after" skbtrace_tcp_resets_total)" "all resets counted anywhere"
assert_eq 1 "$(( $(metric_sum "$TMP/after" skbtrace_probe_filtered_events_total probe=reset) >= 8 + 20 ))" \
	"filtered events include the other port's and the clients' resets"

daemon_stop
write_config "$TMP/dport.json" \
	"{ \"name\": \"reset\", \"filter\": { \"dport\": 7301, \"netns\": $inode } }"
daemon_start "$TMP/dport.json"
in_ns "$ns" "$TESTGEN" tcp-connect 127.0.0.1 7301 7 500 > /dev/null
in_ns "$ns" "$TESTGEN" tcp-connect 127.0.0.1 7302 4 500 > /dev/null
scrape > "$TMP/dport"
assert_eq 7 "$(metric_sum "$TMP/dport" skbtrace_tcp_resets_total direction=received \
	netns="$inode")" "resets received from remote port 7301"
assert_eq 7 "$(metric_sum "$TMP/dport" skbtrace_tcp_resets_total)" "all resets, dport filter"

# Listen overflows are filtered by the listening (local) port as well.
daemon_stop
in_ns "$ns" sysctl -qw net.ipv4.tcp_abort_on_overflow=1
write_config "$TMP/overflow.json" \
	"{ \"name\": \"reset\", \"filter\": { \"sport\": 7401, \"netns\": $inode } }"
daemon_start "$TMP/overflow.json"
for port in 7401 7402; do
	ip netns exec "$ns" "$TESTGEN" listen-defer 127.0.0.1 $port 4 20 > "$TMP/listen$port" &
	PIDS+=($!)
	wait_for_line "$TMP/listen$port" listening
	assert_eq "connected 8 reset 3" "$(in_ns "$ns" "$TESTGEN" handshake-overflow 127.0.0.1 $port 4)" \
		"handshakes overflowing port $port"
done
scrape > "$TMP/overflow"
assert_eq 3 "$(metric_sum "$TMP/overflow" skbtrace_tcp_listen_overflows_total netns="$inode" port=7401)" \
	"listen overflows of port 7401"
assert_eq 3 "$(metric_sum "$TMP/overflow" skbtrace_tcp_listen_overflows_total)" \
	"listen overflows anywhere (port 7402 filtered out)"
test_done
