#!/usr/bin/env bash
# Each attach method of the conntrack probe, forced by config: where the
# kernel allows it, it attaches, says so in skbtrace_probe_attached and counts
# table-full drops exactly; where it does not, start-up fails with the reason.
# Here only tp_btf works; in the VM guests fentry and kprobe are exercised.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/conntrack_lib.sh"

N=20
ct_lower_max 8
attached=0
for method in fentry kprobe tp_btf; do
	write_config "$TMP/$method.json" "{ \"name\": \"conntrack\", \"attach\": \"$method\" }"
	rc=0
	timeout 20 "$SKBTRACE" --config "$TMP/$method.json" --check-config > /dev/null 2>&1 || rc=$?
	assert_eq 0 "$rc" "attach=$method is a valid config"
	# A fresh namespace per method: its table and kernel counters start empty.
	ns=$(netns_create "$method")
	inode=$(netns_inode "$ns")
	ct_ruleset "$ns"
	ct_listener "$ns" 8080 30

	if ! daemon_try_start "$TMP/$method.json"; then
		assert_eq 1 "$DAEMON_RC" "attach=$method: start-up fails where the kernel cannot do it"
		assert_contains "$(cat "$DAEMON_LOG")" "probe conntrack: cannot attach:" \
			"attach=$method: the reason is given ($(tail -n1 "$DAEMON_LOG"))"
		continue
	fi
	log "attach=$method: $(ct_fill "$ns" 8080 $N)"
	scrape > "$TMP/$method.prom"
	assert_eq 1 "$(metric_sum "$TMP/$method.prom" skbtrace_probe_attached probe=conntrack method="$method")" \
		"attach=$method reported"
	assert_eq "$(ct_kernel_drops "$ns")" \
		"$(metric_sum "$TMP/$method.prom" skbtrace_conntrack_table_full_drops_total netns="$inode")" \
		"attach=$method counts exactly what the kernel's drop statistic counts"
	daemon_stop
	attached=$((attached + 1))
done
[ "$attached" -gt 0 ] || fail "no attach method worked"
test_done
