#!/usr/bin/env bash
# Conntrack table full: skbtrace_conntrack_table_full_drops_total{netns} equals
# the rise of the kernel's own `drop` statistic of that namespace exactly, both
# for a namespace that had drops before the daemon started (seeded from
# /proc/net/stat/nf_conntrack) and for one created later (starts at zero).
# NETFILTER_DROPs by an nft rule are not counted.  The probe reports the
# method it chose and logs why each better one was refused (here: no kprobes,
# fentry refused, so tp_btf; in the VM guests fentry).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/conntrack_lib.sh"

LIMIT=8
N=20
early=$(netns_create ct1)
early_inode=$(netns_inode "$early")
ct_ruleset "$early"
ct_listener "$early" 8080 60
ct_lower_max $LIMIT

# Drops before the daemon exists must not be counted by it.
log "before the daemon: $(ct_fill "$early" 8080 $N)"
at_start=$(ct_kernel_drops "$early")
[ "$at_start" -gt 0 ] || fail "no table-full drops before the daemon started"

write_config "$TMP/config.json" \
	'{ "name": "conntrack", "stacks": { "mode": "exact" } }'
daemon_start "$TMP/config.json"
method=$(sed -n 's/.*probe conntrack: attached with \([a-z_]*\).*/\1/p' "$DAEMON_LOG")
log "attach method: ${method:-none}"
case $method in
tp_btf) better="fentry kprobe" ;;
kprobe) better="fentry" ;;
fentry) better= ;;
*) fail "probe conntrack did not attach" ;;
esac
for m in $better; do
	assert_contains "$(cat "$DAEMON_LOG")" "probe conntrack: $m is not usable here:" \
		"why $m was refused is logged"
done

late=$(netns_create ct2)
late_inode=$(netns_inode "$late")
ct_ruleset "$late"
ct_listener "$late" 8080 60

# An nft DROP rule's drops are NETFILTER_DROP too, but not table-full.
in_ns "$late" "$TESTGEN" udp 127.0.0.1 9999 $N > /dev/null
assert_eq "$N" "$(nft_counter "$late" inet skbtrace_test out)" "nft rule dropped the datagrams"
scrape > "$TMP/nft"
assert_eq 0 "$(metric_sum_or_zero "$TMP/nft" skbtrace_conntrack_table_full_drops_total netns="$late_inode")" \
	"nft rule drops are not table-full drops"

log "early netns: $(ct_fill "$early" 8080 $N)"
log "late netns: $(ct_fill "$late" 8080 $N)"
early_delta=$(($(ct_kernel_drops "$early") - at_start))
late_delta=$(ct_kernel_drops "$late")
[ "$late_delta" -gt 0 ] || fail "the late namespace saw no table-full drop"
scrape > "$TMP/after"

assert_eq 1 "$(metric_sum "$TMP/after" skbtrace_probe_attached probe=conntrack method="$method")" \
	"skbtrace_probe_attached says $method"
assert_eq "$early_delta" \
	"$(metric_sum "$TMP/after" skbtrace_conntrack_table_full_drops_total netns="$early_inode")" \
	"table-full drops in the netns seeded at start ($early_inode)"
assert_eq "$late_delta" \
	"$(metric_sum "$TMP/after" skbtrace_conntrack_table_full_drops_total netns="$late_inode")" \
	"table-full drops in the netns created later ($late_inode)"
assert_eq "$late_delta" \
	"$(metric_sum "$TMP/after" skbtrace_conntrack_table_full_drop_stacks_total netns="$late_inode")" \
	"per-stack table-full drops (stacks.mode=exact)"
stack=$(grep "^skbtrace_conntrack_table_full_drop_stacks_total{netns=\"$late_inode\"" "$TMP/after" |
	sed -n 's/.*stack="\([0-9a-f]*\)".*/\1/p' | head -n1)
[ -n "$stack" ] || fail "no stable stack id for the late netns"
frames=$(grep "^skbtrace_stack_info{stack=\"$stack\"" "$TMP/after")
log "stack $stack: $frames"
assert_contains "$frames" "nf_hook_slow+" "the table-full stack goes through nf_hook_slow"

# The kernel's statistics and table size, per namespace, read at scrape time.
assert_eq "$(ct_kernel_drops "$early")" \
	"$(metric_sum "$TMP/after" skbtrace_conntrack_stat_drop_total netns="$early_inode")" \
	"skbtrace_conntrack_stat_drop_total is the kernel's drop statistic"
assert_eq "$LIMIT" "$(metric_sum "$TMP/after" skbtrace_conntrack_entries netns="$late_inode")" \
	"the late netns's table is full"
assert_eq "$LIMIT" "$(metric_sum "$TMP/after" skbtrace_conntrack_entries_limit netns="$late_inode")" \
	"entries limit seen from the netns"
grep -q '^skbtrace_conntrack_stat_early_drop_total{netns=' "$TMP/after" ||
	fail "no early_drop statistic"

# The gauges of every namespace come from BPF: the daemon has given up
# CAP_SYS_ADMIN (21) and CAP_SYS_PTRACE (19) and enters no namespace.
cap_eff=$(sed -n 's/^CapEff:\t//p' "/proc/$DAEMON_PID/status")
assert_eq 0 $(((16#$cap_eff >> 21 & 1) + (16#$cap_eff >> 19 & 1))) \
	"no CAP_SYS_ADMIN or CAP_SYS_PTRACE kept (CapEff $cap_eff)"

# A namespace that only a process holds, with no name in /run/netns.
unshare -n sh -c "ip link set lo up && nft -f - && for p in 7001 7002 7003; do
	$TESTGEN udp 127.0.0.1 \$p 1 >/dev/null; done && exec sleep 60" <<'NFT' &
table ip skbtrace_ct {
	chain out {
		type filter hook output priority 0;
		ct state new accept
	}
}
NFT
PIDS+=($!)
holder=$!
held_inode='' count=''
held_ready() { # the holder is in its own namespace, with its 3 flows' entries
	held_inode=$(stat -L -c %i "/proc/$holder/ns/net" 2>/dev/null)
	count=$(nsenter --net="/proc/$holder/ns/net" cat /proc/sys/net/netfilter/nf_conntrack_count \
		2>/dev/null)
	[ "$held_inode" != "$(stat -L -c %i /proc/self/ns/net)" ] && [ "${count:-0}" -ge 3 ]
}
poll 5 held_ready ||
	fail "no namespace of its own with 3 conntrack entries (inode $held_inode, $count entries)"
scrape > "$TMP/held"
assert_eq "$count" "$(metric_sum "$TMP/held" skbtrace_conntrack_entries netns="$held_inode")" \
	"entries of a namespace held only by a process ($held_inode)"

# A namespace that goes away leaves the kernel-statistics series at a later
# scrape (its table-full drop counter stays: counted drops are not forgotten).
# shellcheck disable=SC2046 # one pid per word
kill "$holder" $(ip netns pids "$late")
ip netns del "$late"
series_gone() {
	scrape > "$TMP/gone" &&
		! grep -q "^skbtrace_conntrack_\(entries\|stat_[a-z_]*\){netns=\"\($late_inode\|$held_inode\)\"" \
			"$TMP/gone"
}
gone=no
poll 10 series_gone && gone=yes
assert_eq yes "$gone" "deleted namespaces have no series any more"
grep -q "^skbtrace_conntrack_entries{netns=\"$early_inode\"}" "$TMP/gone" ||
	fail "the namespace that still exists lost its series"
test_done
