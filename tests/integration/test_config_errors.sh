#!/usr/bin/env bash
# Every config of the bad corpus is rejected by --check-config with exit 1
# and its documented message; the shipped config passes.
source "$(dirname "$0")/lib.sh"

corpus="$SRCDIR/tests/configs/bad"
n=0
for cfg in "$corpus"/*.json; do
	expect=$(cat "${cfg%.json}.expect")
	rc=0
	"$SKBTRACE" --check-config --config "$cfg" > /dev/null 2> "$TMP/err" || rc=$?
	assert_eq 1 "$rc" "exit code for $(basename "$cfg")"
	assert_contains "$(cat "$TMP/err")" "$expect" "message for $(basename "$cfg")"
	assert_eq 1 "$(wc -l < "$TMP/err")" "one-line error for $(basename "$cfg")"
	n=$((n + 1))
done
[ "$n" -ge 15 ] || fail "the bad-config corpus has only $n cases"

rc=0
"$SKBTRACE" --check-config --config "$SRCDIR/config/skbtrace.json" > "$TMP/out" 2>&1 || rc=$?
assert_eq 0 "$rc" "shipped config passes --check-config"

# A reason name the running kernel does not have is a config error too.
write_config "$TMP/reason.json" \
	'{ "name": "drop", "filter": { "reasons": { "include": ["NO_SUCH_REASON"] } } }'
rc=0
"$SKBTRACE" --check-config --config "$TMP/reason.json" 2> "$TMP/err" || rc=$?
assert_eq 1 "$rc" "unknown drop reason rejected"
assert_contains "$(cat "$TMP/err")" \
	'probes[0].filter.reasons.include[0]: "NO_SUCH_REASON" is not a drop reason of the running kernel' \
	"unknown drop reason message"

# --check-config attaches nothing: not a single BPF program is loaded.
strace -f -e trace=bpf -o "$TMP/strace" "$SKBTRACE" --check-config \
	--config "$SRCDIR/config/skbtrace.json" > /dev/null 2>&1 || fail "--check-config failed under strace"
assert_eq 0 "$(grep -c BPF_PROG_LOAD "$TMP/strace" || true)" "no BPF program loaded by --check-config"

# A FIFO never stalls: --check-config refuses it at once, and a reload with the
# config replaced by a FIFO fails while the daemon goes on serving.
mkfifo "$TMP/fifo.json"
rc=0
timeout 5 "$SKBTRACE" --check-config --config "$TMP/fifo.json" 2> "$TMP/err" || rc=$?
assert_eq 1 "$rc" "--check-config on a FIFO exits 1 (124 would be a hang)"
assert_contains "$(cat "$TMP/err")" "$TMP/fifo.json: cannot read: a FIFO, expected a regular file" \
	"--check-config on a FIFO says why"
write_config "$TMP/live.json" '{ "name": "drop" }'
daemon_start "$TMP/live.json"
mv "$TMP/live.json" "$TMP/live.json.good"
mkfifo "$TMP/live.json"
kill -HUP "$DAEMON_PID"
wait_for_line "$DAEMON_LOG" "reload failed"
assert_contains "$(cat "$DAEMON_LOG")" "live.json: cannot read: a FIFO, expected a regular file" \
	"a reload from a FIFO fails and says why"
out=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$DAEMON_PORT/metrics") || true
assert_eq 200 "$out" "the daemon serves on after a reload from a FIFO"
test_done
