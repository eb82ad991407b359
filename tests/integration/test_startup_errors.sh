#!/usr/bin/env bash
# Start-up failures give one clear line and a non-zero exit: a port in use,
# a missing capability, a bad --listen.
source "$(dirname "$0")/lib.sh"

cfg="$SRCDIR/config/skbtrace.json"

# Occupy a known port with a plain listener, then ask the daemon for it.
port=$((20000 + RANDOM % 20000))
"$TESTGEN" listen 127.0.0.1 "$port" 1 30 > "$TMP/listener" &
PIDS+=($!)
for _ in $(seq 50); do grep -q listening "$TMP/listener" && break; sleep 0.1; done
rc=0
timeout 20 "$SKBTRACE" --config "$cfg" --listen "127.0.0.1:$port" 2> "$TMP/err" || rc=$?
assert_eq 1 "$rc" "exit code with the port in use"
assert_contains "$(cat "$TMP/err")" "cannot listen on 127.0.0.1:$port: Address already in use" \
	"port-in-use message"

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
