#!/usr/bin/env bash
# An nft rule drops exactly N packets in a test netns: skbtrace_drops_total
# {reason="NETFILTER_DROP",netns=<inode>} rises by exactly N, the count the
# rule's own counter shows, and the stack of those drops shows nf_hook_slow.
# Before 5.17 the kernel gives no reason: the label is then "unknown".
source "$(dirname "$0")/lib.sh"

N=50
ns=$(netns_create nf)
inode=$(netns_inode "$ns")
reason=$(drop_reason NETFILTER_DROP)
nft_drop_udp_port "$ns" 9999

write_config "$TMP/config.json" '{ "name": "drop" }'
daemon_start "$TMP/config.json"

scrape > "$TMP/before"
# A fresh namespace: its series appears with its first drop.
before=$(metric_sum_or_zero "$TMP/before" skbtrace_drops_total reason="$reason" netns="$inode")
out=$(in_ns "$ns" "$TESTGEN" udp 127.0.0.1 9999 $N)
log "testgen: $out"
scrape > "$TMP/after"
after=$(metric_sum "$TMP/after" skbtrace_drops_total reason="$reason" netns="$inode")

assert_eq "$N" "$(nft_counter "$ns" inet skbtrace_test out)" "nft rule counter"
assert_eq "$N" "$((after - before))" "$reason drops in netns $inode"
assert_eq "$N" "$(metric_sum "$TMP/after" skbtrace_drops_total netns="$inode")" \
	"all drops in netns $inode"

loc=$(grep "^skbtrace_drops_total{reason=\"$reason\"" "$TMP/after" | grep "netns=\"$inode\"")
# The kernel reports the caller of kfree_skb_reason: nf_hook_slow, or nft_do_chain since 6.x.
grep -Eq 'location="(nf_hook_slow|nft_do_chain)\+[0-9]+"' <<< "$loc" ||
	fail "drop location not symbolized to the netfilter hook: $loc"

stack_lines=$(grep "^skbtrace_drop_stacks_total{reason=\"$reason\",netns=\"$inode\"" "$TMP/after" || true)
[ -n "$stack_lines" ] || fail "no per-stack series for $reason in netns $inode"
assert_eq "$N" "$(metric_sum "$TMP/after" skbtrace_drop_stacks_total reason="$reason" netns="$inode")" \
	"per-stack $reason drops (all within the stack budget)"
stack=$(sed -n 's/.*stack="\([0-9a-f]*\)".*/\1/p' <<< "$stack_lines" | head -n1)
[ -n "$stack" ] || fail "no stable stack id in: $stack_lines"
assert_contains "$(grep "^skbtrace_stack_info{stack=\"$stack\"" "$TMP/after")" "nf_hook_slow+" \
	"skbtrace_stack_info frames of stack $stack"
scrape "/stacks?id=$stack" > "$TMP/stack.json"
assert_contains "$(cat "$TMP/stack.json")" "nf_hook_slow+" "/stacks?id=$stack frames"
# The stack's hint is the one for the reason it was counted under; a kernel
# without drop reasons counts it as "unknown", which has none.
if has_drop_reasons; then
	grep -Eq '"key":[[:space:]]*"NETFILTER_DROP"' "$TMP/stack.json" ||
		fail "/stacks?id=$stack has no NETFILTER_DROP hint: $(cat "$TMP/stack.json")"
	assert_contains "$(cat "$TMP/stack.json")" "NF_DROP" "/stacks?id=$stack hint for $reason"
else
	grep -Eq '"hints":[[:space:]]*\[\]' "$TMP/stack.json" ||
		fail "/stacks?id=$stack has a hint for reason unknown: $(cat "$TMP/stack.json")"
fi

# The stable id is a hash of the frames: a restarted daemon names the same stack alike.
daemon_stop
daemon_start "$TMP/config.json"
in_ns "$ns" "$TESTGEN" udp 127.0.0.1 9999 5 > /dev/null
scrape > "$TMP/restart"
assert_contains "$(grep "^skbtrace_drop_stacks_total{reason=\"$reason\",netns=\"$inode\"" "$TMP/restart")" \
	"stack=\"$stack\"" "stack id stable across a daemon restart"
test_done
