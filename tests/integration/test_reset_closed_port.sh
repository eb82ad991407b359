#!/usr/bin/env bash
# N connects to a closed port, over IPv4 and IPv6, in a test netns: exactly
# N passive resets sent (reason NO_SOCKET where the kernel names reasons, no
# socket) and exactly N received by the connecting side in SYN_SENT; the
# kernel's own TcpOutRsts agrees.
source "$(dirname "$0")/lib.sh"

N=20
ns=$(netns_create closed)
inode=$(netns_inode "$ns")
write_config "$TMP/config.json" '{ "name": "reset" }'
daemon_start "$TMP/config.json"

in_ns "$ns" nstat -n
out4=$(in_ns "$ns" "$TESTGEN" tcp-connect 127.0.0.1 9 $N 500)
out6=$(in_ns "$ns" "$TESTGEN" tcp-connect ::1 9 $N 500)
log "testgen: $out4 / $out6"
assert_eq "connected 0 refused $N timeout 0 error 0" "$out4" "IPv4 connects refused"
assert_eq "connected 0 refused $N timeout 0 error 0" "$out6" "IPv6 connects refused"
scrape > "$TMP/after"
rsts=$(in_ns "$ns" nstat -a TcpOutRsts | awk '/TcpOutRsts/ { print $2 }')

sent=$(metric_sum "$TMP/after" skbtrace_tcp_resets_total direction=sent netns="$inode")
assert_eq $((2 * N)) "$sent" "resets sent in netns $inode"
assert_eq "$rsts" "$sent" "resets sent = nstat TcpOutRsts"
assert_eq $((2 * N)) "$(metric_sum "$TMP/after" skbtrace_tcp_resets_total direction=sent \
	origin=passive state=no_socket netns="$inode")" "passive resets to no socket"
if has_rst_reasons; then rst_reason=NO_SOCKET; else rst_reason=unknown; fi
assert_eq $((2 * N)) "$(metric_sum "$TMP/after" skbtrace_tcp_resets_total direction=sent \
	reason=$rst_reason netns="$inode")" "reset reason $rst_reason"
assert_eq $((2 * N)) "$(metric_sum "$TMP/after" skbtrace_tcp_resets_total direction=received \
	origin=peer state=SYN_SENT netns="$inode")" "resets received in SYN_SENT"
assert_eq $((2 * N)) "$(metric_sum "$TMP/after" skbtrace_tcp_reset_stacks_total direction=sent \
	origin=passive netns="$inode")" "per-stack passive resets (all within the stack budget)"
stack=$(grep "^skbtrace_tcp_reset_stacks_total{direction=\"sent\",origin=\"passive\",netns=\"$inode\"" \
	"$TMP/after" | sed -n 's/.*stack="\([0-9a-f]*\)".*/\1/p' | head -n1)
[ -n "$stack" ] || fail "no stable stack id for passive resets"
assert_contains "$(grep "^skbtrace_stack_info{stack=\"$stack\"" "$TMP/after")" "send_reset+" \
	"stack $stack shows tcp_v4/v6_send_reset"
scrape "/stacks?id=$stack" > "$TMP/stack.json"
grep -Eq '"key":[[:space:]]*"passive"' "$TMP/stack.json" ||
	fail "/stacks?id=$stack has no hint for origin passive: $(cat "$TMP/stack.json")"
promtool check metrics < "$TMP/after" > "$TMP/promtool" 2>&1 || true
assert_eq "" "$(cat "$TMP/promtool")" "promtool check metrics says nothing"
test_done
