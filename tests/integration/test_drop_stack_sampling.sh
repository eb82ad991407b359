#!/usr/bin/env bash
# Adaptive stack capture: with a budget of BUDGET stacks per CPU and second
# and one in 65536 beyond it, a burst of N drops has its stacks captured for
# at most a budget's worth per CPU and window, and the rest counted as
# sampled out, while the drop count stays exactly N (kernel UdpNoPorts).
# After a quiet second the budget is back: the next burst captures again.
source "$(dirname "$0")/lib.sh"

N=3000
BUDGET=5
ns=$(netns_create sampling)
inode=$(netns_inode "$ns")
# Only the test's datagrams: before 5.17 kfree_skb also sees frees that are
# not drops, a few of them in any new namespace.
write_config "$TMP/config.json" "{ \"name\": \"drop\", \"filter\": { \"netns\": $inode, \"dport\": 8888 },
	\"stacks\": { \"mode\": \"adaptive\", \"budget_per_cpu\": $BUDGET, \"sample_one_in\": 65536 } }"
daemon_start "$TMP/config.json"
ncpus=$(nproc)
# Per CPU, a burst may straddle two windows; a one-in-65536 sample may add one.
max_per_burst=$((2 * BUDGET * ncpus + 2))

stack_events() { metric_sum "$1" skbtrace_stack_events_total probe=drop result="$2"; }

burst() { # burst SCRAPE_FILE: N drops, then a scrape
	local before after
	before=$(in_ns "$ns" nstat -az UdpNoPorts | awk '/UdpNoPorts/ { print $2 }')
	in_ns "$ns" "$TESTGEN" udp 127.0.0.1 8888 $N > /dev/null
	after=$(in_ns "$ns" nstat -az UdpNoPorts | awk '/UdpNoPorts/ { print $2 }')
	assert_eq "$N" "$((after - before))" "kernel UdpNoPorts"
	scrape > "$1"
}

CAPTURED=0
check_totals() { # check_totals SCRAPE_FILE BURSTS: sets CAPTURED
	local drops captured sampled lost stacks
	drops=$(metric_sum "$1" skbtrace_drops_total netns="$inode")
	captured=$(stack_events "$1" captured)
	sampled=$(stack_events "$1" sampled_out)
	lost=$(stack_events "$1" lost)
	stacks=$(metric_sum "$1" skbtrace_drop_stacks_total netns="$inode")
	assert_eq "$(($2 * N))" "$drops" "drops in netns $inode after $2 bursts"
	assert_eq "$drops" "$((captured + sampled + lost))" "captured + sampled out + lost"
	assert_eq "$captured" "$stacks" "stack series sum"
	CAPTURED=$captured
}

burst "$TMP/first"
check_totals "$TMP/first" 1
captured1=$CAPTURED
log "first burst: $captured1 of $N stacks captured"
assert_eq 1 "$((captured1 >= BUDGET && captured1 <= max_per_burst))" \
	"captured $captured1 within [$BUDGET, $max_per_burst]"

sleep 1.2
burst "$TMP/second"
check_totals "$TMP/second" 2
captured2=$CAPTURED
log "second burst: $((captured2 - captured1)) of $N stacks captured"
assert_eq 1 "$((captured2 - captured1 >= BUDGET && captured2 - captured1 <= max_per_burst))" \
	"budget renewed after a quiet second: $((captured2 - captured1)) captured"
test_done
