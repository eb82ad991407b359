#!/usr/bin/env bash
# A bulk TCP transfer over lo in a test netns with 20% of its data segments
# lost: the segments the sender retransmits, counted by the retransmit probe
# in that netns, equal the kernel's own count exactly: TcpRetransSegs minus
# TcpExtTCPRetransFail (retransmits that never left the host; the probe
# counts only those that did).  lo's MTU is lowered so that skbs carry
# several segments (GSO) and the segment count, not the skb count, is
# checked.  Loss comes from netem where the kernel has it, else from an
# nftables rule on the receiver's input (a drop on output would fail the
# send, which TCP retries as a first transmission, not a retransmit).
source "$(dirname "$0")/lib.sh"

PORT=7500
BYTES=$((4 * 1024 * 1024))
ns=$(netns_create retrans)
inode=$(netns_inode "$ns")
in_ns "$ns" ip link set lo mtu 1500
# Only data segments to the receiver are lost: a lost SYN or handshake ACK
# would bring SYN-ACK retransmits, which TcpRetransSegs counts and
# tcp:tcp_retransmit_skb does not see (docs/retransmit-probe.md).  With
# netem, nftables picks those segments (skb priority 1:3 → the prio qdisc's
# third band, where netem sits); netem's losses look sent to TCP.
data="tcp dport $PORT meta length > 200"
if in_ns "$ns" tc qdisc add dev lo root handle 1: prio 2> /dev/null &&
	in_ns "$ns" tc qdisc add dev lo parent 1:3 handle 30: netem loss 20% 2> /dev/null; then
	loss=netem
	rule="$data meta priority set 1:3"
	hook=output
else
	in_ns "$ns" tc qdisc del dev lo root 2> /dev/null || true
	loss=nftables
	rule="$data numgen random mod 5 == 0 counter drop"
	hook=input
fi
in_ns "$ns" nft -f - << NFT || test_na "nftables cannot select segments here ($loss)"
table inet skbtrace_test {
	chain c {
		type filter hook $hook priority 0;
		$rule
	}
}
NFT
log "loss induced with $loss"

write_config "$TMP/config.json" '{ "name": "retransmit", "stacks": { "mode": "exact" } }'
daemon_start "$TMP/config.json"
assert_contains "$(cat "$DAEMON_LOG")" "probe retransmit: attached with" "attach method logged"

ip netns exec "$ns" "$TESTGEN" serve 127.0.0.1 $PORT 40 > "$TMP/serve" &
PIDS+=($!)
wait_for_line "$TMP/serve" listening
in_ns "$ns" bash -c "exec 3> /dev/tcp/127.0.0.1/$PORT && head -c $BYTES /dev/zero >&3" ||
	fail "transfer to port $PORT failed"
# The sender's close returns before its last retransmits: read the kernel's
# counters on both sides of a scrape until nothing moved in between.
kernel_retrans() {
	in_ns "$ns" nstat -az TcpRetransSegs TcpExtTCPRetransFail |
		awk '/TcpRetransSegs/ { s = $2 } /TcpExtTCPRetransFail/ { f = $2 }
			END { print s - f, s, f }'
}
for _ in $(seq 1 20); do
	sleep 0.5
	before=$(kernel_retrans)
	scrape > "$TMP/after"
	[ "$before" = "$(kernel_retrans)" ] &&
		[ -z "$(in_ns "$ns" ss -Htn state all "dport = :$PORT" | grep -v TIME-WAIT)" ] && break
done
read -r sent segs fails <<< "$before"
log "TcpRetransSegs $segs, TcpExtTCPRetransFail $fails ($loss)"

assert_eq 1 "$((sent > 0))" "retransmits happened ($sent)"
assert_eq "$sent" "$(metric_sum "$TMP/after" skbtrace_tcp_retransmits_total netns="$inode")" \
	"retransmitted segments = TcpRetransSegs - TcpExtTCPRetransFail"
assert_eq 1 "$(metric_sum "$TMP/after" skbtrace_probe_attached probe=retransmit)" \
	"skbtrace_probe_attached for the retransmit probe"
events=$(metric_sum "$TMP/after" skbtrace_probe_events_total probe=retransmit)
log "retransmit events (skbs) $events, segments $sent"
assert_eq "$sent" "$(metric_sum "$TMP/after" skbtrace_tcp_retransmit_stacks_total \
	netns="$inode")" "per-stack segments (stacks.mode exact)"
stack=$(grep "^skbtrace_tcp_retransmit_stacks_total{netns=\"$inode\"" "$TMP/after" |
	sed -n 's/.*stack="\([0-9a-f]*\)".*/\1/p' | head -n1)
[ -n "$stack" ] || fail "no stable stack id for retransmits"
assert_contains "$(grep "^skbtrace_stack_info{stack=\"$stack\"" "$TMP/after")" \
	"tcp_retransmit_skb+" "stack $stack shows tcp_retransmit_skb"
promtool_check "$TMP/after"
test_done
