#!/usr/bin/env bash
# The shipped configuration puts one program on skb:kfree_skb, the
# dispatcher, however many probes use it (bpf/lib/chain.bpf.h): the
# daemon's links hold no probe's own kfree_skb program.  Through that one
# program every probe still counts exactly, at once, in one namespace:
# closed-port drops (= UdpNoPorts), nft rule drops (= the rule's counter)
# and conntrack table-full drops (= the kernel's `drop` statistic), which
# are both NETFILTER_DROP to the drop probe.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/conntrack_lib.sh"

command -v bpftool > /dev/null || fail "bpftool is missing: run packaging/deps.sh --test"
N=30
ns=$(netns_create chain)
inode=$(netns_inode "$ns")
ct_ruleset "$ns"
ct_listener "$ns" 8080 60
daemon_start "$SRCDIR/config/skbtrace.json"

# Programs behind the daemon's links, by name.
linked_programs() {
	local f id
	for f in /proc/"$DAEMON_PID"/fdinfo/*; do
		grep -q '^link_type:' "$f" 2> /dev/null || continue
		id=$(sed -n 's/^prog_id:\s*//p' "$f")
		bpftool prog show id "$id" 2> /dev/null | sed -n 's/^[0-9]*: [a-z_]*  name \([^ ]*\) .*/\1/p'
	done | sort
}
linked=$(linked_programs)
log "programs attached: $(echo $linked)"
assert_eq 1 "$(grep -c '^dispatch_' <<< "$linked")" "one dispatcher on skb:kfree_skb"
assert_eq "" "$(grep -E '^(drop_|ct_tp_btf|reset_ovf_)' <<< "$linked" || true)" \
	"no probe's kfree_skb program attached on its own"
scrape > "$TMP/before"
for probe in drop reset conntrack; do
	assert_eq 1 "$(metric_sum "$TMP/before" skbtrace_probe_attached probe=$probe)" "$probe attached"
done

# Closed port and nft rule before the table is made small, so that their
# datagrams find room in it.
read -ra nosock <<< "$(drop_select NO_SOCKET __udp4_lib_rcv)"
read -ra nfdrop <<< "$(drop_select NETFILTER_DROP nf_hook_slow)"
noports() { in_ns "$ns" nstat -az UdpNoPorts | awk '/UdpNoPorts/ { print $2 }'; }
noports_before=$(noports)
ct_before=$(ct_kernel_drops "$ns")
in_ns "$ns" "$TESTGEN" udp 127.0.0.1 8888 $N > /dev/null
in_ns "$ns" "$TESTGEN" udp 127.0.0.1 9999 $N > /dev/null
ct_lower_max 8
log "$(ct_fill "$ns" 8080 20)"
table_full=$(($(ct_kernel_drops "$ns") - ct_before))
[ "$table_full" -gt 0 ] || fail "no table-full drop happened"
scrape > "$TMP/after"
# The namespace is fresh: no series of it before its first drop.
delta() { echo $(($(metric_sum "$TMP/after" "$@") - $(metric_sum_or_zero "$TMP/before" "$@"))); }

assert_eq "$N" "$(($(noports) - noports_before))" "kernel UdpNoPorts"
assert_eq "$N" "$(delta skbtrace_drops_total "${nosock[@]}" netns="$inode")" "closed-port drops"
assert_eq "$N" "$(nft_counter "$ns" inet skbtrace_test out)" "nft rule counter"
assert_eq "$((N + table_full))" "$(delta skbtrace_drops_total "${nfdrop[@]}" netns="$inode")" \
	"NETFILTER_DROP: the rule's $N and the $table_full table-full drops"
assert_eq "$table_full" "$(delta skbtrace_conntrack_table_full_drops_total netns="$inode")" \
	"table-full drops, through the same program as the drop probe's"
test_done
