#!/usr/bin/env bash
# Each attach method of the reset probe, forced by config: where the kernel
# allows it, it attaches, says so in skbtrace_probe_attached and counts
# exactly; where not, start-up fails and the log says why.  The tracepoint
# methods need 6.10+ (tcp_send_reset with a reason, firing for resets sent
# without a socket too); "auto" picks tp_btf there, fentry before, and
# kprobe where the kernel refuses fentry (arm64 before 6.4 has no ftrace
# direct calls: a trampoline on a traced function fails with ENOTSUPP).
# What the kernel allows is what the forced methods did in this run.  Here
# (6.18, no fentry or kprobe) the tracepoints work; in the VM guests of
# tests/vm, fentry and kprobe (and on 5.10/6.1 the refusal of tracepoints).
source "$(dirname "$0")/lib.sh"

N=10
ns=$(netns_create rattach)
inode=$(netns_inode "$ns")
if ! mountpoint -q /sys/kernel/tracing; then
	on_exit "umount /sys/kernel/tracing 2>/dev/null"
fi
# enum sk_rst_reason came with the tracepoint's reason argument, in 6.10.
tracepoints_usable=false
grep -qa SK_RST_REASON_NOT_SPECIFIED /sys/kernel/btf/vmlinux && tracepoints_usable=true

attached=0
declare -A took=()
for method in auto tp_btf raw_tp tracepoint fentry kprobe; do
	write_config "$TMP/$method.json" "{ \"name\": \"reset\", \"attach\": \"$method\" }"
	daemon_try_start "$TMP/$method.json" || true
	used=$(sed -n 's/.*probe reset: attached with \([a-z_]*\).*/\1/p' "$DAEMON_LOG")
	took[$method]=$used
	case $method in
	auto) auto_used=$used ;;
	tp_btf | raw_tp | tracepoint)
		assert_eq "$tracepoints_usable" "$([ -n "$used" ] && echo true || echo false)" \
			"attach=$method usable exactly where tcp_send_reset sees every reset"
		;;
	esac
	if [ -z "$used" ]; then
		assert_eq 1 "$DAEMON_RC" "attach=$method fails start-up on this kernel"
		assert_contains "$(cat "$DAEMON_LOG")" "probe reset: $method is not usable here:" \
			"attach=$method logs why"
		continue
	fi
	in_ns "$ns" "$TESTGEN" tcp-connect 127.0.0.1 9 $N 500 > /dev/null
	scrape > "$TMP/after"
	assert_eq 1 "$(metric_sum "$TMP/after" skbtrace_probe_attached probe=reset method="$used")" \
		"attach=$method reports method $used"
	assert_eq "$N" "$(metric_sum "$TMP/after" skbtrace_tcp_resets_total direction=sent \
		origin=passive netns="$inode")" "attach=$method: passive resets sent"
	assert_eq "$N" "$(metric_sum "$TMP/after" skbtrace_tcp_resets_total direction=received \
		netns="$inode")" "attach=$method: resets received"
	daemon_stop
	attached=$((attached + 1))
	# Counters start from zero with each daemon: a fresh netns is not needed.
done
[ "$attached" -gt 1 ] || fail "only auto attached"
# The order of preference: tp_btf where the tracepoint sees every reset,
# else fentry, else kprobe, whichever attached when forced above.
expected=none
for method in kprobe fentry; do
	[ -z "${took[$method]}" ] || expected=$method
done
$tracepoints_usable && expected=tp_btf
assert_eq "$expected" "${auto_used:-none}" "attach=auto picks the best method the kernel allows (tp_btf ${took[tp_btf]:-refused}, fentry ${took[fentry]:-refused}, kprobe ${took[kprobe]:-refused})"
test_done
