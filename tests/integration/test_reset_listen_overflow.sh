#!/usr/bin/env bash
# A listener with a tiny backlog that never accepts, in a netns with
# net.ipv4.tcp_abort_on_overflow=1: exactly BACKLOG handshakes overflow its
# full accept queue and are reset.  skbtrace_tcp_listen_overflows_total for
# that port, the passive resets from the LISTEN socket and the kernel's
# TcpExtListenOverflows / TcpExtListenDrops all agree.
source "$(dirname "$0")/lib.sh"

BACKLOG=6
PORT=7200
ns=$(netns_create overflow)
inode=$(netns_inode "$ns")
in_ns "$ns" sysctl -qw net.ipv4.tcp_abort_on_overflow=1
write_config "$TMP/config.json" '{ "name": "reset" }'
daemon_start "$TMP/config.json"

ip netns exec "$ns" "$TESTGEN" listen-defer 127.0.0.1 $PORT $BACKLOG 20 > "$TMP/listen" &
PIDS+=($!)
for _ in $(seq 1 50); do grep -q listening "$TMP/listen" && break; sleep 0.1; done
in_ns "$ns" nstat -n
out=$(in_ns "$ns" "$TESTGEN" handshake-overflow 127.0.0.1 $PORT $BACKLOG)
log "testgen: $out"
scrape > "$TMP/after"
nstat_out=$(in_ns "$ns" nstat -a)
overflows=$(awk '/TcpExtListenOverflows/ { print $2 }' <<< "$nstat_out")
drops=$(awk '/TcpExtListenDrops/ { print $2 }' <<< "$nstat_out")

assert_eq "connected $((2 * BACKLOG + 1)) reset $BACKLOG" "$out" "clients reset"
assert_eq "$BACKLOG" "$overflows" "nstat TcpExtListenOverflows"
assert_eq "$BACKLOG" "$drops" "nstat TcpExtListenDrops"
assert_eq "$overflows" "$(metric_sum "$TMP/after" skbtrace_tcp_listen_overflows_total \
	netns="$inode" port=$PORT)" "listen overflows of port $PORT"
assert_eq "$overflows" "$(metric_sum "$TMP/after" skbtrace_tcp_listen_overflows_total)" \
	"listen overflows anywhere"
assert_eq "$overflows" "$(metric_sum "$TMP/after" skbtrace_tcp_resets_total direction=sent \
	origin=passive state=LISTEN netns="$inode")" "passive resets from the LISTEN socket"
assert_eq "$BACKLOG" "$(metric_sum "$TMP/after" skbtrace_tcp_resets_total direction=received \
	netns="$inode")" "resets received by the clients"
test_done
