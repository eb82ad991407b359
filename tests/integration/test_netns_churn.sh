#!/usr/bin/env bash
# Namespaces that are gone leave no series behind, and their room in the
# maps goes to live ones.  500 namespaces (SKBTRACE_NETNS_CHURN, fewer only
# in slow QEMU guests) come and go in five rounds, with N drops in each,
# under max_series 256 (room for two rounds): while a round lives, each of its namespaces shows exactly
# N drops, as many as the kernel's own UdpNoPorts counts there, and nothing
# overflows.  Between rounds there is no scrape: only the daemon's sweep
# timer can evict the last round's series before the next round's drops,
# which would not fit beside them.  After the last round and the documented
# interval, no series of any of them remains.
source "$(dirname "$0")/lib.sh"

TOTAL=${SKBTRACE_NETNS_CHURN:-500}
ROUND=$((TOTAL / 5))
# Room for two rounds, not three: without eviction the third overflows.
MAX_SERIES=$((2 * ROUND + 56))
N=3
# DAEMON_NETNS_SWEEP_SEC, docs/metrics.md: a sweep at least every 5 s; two
# periods, so that one sweep runs after the kernel let go of the namespaces.
INTERVAL=11
rounds=$(((TOTAL + ROUND - 1) / ROUND))

read -ra sel <<< "$(drop_select NO_SOCKET __udp4_lib_rcv)"
cat > "$TMP/config.json" <<JSON
{
	"listen": "127.0.0.1:0",
	"limits": { "max_series": $MAX_SERIES, "max_stacks": 1024, "max_stack_series": $((2 * MAX_SERIES)) },
	"probes": [ { "name": "drop", "stacks": { "mode": "exact" } } ]
}
JSON
daemon_start "$TMP/config.json"

udp_noports() { in_ns "$1" cat /proc/net/snmp | awk '/^Udp:/ { if (h) print $3; h = 1 }'; }

: > "$TMP/all-inodes"
done_ns=0
for ((r = 1; r <= rounds; r++)); do
	n=$((TOTAL - done_ns < ROUND ? TOTAL - done_ns : ROUND))
	: > "$TMP/round"
	for ((i = 0; i < n; i++)); do
		ns=$(netns_create "c$r-$i")
		in_ns "$ns" "$TESTGEN" udp 127.0.0.1 8888 $N > /dev/null
		echo "$ns $(netns_inode "$ns") $(udp_noports "$ns")" >> "$TMP/round"
	done
	scrape > "$TMP/m$r"
	bad=0
	while read -r ns inode noports; do
		echo "$inode" >> "$TMP/all-inodes"
		got=$(metric_sum "$TMP/m$r" skbtrace_drops_total "${sel[@]}" netns="$inode")
		if [ "$got" != "$N" ] || [ "$noports" != "$N" ]; then
			log "$ns (inode $inode): $got drops, kernel UdpNoPorts $noports, expected $N"
			bad=$((bad + 1))
		fi
		if has_drop_reasons; then
			got=$(metric_sum "$TMP/m$r" skbtrace_drop_stacks_total reason=NO_SOCKET netns="$inode")
			[ "$got" = "$N" ] || { log "$ns: $got drops by stack"; bad=$((bad + 1)); }
		fi
	done < "$TMP/round"
	assert_eq 0 "$bad" "round $r: each of $n live namespaces shows exactly its $N drops"
	assert_eq 0 "$(metric_sum "$TMP/m$r" skbtrace_map_overflow_events_total probe=drop)" \
		"round $r: no drop overflowed a map"
	entries=$(metric_sum "$TMP/m$r" skbtrace_map_entries probe=drop map=drop_counts)
	[ "$entries" -le $MAX_SERIES ] || fail "round $r: $entries series in drop_counts, over max_series"
	while read -r ns _; do ip netns del "$ns"; done < "$TMP/round"
	done_ns=$((done_ns + n))
	sleep $INTERVAL
done

scrape > "$TMP/end"
left=0
while read -r inode; do
	c=$(grep -c "netns=\"$inode\"" "$TMP/end" || true)
	left=$((left + c))
done < <(sort -u "$TMP/all-inodes")
assert_eq 0 "$left" "series left of the $TOTAL namespaces, $INTERVAL s after the last went"
evicted=$(metric_sum "$TMP/end" skbtrace_netns_evicted_series_total probe=drop)
[ "$evicted" -ge "$TOTAL" ] || fail "only $evicted series evicted for $TOTAL namespaces"
log "ok: $evicted series evicted"
promtool_check "$TMP/end"
test_done
