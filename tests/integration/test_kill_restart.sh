#!/usr/bin/env bash
# kill -9 and an immediate restart on the same port: the new daemon starts
# cleanly, and once the kernel has released the old one's programs (an RCU
# grace period after its fds closed) none of them is left attached.
source "$(dirname "$0")/lib.sh"
for tool in bpftool jq; do
	command -v "$tool" > /dev/null || { echo "NA: $tool is not installed"; exit 77; }
done
serving() { # LOG: waits for the daemon to serve, as long as daemon_start does
	poll "$DAEMON_START_SECONDS" grep -q "serving metrics" "$1" ||
		fail "no daemon serving, see $1: $(cat "$1")"
}

port=$(free_port)
write_config "$TMP/config.json" '{ "name": "drop" }' '{ "name": "reset" }' '{ "name": "conntrack" }'
prog_ids() { bpftool prog show -j | jq -r '.[].id' | sort -n; }

before=$(prog_ids)
: > "$TMP/first.log"
"$SKBTRACE" --config "$TMP/config.json" --listen "127.0.0.1:$port" 2> "$TMP/first.log" &
first=$!
PIDS+=("$first")
serving "$TMP/first.log"
# What the first daemon loaded: the programs that exist now and did not before.
old=$(prog_ids | grep -Fxv -f <(echo "$before") || true)
[ -n "$old" ] || fail "no BPF program of the first daemon found"
log "first daemon $first: programs $(echo $old)"

kill -9 "$first"
wait "$first" 2> /dev/null || true
: > "$TMP/second.log"
"$SKBTRACE" --config "$TMP/config.json" --listen "127.0.0.1:$port" 2> "$TMP/second.log" &
second=$!
PIDS+=("$second")
serving "$TMP/second.log"
assert_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/metrics")" \
	"the restarted daemon serves on the same port"

left=$old
old_progs_gone() {
	left=$(prog_ids | grep -Fx -f <(echo "$old") || true)
	[ -z "$left" ]
}
poll 5 old_progs_gone || true
assert_eq "" "$left" "no program of the killed daemon is left"
kill -0 "$second" || fail "the second daemon died"
test_done
