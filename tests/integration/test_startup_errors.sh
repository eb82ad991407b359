#!/usr/bin/env bash
# Start-up failures give one clear line and a non-zero exit: a port in use
# (by another program, and by a second skbtrace), a missing capability, a
# bad --listen.
source "$(dirname "$0")/lib.sh"

cfg="$SRCDIR/config/skbtrace.json"

# Occupy a known port with a plain listener, then ask the daemon for it.
port=$(free_port)
"$TESTGEN" listen 127.0.0.1 "$port" 1 30 > "$TMP/listener" &
PIDS+=($!)
wait_for_line "$TMP/listener" listening
rc=0
timeout 20 "$SKBTRACE" --config "$cfg" --listen "127.0.0.1:$port" 2> "$TMP/err" || rc=$?
assert_eq 1 "$rc" "exit code with the port in use"
assert_contains "$(cat "$TMP/err")" "cannot listen on 127.0.0.1:$port: Address already in use" \
	"port-in-use message"

# A second daemon on the port of a running one: exactly one line, naming the
# address, exit 1, before it loads anything; the first one keeps serving.
write_config "$TMP/first.json" '{ "name": "drop" }'
daemon_start "$TMP/first.json"
rc=0
timeout 20 "$SKBTRACE" --config "$cfg" --listen "127.0.0.1:$DAEMON_PORT" 2> "$TMP/err" || rc=$?
assert_eq 1 "$rc" "exit code of a second daemon on the same port"
assert_eq 1 "$(wc -l < "$TMP/err")" "lines a second daemon writes: $(head -c 300 "$TMP/err")"
assert_contains "$(cat "$TMP/err")" "cannot listen on 127.0.0.1:$DAEMON_PORT: Address already in use" \
	"second daemon's message"
scrape > "$TMP/first" || fail "the first daemon stopped answering"
assert_contains "$(cat "$TMP/first")" "skbtrace_probe_attached{probe=\"drop\"" \
	"the first daemon still serves"
daemon_stop

rc=0
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$SKBTRACE" --config "$cfg" --listen 127.0.0.1:0 2> "$TMP/err" || rc=$?
assert_eq 1 "$rc" "exit code without capabilities"
assert_contains "$(cat "$TMP/err")" "missing capability CAP_BPF" "missing-capability message"

rc=0
"$SKBTRACE" --config "$cfg" --listen "localhost:80" 2> "$TMP/err" || rc=$?
assert_eq 1 "$rc" "exit code with a bad --listen"
assert_contains "$(cat "$TMP/err")" "--listen:" "bad --listen message"

rc=0
"$SKBTRACE" --config "$TMP/missing.json" 2> "$TMP/err" || rc=$?
assert_eq 1 "$rc" "exit code with a missing config file"
assert_contains "$(cat "$TMP/err")" "$TMP/missing.json: cannot read" "missing config message"
test_done
