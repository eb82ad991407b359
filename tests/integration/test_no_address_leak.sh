#!/usr/bin/env bash
# No endpoint, log line or error body carries a raw kernel address (KASLR).
# With kernel.kptr_restrict=2 /proc/kallsyms hides every address, even from
# CAP_SYSLOG: a location or frame that cannot be symbolized is "unknown",
# never the raw address that BPF reported.  Then the same with kallsyms
# readable: symbolized names only.
source "$(dirname "$0")/lib.sh"

ns=$(netns_create leak)
nft_drop_udp_port "$ns" 9999
old=$(cat /proc/sys/kernel/kptr_restrict)
on_exit "echo $old > /proc/sys/kernel/kptr_restrict"
write_config "$TMP/config.json" '{ "name": "drop", "stacks": { "mode": "exact" } }' \
	'{ "name": "reset", "stacks": { "mode": "exact" } }'

# A kernel address in text: 16 hex digits starting ffff, or the 0x form.
leaks() { grep -Eo '(0x)?ffff[0-9a-f]{12}' "$@" | head -n 3 || true; }
check_run() {
	KEEP=1 # LABEL: drops and resets, then every endpoint and the log, checked
	daemon_start "$TMP/config.json"
	in_ns "$ns" "$TESTGEN" udp 127.0.0.1 9999 5 > /dev/null
	in_ns "$ns" "$TESTGEN" udp 127.0.0.1 9998 5 > /dev/null
	in_ns "$ns" "$TESTGEN" tcp-connect 127.0.0.1 9 3 300 > /dev/null
	scrape > "$TMP/$1.metrics"
	scrape / > "$TMP/$1.landing"
	scrape /stacks > "$TMP/$1.stacks"
	scrape /flamegraph > "$TMP/$1.flamegraph"
	id=$(sed -n 's/.*stack="\([0-9a-f]\{16\}\)".*/\1/p' "$TMP/$1.metrics" | head -n1)
	[ -n "$id" ] || fail "$1: no stack id in /metrics"
	scrape "/stacks?id=$id" > "$TMP/$1.stack"
	curl -s "http://127.0.0.1:$DAEMON_PORT/nope" > "$TMP/$1.404"
	curl -s -X POST "http://127.0.0.1:$DAEMON_PORT/metrics" > "$TMP/$1.405"
	daemon_stop
	found=$(leaks "$TMP/$1".* "$DAEMON_LOG")
	assert_eq "" "$found" "$1: no kernel address in any endpoint or the log"
}

echo 2 > /proc/sys/kernel/kptr_restrict
check_run hidden
assert_contains "$(grep '^skbtrace_drops_total{' "$TMP/hidden.metrics")" 'location="unknown"' \
	"kallsyms hidden: the location is unknown"

echo 0 > /proc/sys/kernel/kptr_restrict
check_run readable
grep '^skbtrace_drops_total{' "$TMP/readable.metrics" |
	grep -q 'location="[a-z_][a-z0-9_.]*+[0-9]*"' || fail "kallsyms readable: locations are not symbolized"
CHECKS=$((CHECKS + 1))
test_done
