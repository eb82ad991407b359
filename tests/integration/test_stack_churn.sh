#!/usr/bin/env bash
# Stacks that no series holds any more give their room to new ones, in the
# kernel's stack map and in the daemon's table.  With room for one kernel
# stack (limits.max_stacks 1) and four symbolized ones (max_stable_stacks 4),
# rounds go through ten drop paths (UDP and TCP to a closed port, nft drops
# in the output, input and prerouting hooks; IPv4 and IPv6), three times, each
# round in a fresh namespace that is then deleted.  Every round's drops get
# their stack (all would be "lost" after the first round if its stack kept
# the one slot; a second stack of the same path may collide with the first,
# and is counted lost); skbtrace_stack_info lists exactly the stacks the
# scrape's series show; frames that come back get the id they had;
# the tables stay within their limits, the daemon's memory and descriptors
# flat.  A reload that replaces the probe keeps the stack of the carried
# series and forgets the others.
source "$(dirname "$0")/lib.sh"

K=3
MAX_STABLE=4
PATHS=(udp4 udp6 tcp4 tcp6 out4 out6 in4 in6 pre4 pre6)
CYCLES=${SKBTRACE_STACK_CHURN_CYCLES:-3}

stack_config() { # stack_config DPORTS
	cat > "$TMP/config.json" <<JSON
{
	"listen": "127.0.0.1:0",
	"limits": { "max_series": 64, "max_stacks": 1, "max_stack_series": 64,
		    "max_stable_stacks": $MAX_STABLE },
	"probes": [ { "name": "drop", "stacks": { "mode": "exact" }, "filter": { "dport": $1 } } ]
}
JSON
}
stack_config 8888
daemon_start "$TMP/config.json"

# Only drops to port 8888 are counted: the warm-up datagrams to 7777 settle
# the namespace's loopback neighbour, so that every counted drop of a path
# takes the one same stack.
nft_hook() { # nft_hook NETNS HOOK: drops UDP to 8888 at HOOK
	in_ns "$1" nft -f - <<NFT
table inet churn {
	chain c {
		type filter hook $2 priority 0;
		udp dport 8888 drop
	}
}
NFT
}

drops() { # drops PATH NETNS: K drops to port 8888 along PATH
	local addr=127.0.0.1
	case $1 in *6) addr=::1 ;; esac
	in_ns "$2" "$TESTGEN" udp 127.0.0.1 7777 1 > /dev/null
	in_ns "$2" "$TESTGEN" udp ::1 7777 1 > /dev/null
	case $1 in
	udp*) in_ns "$2" "$TESTGEN" udp $addr 8888 $K > /dev/null ;;
	tcp*) in_ns "$2" "$TESTGEN" tcp-connect $addr 8888 $K 300 > /dev/null ;;
	out*) nft_hook "$2" output && in_ns "$2" "$TESTGEN" udp $addr 8888 $K > /dev/null ;;
	in*) nft_hook "$2" input && in_ns "$2" "$TESTGEN" udp $addr 8888 $K > /dev/null ;;
	pre*) nft_hook "$2" prerouting && in_ns "$2" "$TESTGEN" udp $addr 8888 $K > /dev/null ;;
	esac
}

# Stable ids the series of a scrape show, and those skbtrace_stack_info lists.
series_stacks() {
	grep -v -e '^#' -e '^skbtrace_stack_info{' "$1" | grep -o 'stack="[0-9a-f]\{16\}"' |
		cut -d'"' -f2 | sort -u
}
info_stacks() { sed -n 's/^skbtrace_stack_info{stack="\([0-9a-f]*\)".*/\1/p' "$1" | sort -u; }
json_stacks() { grep -o '"id":[[:space:]]*"[0-9a-f]*"' "$1" | cut -d'"' -f4 | sort -u; }

check_info() { # check_info SCRAPE WHAT
	assert_eq "$(series_stacks "$1" | tr '\n' ' ')" "$(info_stacks "$1" | tr '\n' ' ')" \
		"$2: skbtrace_stack_info lists exactly the series' stacks"
}

stack_events() { metric_sum "$1" skbtrace_stack_events_total probe=drop result="$2"; }
stack_map() { metric_sum "$1" skbtrace_map_entries probe=drop map=stack_traces; }
freed() { metric_sum "$1" skbtrace_stack_map_freed_total probe=drop; }
entries() { metric_sum "$1" skbtrace_stack_table_entries; }

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$DAEMON_PID/status"; }
fds() { find "/proc/$DAEMON_PID/fd" -mindepth 1 | wc -l; }

# waits until a scrape shows no series of netns INODE; that scrape in SCRAPE.
wait_gone() { # wait_gone INODE SCRAPE
	for _ in $(seq 1 150); do
		scrape > "$2"
		grep -q "netns=\"$1\"" "$2" || return 0
		sleep 0.2
	done
	fail "the series of netns $1 are still there 30 s after it was deleted"
}

declare -A id_of
came_back=0
scrape > "$TMP/prev"
round=0
rss_mid=
for ((c = 1; c <= CYCLES; c++)); do
	for path in "${PATHS[@]}"; do
		round=$((round + 1))
		what="round $round ($path)"
		ns=$(netns_create "$round")
		inode=$(netns_inode "$ns")
		drops "$path" "$ns"
		scrape > "$TMP/m"
		assert_eq $K "$(metric_sum "$TMP/m" skbtrace_drops_total netns="$inode")" "$what: drops"
		# A path's drops may take two kernel stacks (the receive softirq runs
		# on the way out of the send, or later in ksoftirqd): with one slot,
		# the second one collides and is counted under stack="lost", as the
		# kernel's map allows.  The first always finds the slot free.
		captured=$(($(stack_events "$TMP/m" captured) - $(stack_events "$TMP/prev" captured)))
		lost=$(($(stack_events "$TMP/m" lost) - $(stack_events "$TMP/prev" lost)))
		[ "$captured" -ge 1 ] || fail "$what: no drop got its stack: the slot was not freed"
		assert_eq $K $((captured + lost)) "$what: drops captured or lost"
		assert_eq "$lost" "$(metric_sum_or_zero "$TMP/m" skbtrace_drop_stacks_total netns="$inode" \
			stack=lost)" "$what: drops under stack=\"lost\""
		lines=$(grep "^skbtrace_drop_stacks_total{.*netns=\"$inode\"" "$TMP/m" |
			grep -v 'stack="lost"' || true)
		assert_eq 1 "$(grep -c . <<< "$lines")" "$what: one stack series beside lost ones"
		id=$(sed -n 's/.*stack="\([0-9a-f]\{16\}\)".*/\1/p' <<< "$lines")
		[ -n "$id" ] || fail "$what: no stable stack id in: $lines"
		assert_eq "$captured" "$(metric_sum "$TMP/m" skbtrace_drop_stacks_total stack="$id")" \
			"$what: drops of stack $id"
		check_info "$TMP/m" "$what"
		assert_eq "$id" "$(series_stacks "$TMP/m")" "$what: the only stack in use"
		assert_eq 1 "$(stack_map "$TMP/m")" "$what: the kernel stack map's one entry"
		[ "$(entries "$TMP/m")" -le $MAX_STABLE ] ||
			fail "$what: $(entries "$TMP/m") stable stacks, over $MAX_STABLE"
		# The frames hold the drop's location, as the drop series names it.
		loc=$(grep "^skbtrace_drops_total{.*netns=\"$inode\"" "$TMP/m" |
			sed 's/.*location="\([^+"]*\).*/\1/')
		scrape "/stacks?id=$id" > "$TMP/stack.json"
		assert_contains "$(cat "$TMP/stack.json")" "\"$loc+" "$what: /stacks?id=$id frames"
		scrape /stacks > "$TMP/stacks.json"
		assert_eq "$id" "$(json_stacks "$TMP/stacks.json")" "$what: /stacks lists the last scrape's"
		# A stack that comes back after its eviction gets the id it had.
		frames=$(sed -n "s/^skbtrace_stack_info{stack=\"$id\",frames=\"\([^\"]*\)\".*/\1/p" "$TMP/m")
		[ -n "$frames" ] || fail "$what: no frames for stack $id"
		if [ -n "${id_of[$frames]:-}" ]; then
			assert_eq "${id_of[$frames]}" "$id" "$what: the id these frames had before"
			came_back=$((came_back + 1))
		fi
		id_of[$frames]=$id

		ip netns del "$ns"
		wait_gone "$inode" "$TMP/gone"
		check_info "$TMP/gone" "$what, namespace gone"
		if grep -q "^skbtrace_stack_info{stack=\"$id\"" "$TMP/gone"; then
			fail "$what: stack $id still in skbtrace_stack_info with no series"
		fi
		# The second scrape that reads no key holding it deletes it from the kernel.
		scrape > "$TMP/prev"
		assert_eq "$round" "$(freed "$TMP/prev")" "$what: kernel stacks freed"
		assert_eq 0 "$(stack_map "$TMP/prev")" "$what: the kernel stack map is empty"
	done
	if [ "$c" -eq 1 ]; then
		rss_mid=$(rss_kb)
		fds_mid=$(fds)
	fi
done

distinct=$(printf '%s\n' "${id_of[@]}" | sort -u | wc -l)
[ "$distinct" -gt $MAX_STABLE ] || fail "only $distinct distinct stacks, not more than $MAX_STABLE"
[ "$CYCLES" -lt 2 ] || [ "$came_back" -ge 1 ] || fail "no stack came back in cycles 2 to $CYCLES"
log "ok: $distinct distinct stacks through a table of $MAX_STABLE and a stack map of 1," \
	"$came_back came back with their id"
# One stack more than the table holds evicts one: at least every distinct
# stack beyond the first MAX_STABLE, at most one a round.
evicted=$(metric_sum "$TMP/prev" skbtrace_stack_table_evictions_total trigger=full)
[ "$evicted" -ge $((distinct - MAX_STABLE)) ] && [ "$evicted" -le $((round - MAX_STABLE)) ] ||
	fail "$evicted stable stacks evicted from the full table, not $((distinct - MAX_STABLE)) to $((round - MAX_STABLE))"
assert_eq 0 "$(metric_sum "$TMP/prev" skbtrace_stack_table_full_total)" "stacks refused"
if [ "$CYCLES" -ge 2 ]; then
	rss_end=$(rss_kb)
	log "RSS ${rss_mid} kB after cycle 1, ${rss_end} kB after cycle $CYCLES"
	[ "$rss_end" -le $((rss_mid + 512)) ] || fail "RSS grew from $rss_mid to $rss_end kB"
	assert_eq "$fds_mid" "$(fds)" "open descriptors after cycle 1 and at the end"
fi

# A reload that replaces the probe while a namespace's series live: they
# are carried, with their stack; the stacks no series shows are forgotten.
ns=$(netns_create reload)
inode=$(netns_inode "$ns")
drops udp4 "$ns"
scrape > "$TMP/before"
id=$(sed -n "s/^skbtrace_drop_stacks_total{.*netns=\"$inode\",stack=\"\([0-9a-f]*\)\".*/\1/p" "$TMP/before")
[ -n "$id" ] || fail "reload: no stable stack id before the reload"
cached=$(entries "$TMP/before")
[ "$cached" -gt 1 ] || fail "reload: only $cached stable stacks before the reload"
reloaded=$(metric_sum "$TMP/before" skbtrace_stack_table_evictions_total trigger=reload)
stack_config "[8888, 8889]"
kill -HUP "$DAEMON_PID"
wait_for_line "$DAEMON_LOG" "counter series carried over"
scrape > "$TMP/after"
assert_eq 1 "$(entries "$TMP/after")" "reload: the carried series' stack is the one left"
assert_eq $((reloaded + cached - 1)) \
	"$(metric_sum "$TMP/after" skbtrace_stack_table_evictions_total trigger=reload)" \
	"reload: stable stacks evicted"
carried=$(metric_sum "$TMP/before" skbtrace_drop_stacks_total netns="$inode" stack="$id")
assert_eq "$carried" "$(metric_sum "$TMP/after" skbtrace_drop_stacks_total netns="$inode" stack="$id")" \
	"reload: the carried stack series"
check_info "$TMP/after" "reload"
assert_contains "$(scrape "/stacks?id=$id")" "\"$id\"" "reload: /stacks?id= of the carried stack"
# The new instance counts the same path on top of the carried series.
in_ns "$ns" "$TESTGEN" udp 127.0.0.1 8888 $K > /dev/null
scrape > "$TMP/again"
assert_eq $((2 * K)) "$(metric_sum "$TMP/again" skbtrace_drop_stacks_total netns="$inode")" \
	"reload: carried and new drops' stack series"
check_info "$TMP/again" "after the reload"
promtool_check "$TMP/again"
test_done
