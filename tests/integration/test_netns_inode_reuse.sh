#!/usr/bin/env bash
# A new namespace that gets a deleted one's inode number (the kernel hands
# out the lowest free one as soon as the old namespace is freed) starts new
# series: N2 drops in it show as exactly N2, as the kernel's UdpNoPorts
# there counts them, never as the old namespace's N1 plus N2.  The series
# are keyed by the net cookie, which is never reused; kernels before 5.12
# have none (docs/metrics.md), and the test does not apply there.
source "$(dirname "$0")/lib.sh"

N1=9
N2=4
read -ra sel <<< "$(drop_select NO_SOCKET __udp4_lib_rcv)"
write_config "$TMP/config.json" '{ "name": "drop", "stacks": { "mode": "exact" } }'
daemon_start "$TMP/config.json"
if ! grep -q 'series keyed by net cookie' "$DAEMON_LOG"; then
	keyed=$(grep -o 'series keyed by.*' "$DAEMON_LOG" || echo 'no namespace walker')
	# From 5.12 on every namespace has its cookie from creation, and a kernel
	# with BTF runs the walker: only an older kernel (or none) excuses inode keys.
	if kernel_at_least 5 12 && [ -e /sys/kernel/btf/vmlinux ]; then
		fail "$(uname -r) has creation-time net cookies, yet: $keyed"
	fi
	test_na "$keyed"
fi

udp_noports() { in_ns "$1" cat /proc/net/snmp | awk '/^Udp:/ { if (h) print $3; h = 1 }'; }

old=$(netns_create old)
inode=$(netns_inode "$old")
in_ns "$old" "$TESTGEN" udp 127.0.0.1 8888 $N1 > /dev/null
scrape > "$TMP/before"
assert_eq $N1 "$(metric_sum "$TMP/before" skbtrace_drops_total "${sel[@]}" netns="$inode")" \
	"drops of the old namespace, inode $inode"
ip netns del "$old"

# The inode is free once the kernel's cleanup of the old namespace ran; the
# namespaces that get other numbers stay, so that lower free ones are used up.
new='' k=0
reuses_inode() { # a fresh namespace, named in $new if it got the old one's inode
	local ns
	k=$((k + 1))
	ns=$(netns_create "new$k")
	[ "$(netns_inode "$ns")" = "$inode" ] && new=$ns
}
poll 5 reuses_inode ||
	test_na "none of $k fresh namespaces in 5 s got the deleted one's inode $inode"
log "fresh namespace $new (#$k) got inode $inode"

in_ns "$new" "$TESTGEN" udp 127.0.0.1 8888 $N2 > /dev/null
assert_eq $N2 "$(udp_noports "$new")" "kernel UdpNoPorts of the fresh namespace"
scrape > "$TMP/after"
assert_eq $N2 "$(metric_sum "$TMP/after" skbtrace_drops_total "${sel[@]}" netns="$inode")" \
	"drops with netns $inode: the fresh namespace's, not the old one's continued"
assert_eq $N2 "$(metric_sum "$TMP/after" skbtrace_drops_total netns="$inode")" \
	"every drop series with netns $inode"
if has_drop_reasons; then
	assert_eq $N2 "$(metric_sum "$TMP/after" skbtrace_drop_stacks_total netns="$inode")" \
		"drops by stack with netns $inode"
fi
evicted=$(metric_sum "$TMP/after" skbtrace_netns_evicted_series_total probe=drop)
[ "$evicted" -ge 2 ] || fail "the old namespace's series were not evicted ($evicted)"
log "ok: $evicted series evicted"

# A second round in the fresh namespace continues its own counter.
in_ns "$new" "$TESTGEN" udp 127.0.0.1 8888 $N2 > /dev/null
scrape > "$TMP/again"
assert_eq $((2 * N2)) "$(metric_sum "$TMP/again" skbtrace_drops_total "${sel[@]}" netns="$inode")" \
	"the fresh namespace's counter rises"
test_done
