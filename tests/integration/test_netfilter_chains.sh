#!/usr/bin/env bash
# The netfilter probe against nftables' own rule counters, in one netns:
# two tables, inet and ip, each with base chains on input and output, drop
# rules with counters, one drop reached through a jump.  Each
# skbtrace_netfilter_drops_total{table,chain,hook} equals the sum of the
# counters of its base chain's drop rules (the jumped-to chain's included:
# it counts under the base chain), and the sum over the families equals the
# drop probe's NETFILTER_DROP in the namespace minus conntrack's table-full
# drops.  Once with attach auto (fexit where the kernel allows it), then
# with kprobe forced (kprobe + kretprobe).  Exit 77 where the probe cannot
# attach (the 6.18 host: no fexit, no kprobes; 5.10: no module BTF for
# nf_tables' types).  17 to 24 s in the TCG guests; 1.3 s to NA on the host.
source "$(dirname "$0")/lib.sh"

# rule_drops FAMILY TABLE CHAIN...: the packets the drop rules of the chains counted.
rule_drops() {
	local family=$1 table=$2; shift 2
	in_ns "$ns" nft -j list table "$family" "$table" | jq --argjson chains "$(printf '%s\n' "$@" | jq -R . | jq -s .)" '
		[.nftables[] | select(.rule) | .rule
		 | select(.chain as $c | $chains | index($c))
		 | select(any(.expr[]; has("drop")))
		 | .expr[] | select(has("counter")) | .counter.packets] | add // 0'
}

series() {
	metric_sum_or_zero "$TMP/after" skbtrace_netfilter_drops_total netns="$inode" "$@"
}

check_chain() {
	local family=$1 table=$2 chain=$3 hook=$4 want; shift 4
	want=$(rule_drops "$family" "$table" "$chain" "$@")
	[ "$want" -gt 0 ] || fail "$family $table $chain: its rules counted no drop"
	assert_eq "$want" "$(series family="$family" table="$table" chain="$chain" hook="$hook")" \
		"$used: $family $table $chain ($hook): the rules' counters"
	total=$((total + want))
}

# run_case ATTACH: the scenario in a fresh namespace, with a daemon of its own.
run_case() {
	local attach=$1
	ns=$(netns_create "nf-$attach")
	inode=$(netns_inode "$ns")
	# Loopback UDP crosses output, then input: one port per rule, each dropped once.
	in_ns "$ns" nft -f - <<-'NFT'
	table inet skbtrace_nf {
		chain in {
			type filter hook input priority 0; policy accept;
			udp dport 9001 counter drop
			udp dport 9002 jump sub
		}
		chain sub {
			udp dport 9002 counter drop
		}
		chain out {
			type filter hook output priority 0; policy accept;
			udp dport 9003 counter drop
		}
	}
	table ip skbtrace_nf4 {
		chain in {
			type filter hook input priority 10; policy accept;
			udp dport 9004 counter drop
			udp dport 9005 counter drop
		}
		chain out {
			type filter hook output priority 10; policy accept;
			udp dport 9006 counter drop
		}
	}
	NFT
	
	# The ruleset is loaded first: nf_tables must be there for fexit to find nft_do_chain.
	write_config "$TMP/config.json" '{ "name": "drop" }' '{ "name": "conntrack" }' \
		'{ "name": "netfilter", "attach": "'"$attach"'", "stacks": { "mode": "exact" } }'
	daemon_start "$TMP/config.json"
	scrape > "$TMP/before"
	if [ "$(metric_sum "$TMP/before" skbtrace_probe_attached probe=netfilter)" != 1 ]; then
		test_na "the netfilter probe cannot attach here: $(grep 'probe netfilter' "$DAEMON_LOG" | tail -n1)"
	fi
	used=$(sed -n 's/.*probe netfilter: attached with \([a-z_]*\).*/\1/p' "$DAEMON_LOG")
	log "attach=$attach: attached with $used"
	[ "$attach" = auto ] || assert_eq "$attach" "$used" "attach=$attach used"
	
	# N per port, all different, so that a count in the wrong series shows.
	declare -A sent=([9001]=11 [9002]=12 [9003]=13 [9004]=14 [9005]=15 [9006]=16)
	for port in "${!sent[@]}"; do
		in_ns "$ns" "$TESTGEN" udp 127.0.0.1 "$port" "${sent[$port]}" > /dev/null || true
	done
	scrape > "$TMP/after"
	
	total=0
	check_chain inet skbtrace_nf in input sub
	check_chain inet skbtrace_nf out output
	check_chain ip skbtrace_nf4 in input
	check_chain ip skbtrace_nf4 out output
	assert_eq $((11 + 12 + 13 + 14 + 15 + 16)) "$total" "every datagram dropped by one rule"
	assert_eq 4 "$(grep -c "^skbtrace_netfilter_drops_total{netns=\"$inode\"" "$TMP/after")" \
		"one series per base chain that dropped, none for the jumped-to chain"
	
	fam_sum=$(( $(series family=inet) + $(series family=ip) ))
	read -r -a sel <<< "$(drop_select NETFILTER_DROP nf_hook_slow)"
	nf=$(( $(metric_sum_or_zero "$TMP/after" skbtrace_drops_total netns="$inode" "${sel[@]}") -
		$(metric_sum_or_zero "$TMP/before" skbtrace_drops_total netns="$inode" "${sel[@]}") ))
	ct=$(metric_sum_or_zero "$TMP/after" skbtrace_conntrack_table_full_drops_total netns="$inode")
	assert_eq "$((nf - ct))" "$fam_sum" "$used: families' sum = NETFILTER_DROP ($nf) - table-full ($ct)"
	assert_eq "$fam_sum" "$(metric_sum "$TMP/after" skbtrace_netfilter_drop_stacks_total netns="$inode")" \
		"per-stack drops (stacks.mode exact)"
	promtool_check "$TMP/after"
	daemon_stop
}

run_case auto
run_case kprobe

# Bounded: with limits.max_series 2 the four chains' series do not fit; what
# finds the map full is counted in the series whose labels are all
# "overflow", so the family's sum stays exact.
ns=$(netns_create nf-small)
inode=$(netns_inode "$ns")
in_ns "$ns" nft -f - <<'NFT'
table inet skbtrace_nf {
	chain in { type filter hook input priority 0; udp dport 9001 counter drop; }
	chain out { type filter hook output priority 0; udp dport 9003 counter drop; }
}
table ip skbtrace_nf4 {
	chain in { type filter hook input priority 10; udp dport 9004 counter drop; }
	chain out { type filter hook output priority 10; udp dport 9006 counter drop; }
}
NFT
cat > "$TMP/small.json" <<'JSON'
{ "listen": "127.0.0.1:0", "limits": { "max_series": 2 },
  "probes": [ { "name": "netfilter", "stacks": { "mode": "off" } } ] }
JSON
daemon_start "$TMP/small.json"
for port in 9001 9003 9004 9006; do
	in_ns "$ns" "$TESTGEN" udp 127.0.0.1 "$port" 10 > /dev/null || true
done
scrape > "$TMP/small"
assert_eq 40 "$(metric_sum "$TMP/small" skbtrace_netfilter_drops_total)" \
	"max_series 2: every drop counted, in the map or in the overflow series"
over=$(metric_sum_or_zero "$TMP/small" skbtrace_netfilter_drops_total netns=overflow \
	family=overflow table=overflow chain=overflow hook=overflow)
assert_eq 20 "$over" "max_series 2: the two chains that found the map full, in the overflow series"
assert_eq 2 "$(grep -c "^skbtrace_netfilter_drops_total{netns=\"$inode\"" "$TMP/small")" \
	"max_series 2: two series in the map"
[ "$(metric_sum "$TMP/small" skbtrace_map_overflow_events_total probe=netfilter map=nf_drops)" -ge 1 ] ||
	fail "max_series 2: no overflow event"
promtool_check "$TMP/small"
test_done
