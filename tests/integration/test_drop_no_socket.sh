#!/usr/bin/env bash
# N UDP datagrams to a closed port give exactly N more NO_SOCKET drops in
# that netns, the number the kernel's own UdpNoPorts counter shows.
# (Before 5.17, reason "unknown" at __udp4_lib_rcv.)
source "$(dirname "$0")/lib.sh"

N=40
ns=$(netns_create nosock)
inode=$(netns_inode "$ns")
read -ra sel <<< "$(drop_select NO_SOCKET __udp4_lib_rcv)"
write_config "$TMP/config.json" '{ "name": "drop" }'
daemon_start "$TMP/config.json"

scrape > "$TMP/before"
# A fresh namespace: its series appears with its first drop.
before=$(metric_sum_or_zero "$TMP/before" skbtrace_drops_total "${sel[@]}" netns="$inode")
noports_before=$(in_ns "$ns" nstat -az UdpNoPorts | awk '/UdpNoPorts/ { print $2 }')
in_ns "$ns" "$TESTGEN" udp 127.0.0.1 8888 $N > /dev/null
noports_after=$(in_ns "$ns" nstat -az UdpNoPorts | awk '/UdpNoPorts/ { print $2 }')
scrape > "$TMP/after"
after=$(metric_sum "$TMP/after" skbtrace_drops_total "${sel[@]}" netns="$inode")

assert_eq "$N" "$((noports_after - noports_before))" "kernel UdpNoPorts"
assert_eq "$N" "$((after - before))" "${sel[*]} drops in netns $inode"
test_done
