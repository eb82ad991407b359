#!/usr/bin/env bash
# Each attach method of the drop probe, forced by config, attaches, says so
# in skbtrace_probe_attached, and counts exactly.  With "auto" the daemon
# picks the best method the kernel allows: tp_btf, or the classic tracepoint
# when every drop walks its stack (stacks.mode exact and no filter), whose
# stack walk is cheaper.  The classic tracepoint needs tracefs, which the
# daemon mounts itself when it is absent.
source "$(dirname "$0")/lib.sh"

N=25
ns=$(netns_create attach)
inode=$(netns_inode "$ns")
reason=$(drop_reason NETFILTER_DROP)
nft_drop_udp_port "$ns" 9999
if ! mountpoint -q /sys/kernel/tracing; then
	on_exit "umount /sys/kernel/tracing 2>/dev/null"
fi

methods="auto auto-exact auto-exact-filtered tp_btf raw_tp tracepoint"
for method in $methods; do
	filter='{}'
	case $method in
	auto) expected_method=tp_btf stacks=adaptive ;;
	auto-exact) expected_method=tracepoint stacks=exact ;;
	auto-exact-filtered) expected_method=tp_btf stacks=exact filter="{ \"netns\": [ $inode ] }" ;;
	*) expected_method=$method stacks=adaptive ;;
	esac
	write_config "$TMP/$method.json" "{ \"name\": \"drop\", \"attach\": \"${method%%-*}\",
		\"stacks\": { \"mode\": \"$stacks\" }, \"filter\": $filter }"
	daemon_start "$TMP/$method.json"
	scrape > "$TMP/before"
	in_ns "$ns" "$TESTGEN" udp 127.0.0.1 9999 $N > /dev/null
	scrape > "$TMP/after"
	assert_eq 1 "$(metric_sum "$TMP/after" skbtrace_probe_attached probe=drop method="$expected_method")" \
		"attach=$method reports method $expected_method"
	assert_contains "$(cat "$DAEMON_LOG")" "probe drop: attached with $expected_method" \
		"attach=$method logs the method"
	delta=$(($(metric_sum "$TMP/after" skbtrace_drops_total reason="$reason" netns="$inode") -
		$(metric_sum_or_zero "$TMP/before" skbtrace_drops_total reason="$reason" netns="$inode")))
	assert_eq "$N" "$delta" "attach=$method counts exactly"
	# The stable id names the kernel path, whichever way the probe attached.
	id=$(grep "^skbtrace_drop_stacks_total{reason=\"$reason\",netns=\"$inode\"" "$TMP/after" |
		sed 's/.*stack="\([^"]*\)".*/\1/')
	echo "$id" >> "$TMP/stack_ids"
	# "lost" is the kernel's answer when the stack's bucket held another
	# stack: say so, with the counts, rather than only that the ids differ.
	grep -q '^[0-9a-f]\{16\}$' <<< "$id" ||
		log "$method: stack series '$id'; $(grep -e '^skbtrace_drop_stacks_total{' \
			-e '^skbtrace_stack_events_total{probe="drop"' "$TMP/after" | tr '\n' ' ')"
	log "$method: stack $(grep "^skbtrace_stack_info{stack=\"$id\"" "$TMP/after")"
	daemon_stop
done
assert_eq "$(wc -w <<< "$methods")" "$(wc -l < "$TMP/stack_ids")" "one stack series per method"
assert_eq 1 "$(sort -u "$TMP/stack_ids" | wc -l)" "the same stable stack id with every method"
rc=0
write_config "$TMP/kprobe.json" '{ "name": "drop", "attach": "kprobe" }'
"$SKBTRACE" --config "$TMP/kprobe.json" --listen 127.0.0.1:0 2> "$TMP/err" || rc=$?
assert_eq 1 "$rc" "a method the probe does not offer fails start-up"
assert_contains "$(cat "$TMP/err")" "probes[0].attach: probe drop cannot attach with kprobe" \
	"message for an unsupported method"
test_done
