#!/usr/bin/env bash
# N established connections closed with SO_LINGER {1,0}: exactly N active
# resets sent by the client and N received by the server, as the kernel's
# TcpExtTCPAbortOnData and TcpOutRsts count them.
source "$(dirname "$0")/lib.sh"

N=15
ns=$(netns_create linger)
inode=$(netns_inode "$ns")
write_config "$TMP/config.json" '{ "name": "reset" }'
daemon_start "$TMP/config.json"

ip netns exec "$ns" "$TESTGEN" serve 127.0.0.1 7100 20 > "$TMP/serve" &
PIDS+=($!)
wait_for_line "$TMP/serve" listening
in_ns "$ns" nstat -n
assert_eq "reset $N" "$(in_ns "$ns" "$TESTGEN" linger-close 127.0.0.1 7100 $N)" "linger-close"
sleep 0.2
scrape > "$TMP/after"
nstat_out=$(in_ns "$ns" nstat -a)
abort=$(awk '/TcpExtTCPAbortOnData/ { print $2 }' <<< "$nstat_out")
rsts=$(awk '/TcpOutRsts/ { print $2 }' <<< "$nstat_out")

assert_eq "$N" "$(metric_sum "$TMP/after" skbtrace_tcp_resets_total direction=sent origin=active \
	netns="$inode")" "active resets sent"
assert_eq "$abort" "$N" "nstat TcpExtTCPAbortOnData"
assert_eq "$rsts" "$(metric_sum "$TMP/after" skbtrace_tcp_resets_total direction=sent \
	netns="$inode")" "all resets sent = nstat TcpOutRsts"
assert_eq 0 "$(metric_sum_or_zero "$TMP/after" skbtrace_tcp_resets_total direction=sent origin=passive \
	netns="$inode")" "no passive resets"
assert_eq "$N" "$(metric_sum "$TMP/after" skbtrace_tcp_resets_total direction=received \
	state=ESTABLISHED netns="$inode")" "resets received by the server"
assert_eq "$N" "$(metric_sum "$TMP/after" skbtrace_tcp_reset_stacks_total direction=sent \
	origin=active netns="$inode")" "per-stack active resets"
stack=$(grep "^skbtrace_tcp_reset_stacks_total{direction=\"sent\",origin=\"active\",netns=\"$inode\"" \
	"$TMP/after" | sed -n 's/.*stack="\([0-9a-f]*\)".*/\1/p' | head -n1)
assert_contains "$(grep "^skbtrace_stack_info{stack=\"$stack\"" "$TMP/after")" \
	"tcp_send_active_reset+" "stack $stack shows tcp_send_active_reset"
test_done
