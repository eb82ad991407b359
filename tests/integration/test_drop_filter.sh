#!/usr/bin/env bash
# A destination-port filter counts the drops to that port and excludes the
# others exactly, in BPF, before anything is counted.
source "$(dirname "$0")/lib.sh"

ns=$(netns_create filter)
inode=$(netns_inode "$ns")
reason=$(drop_reason NETFILTER_DROP)
nft_drop_udp_port "$ns" 9999
write_config "$TMP/config.json" \
	"{ \"name\": \"drop\", \"filter\": { \"dport\": 9999, \"netns\": $inode } }"
daemon_start "$TMP/config.json"

in_ns "$ns" "$TESTGEN" udp 127.0.0.1 9999 30 > /dev/null # NETFILTER_DROP, kept
in_ns "$ns" "$TESTGEN" udp 127.0.0.1 8888 20 > /dev/null # NO_SOCKET, filtered out
scrape > "$TMP/after"

assert_eq 30 "$(nft_counter "$ns" inet skbtrace_test out)" "nft rule counter"
assert_eq 30 "$(metric_sum "$TMP/after" skbtrace_drops_total reason="$reason" netns="$inode")" \
	"drops to port 9999"
# Without reasons (before 5.17) both kinds are "unknown": the total below
# is what shows the filtered-out ones were not counted.
if has_drop_reasons; then
	assert_eq 0 "$(metric_sum_or_zero "$TMP/after" skbtrace_drops_total reason=NO_SOCKET netns="$inode")" \
		"drops to port 8888 (filtered)"
fi
assert_eq 30 "$(metric_sum "$TMP/after" skbtrace_drops_total)" "all drops counted anywhere"
test_done
