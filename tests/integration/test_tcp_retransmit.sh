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
# Every attach method the probe has; function probes are refused.
source "$(dirname "$0")/lib.sh"

PORT=7500
BYTES=${SKBTRACE_RETRANSMIT_BYTES:-$((2 * 1024 * 1024))}

# lossy_netns SUFFIX → a netns whose lo loses 20% of the data segments to
# PORT.  Only data segments are lost: a lost SYN or handshake ACK would bring
# SYN-ACK retransmits, which TcpRetransSegs counts and tcp:tcp_retransmit_skb
# does not see (docs/retransmit-probe.md).  With netem, nftables picks those
# segments (skb priority 1:3 → the prio qdisc's third band, where netem
# sits); netem's losses look sent to TCP.  Logs which one it used.
lossy_netns() {
	local ns data rule hook LOSS
	ns=$(netns_create "$1")
	in_ns "$ns" ip link set lo mtu 1500
	data="tcp dport $PORT meta length > 200"
	if in_ns "$ns" tc qdisc add dev lo root handle 1: prio 2> /dev/null &&
		in_ns "$ns" tc qdisc add dev lo parent 1:3 handle 30: netem loss 20% 2> /dev/null; then
		LOSS=netem
		rule="$data meta priority set 1:3"
		hook=output
	else
		in_ns "$ns" tc qdisc del dev lo root 2> /dev/null || true
		LOSS=nftables
		rule="$data numgen random mod 5 == 0 counter drop"
		hook=input
	fi
	in_ns "$ns" nft -f - << NFT > /dev/null || test_na "nftables cannot select segments ($LOSS)"
table inet skbtrace_test {
	chain c {
		type filter hook $hook priority 0;
		$rule
	}
}
NFT
	log "netns $ns: loss induced with $LOSS" >&2
	echo "$ns"
}

# kernel_retrans NETNS → "retransmits-that-left segments fails"
kernel_retrans() {
	in_ns "$1" nstat -az TcpRetransSegs TcpExtTCPRetransFail |
		awk '/TcpRetransSegs/ { s = $2 } /TcpExtTCPRetransFail/ { f = $2 }
			END { print s - f, s, f }'
}

# prog_misses → how often the kernel skipped the daemon's retransmit program
# because it was already running on that CPU (bpf_prog_info.recursion_misses):
# a retransmit in a softirq that interrupts the program running for another
# socket's retransmit in process context is not counted (docs/retransmit-probe.md).
# bpftool names a program's processes where it can (BPF iterators); the
# other daemons a host may run have their own programs.
prog_misses() {
	bpftool prog show -j | jq -r --argjson pid "$DAEMON_PID" '[.[] |
		select(.name | startswith("retransmit_")) |
		select(.pids == null or any(.pids[]; .pid == $pid)) |
		.recursion_misses // 0] | if length == 0 then "none" else add end'
}

# transfer NETNS METHOD [SELECTOR]: BYTES through the lossy lo, then the
# checks against the kernel's counters in a scrape saved to $TMP/METHOD;
# SELECTOR picks the series to sum (default: the netns's).
connection_over() { # NETNS: no socket of PORT but the listener and TIME-WAIT
	! in_ns "$1" ss -Htn state all "( sport = :$PORT or dport = :$PORT )" |
		grep -qv -e TIME-WAIT -e LISTEN
}
transfer() {
	local ns=$1 method=$2 inode before sent segs fails stack stacks misses
	inode=$(netns_inode "$ns")
	misses=$(prog_misses)
	[ "$misses" != none ] || fail "$method: no retransmit program of daemon $DAEMON_PID in bpftool"
	ip netns exec "$ns" "$TESTGEN" serve 127.0.0.1 $PORT 50 > "$TMP/serve.$method" &
	PIDS+=($!)
	wait_for_line "$TMP/serve.$method" listening
	in_ns "$ns" bash -c "exec 3> /dev/tcp/127.0.0.1/$PORT && head -c $BYTES /dev/zero >&3" ||
		fail "transfer to port $PORT failed"
	# close() returns before the last retransmits.  Once the sender's socket
	# is in TIME-WAIT (and the receiver's gone) every retransmit has finished:
	# each holds the socket lock from TcpRetransSegs to the tracepoint, and
	# the ACK that ends the connection needs it too.
	# Compared earlier, the counts differ by what is retransmitted between
	# the two reads: tens of segments after a timeout (go-back-N).
	poll 30 connection_over "$ns" || fail "$method: the connection still open after 30 s:" \
		"$(in_ns "$ns" ss -Htn state all)"
	before=$(kernel_retrans "$ns")
	scrape > "$TMP/$method"
	assert_eq "$before" "$(kernel_retrans "$ns")" "$method: connection over, counters still"
	read -r sent segs fails <<< "$before"
	# TcpExtTCPSynRetrans counts SYN and SYN-ACK retransmits: beside the
	# probe's SYN_SENT count it tells whether a SYN-ACK (which the probe does
	# not see) was retransmitted, should the sum below ever differ.
	log "$method: TcpRetransSegs $segs, TcpExtTCPRetransFail $fails, TcpExtTCPSynRetrans" \
		"$(in_ns "$ns" nstat -az TcpExtTCPSynRetrans | awk '/TcpExtTCPSynRetrans/ { print $2 }')," \
		"SYN_SENT $(metric_sum_or_zero "$TMP/$method" skbtrace_tcp_retransmits_total \
			state=SYN_SENT), retransmitted skbs" \
		"$(metric_sum "$TMP/$method" skbtrace_probe_events_total probe=retransmit) (all netns)"
	assert_eq 1 "$((sent > 0))" "$method: retransmits happened ($sent)"
	# A skipped run loses its segments: the one way the probe can miss a
	# retransmit that left the host, other than SYN-ACKs.
	assert_eq "$misses" "$(prog_misses)" "$method: the kernel skipped no run of the program"
	assert_eq "$sent" "$(metric_sum "$TMP/$method" skbtrace_tcp_retransmits_total \
		"${3:-netns=$inode}")" "$method: segments = TcpRetransSegs - TcpExtTCPRetransFail"
	assert_eq "$sent" "$(metric_sum "$TMP/$method" skbtrace_tcp_retransmit_stacks_total \
		netns="$inode")" "$method: per-stack segments (stacks.mode exact)"
	# Tail loss probes retransmit from tcp_send_loss_probe; at function exit
	# (fentry) __tcp_retransmit_skb itself is off the stack: one of the
	# stacks, not each, comes through tcp_retransmit_skb.
	stacks=$(grep "^skbtrace_tcp_retransmit_stacks_total{netns=\"$inode\"" "$TMP/$method" |
		sed -n 's/.*stack="\([0-9a-f]*\)".*/\1/p')
	[ -n "$stacks" ] || fail "$method: no stable stack id for retransmits"
	for stack in $stacks; do
		grep "^skbtrace_stack_info{stack=\"$stack\"" "$TMP/$method" |
			grep -Eq '[";]tcp_retransmit_skb\+' && break
		stack=
	done
	assert_eq 1 "$([ -n "$stack" ] && echo 1 || echo 0)" \
		"$method: a stack of the netns shows tcp_retransmit_skb ($stack)"
}

# The daemon mounts tracefs for the classic tracepoint if it has to.
if ! grep -qs ' /sys/kernel/tracing ' /proc/mounts; then
	on_exit "umount /sys/kernel/tracing 2>/dev/null"
fi
for method in auto tp_btf raw_tp tracepoint; do
	write_config "$TMP/$method.json" \
		"{ \"name\": \"retransmit\", \"attach\": \"$method\", \"stacks\": { \"mode\": \"exact\" } }"
	daemon_try_start "$TMP/$method.json" ||
		fail "attach=$method failed: $(tail -n 5 "$DAEMON_LOG")"
	used=$(sed -n 's/.*probe retransmit: attached with \([a-z_]*\).*/\1/p' "$DAEMON_LOG")
	[ "$method" = auto ] || assert_eq "$method" "$used" "attach=$method logged"
	ns=$(lossy_netns "$method")
	log "attach=$method: attached with $used"
	transfer "$ns" "$method"
	assert_eq 1 "$(metric_sum "$TMP/$method" skbtrace_probe_attached probe=retransmit \
		method="$used")" "attach=$method: skbtrace_probe_attached says $used"
	[ "$method" != auto ] || promtool_check "$TMP/$method"
	daemon_stop
done
# A full count map still counts: with max_series 1, a SYN retransmit
# (SYN_SENT, its SYN dropped on input) takes the only series, the transfer's
# segments go to the overflow series, and the sum stays exact.  The netns
# filter keeps the host's other retransmits out of the overflow series.
ns=$(lossy_netns overflow)
inode=$(netns_inode "$ns")
in_ns "$ns" nft add table inet skbtrace_syn
in_ns "$ns" nft add chain inet skbtrace_syn c "{ type filter hook input priority 0; }"
in_ns "$ns" nft add rule inet skbtrace_syn c tcp dport $((PORT + 1)) drop
cat > "$TMP/overflow.json" << JSON
{
	"listen": "127.0.0.1:0",
	"limits": { "max_series": 1 },
	"probes": [ { "name": "retransmit", "filter": { "netns": $inode },
		"stacks": { "mode": "exact" } } ]
}
JSON
daemon_start "$TMP/overflow.json"
assert_eq "connected 0 refused 0 timeout 1 error 0" \
	"$(in_ns "$ns" "$TESTGEN" tcp-connect 127.0.0.1 $((PORT + 1)) 1 1500)" "SYN retransmitted"
transfer "$ns" overflow state=*
assert_eq 1 "$(metric_sum "$TMP/overflow" skbtrace_tcp_retransmits_total state=SYN_SENT)" \
	"the SYN retransmit holds the only series"
assert_eq 1 "$(($(metric_sum "$TMP/overflow" skbtrace_tcp_retransmits_total \
	state=overflow netns=overflow) > 0))" "the transfer's segments in the overflow series"
assert_eq 1 "$(($(metric_sum "$TMP/overflow" skbtrace_map_overflow_events_total \
	probe=retransmit map=retransmit_counts) > 0))" "overflow events of retransmit_counts"
daemon_stop

# Function probes would miss inlined calls (docs/retransmit-probe.md).
for method in fentry kprobe; do
	write_config "$TMP/$method.json" "{ \"name\": \"retransmit\", \"attach\": \"$method\" }"
	daemon_try_start "$TMP/$method.json" && fail "attach=$method started"
	assert_contains "$(cat "$DAEMON_LOG")" "probe retransmit cannot attach with $method" \
		"attach=$method refused"
done
test_done
