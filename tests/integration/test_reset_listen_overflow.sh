#!/usr/bin/env bash
# A listener with a tiny backlog that never accepts, in a netns with
# net.ipv4.tcp_abort_on_overflow=1: exactly BACKLOG-1 of 2*BACKLOG handshakes overflow its
# full accept queue and are reset.  skbtrace_tcp_listen_overflows_total for
# that port, the passive resets from the LISTEN socket and the kernel's
# TcpExtListenOverflows / TcpExtListenDrops all agree.  With the default
# tcp_abort_on_overflow=0 the kernel (6.15+) drops those segments with reason
# TCP_LISTEN_OVERFLOW instead, and the overflow count still matches.
source "$(dirname "$0")/lib.sh"

BACKLOG=7
# testgen handshake-overflow completes 2*BACKLOG handshakes one by one; the
# accept queue holds BACKLOG+1 of them and the rest overflow.
OVERFLOWS=$((BACKLOG - 1))
PORT=7200
ns=$(netns_create overflow)
inode=$(netns_inode "$ns")
in_ns "$ns" sysctl -qw net.ipv4.tcp_abort_on_overflow=1
write_config "$TMP/config.json" '{ "name": "reset" }'
daemon_start "$TMP/config.json"

ip netns exec "$ns" "$TESTGEN" listen-defer 127.0.0.1 $PORT $BACKLOG 20 > "$TMP/listen" &
PIDS+=($!)
wait_for_line "$TMP/listen" listening
in_ns "$ns" nstat -n
out=$(in_ns "$ns" "$TESTGEN" handshake-overflow 127.0.0.1 $PORT $BACKLOG)
log "testgen: $out"
scrape > "$TMP/after"
nstat_out=$(in_ns "$ns" nstat -a)
overflows=$(awk '/TcpExtListenOverflows/ { print $2 }' <<< "$nstat_out")
cookies=$(awk '/TcpExtSyncookiesSent/ { print $2 }' <<< "$nstat_out")
drops=$(awk '/TcpExtListenDrops/ { print $2 }' <<< "$nstat_out")

assert_eq "connected $((2 * BACKLOG)) reset $OVERFLOWS" "$out" "clients reset"
# A syncookie handshake would bypass TCP_DEFER_ACCEPT and upset the count.
assert_eq 0 "${cookies:-0}" "nstat TcpExtSyncookiesSent"
assert_eq "$OVERFLOWS" "$overflows" "nstat TcpExtListenOverflows"
assert_eq "$OVERFLOWS" "$drops" "nstat TcpExtListenDrops"
assert_eq "$overflows" "$(metric_sum "$TMP/after" skbtrace_tcp_listen_overflows_total \
	netns="$inode" port=$PORT)" "listen overflows of port $PORT"
assert_eq "$overflows" "$(metric_sum "$TMP/after" skbtrace_tcp_resets_total direction=sent \
	origin=passive state=LISTEN netns="$inode")" "passive resets from the LISTEN socket"
assert_eq "$OVERFLOWS" "$(metric_sum "$TMP/after" skbtrace_tcp_resets_total direction=received \
	netns="$inode")" "resets received by the clients"

# Default tcp_abort_on_overflow=0: no resets; each overflowing handshake's
# segment (and every retransmission of it) is dropped.  The listener is gone
# before anything is read, so retransmissions cannot race the comparison.
if ! grep -q TCP_LISTEN_OVERFLOW <(bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null |
	grep SKB_DROP_REASON_TCP_LISTEN_OVERFLOW); then
	log "kernel has no drop reason TCP_LISTEN_OVERFLOW: abort_on_overflow=0 part skipped"
	test_done
	exit 0
fi
ns0=$(netns_create overflow0)
inode0=$(netns_inode "$ns0")
ip netns exec "$ns0" "$TESTGEN" listen-defer 127.0.0.1 $PORT $BACKLOG 20 > "$TMP/listen0" &
listener=$!
PIDS+=("$listener")
wait_for_line "$TMP/listen0" listening
in_ns "$ns0" nstat -n
out=$(in_ns "$ns0" "$TESTGEN" handshake-overflow 127.0.0.1 $PORT $BACKLOG)
log "testgen (abort_on_overflow=0): $out"
kill "$listener"
wait "$listener" 2>/dev/null || true
# Read the kernel's counter on both sides of the scrape, until nothing moved in between.
overflows0=
scrape_between_still() {
	local before
	before=$(in_ns "$ns0" nstat -a -s | awk '/TcpExtListenOverflows/ { print $2 }')
	scrape > "$TMP/after0"
	overflows0=$(in_ns "$ns0" nstat -a -s | awk '/TcpExtListenOverflows/ { print $2 }')
	[ "$before" = "$overflows0" ]
}
poll 5 scrape_between_still || true
assert_eq "connected $((2 * BACKLOG)) reset 0" "$out" "no client reset"
assert_eq 1 "$((overflows0 >= OVERFLOWS))" "nstat TcpExtListenOverflows >= $OVERFLOWS ($overflows0)"
assert_eq "$overflows0" "$(metric_sum "$TMP/after0" skbtrace_tcp_listen_overflows_total \
	netns="$inode0" port=$PORT)" "listen overflows of port $PORT, abort_on_overflow=0"
assert_eq 0 "$(metric_sum_or_zero "$TMP/after0" skbtrace_tcp_resets_total direction=sent state=LISTEN \
	netns="$inode0")" "no resets from the LISTEN socket"
test_done
