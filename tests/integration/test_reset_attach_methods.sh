#!/usr/bin/env bash
# Each tracepoint attach method of the reset probe, forced by config, counts
# exactly; "auto" picks tp_btf here.  fentry and kprobe cannot work on this
# kernel: forced, start-up fails and the log says why.
source "$(dirname "$0")/lib.sh"

N=10
ns=$(netns_create rattach)
inode=$(netns_inode "$ns")
if ! mountpoint -q /sys/kernel/tracing; then
	on_exit "umount /sys/kernel/tracing 2>/dev/null"
fi

for method in auto tp_btf raw_tp tracepoint; do
	write_config "$TMP/$method.json" "{ \"name\": \"reset\", \"attach\": \"$method\" }"
	daemon_start "$TMP/$method.json"
	in_ns "$ns" "$TESTGEN" tcp-connect 127.0.0.1 9 $N 500 > /dev/null
	scrape > "$TMP/after"
	expected=$method
	[ "$method" = auto ] && expected=tp_btf
	assert_eq 1 "$(metric_sum "$TMP/after" skbtrace_probe_attached probe=reset method="$expected")" \
		"attach=$method reports method $expected"
	assert_eq "$N" "$(metric_sum "$TMP/after" skbtrace_tcp_resets_total direction=sent \
		origin=passive netns="$inode")" "attach=$method: passive resets sent"
	assert_eq "$N" "$(metric_sum "$TMP/after" skbtrace_tcp_resets_total direction=received \
		netns="$inode")" "attach=$method: resets received"
	daemon_stop
done

for method in fentry kprobe; do
	write_config "$TMP/$method.json" "{ \"name\": \"reset\", \"attach\": \"$method\" }"
	rc=0
	timeout 20 "$SKBTRACE" --config "$TMP/$method.json" --listen 127.0.0.1:0 2> "$TMP/err" || rc=$?
	assert_eq 1 "$rc" "attach=$method fails start-up on this kernel"
	assert_contains "$(cat "$TMP/err")" "probe reset: $method is not usable here:" \
		"attach=$method logs why"
done
test_done
