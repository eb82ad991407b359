#!/usr/bin/env bash
# The HTTP server keeps serving Prometheus while it is abused: 20 sequential
# scrapes from 127.0.0.1 all answer 200, the slowest in under 1 s, while held
# at once against the real daemon:
#   1,000 idle connections            (from 127.0.0.2)
#   200 slowloris connections         (from 127.0.0.3, one header byte a second)
#   50 parallel scrapers              (from 127.0.1.1 .. 127.0.1.50, back to back)
# The refused and timed-out connections are counted in the daemon's metrics.
source "$(dirname "$0")/lib.sh"
# Built beside skbtrace-testgen (tests/CMakeLists.txt).
HTTP_ABUSE=${HTTP_ABUSE:-$(dirname "$TESTGEN")/skbtrace-http-abuse}
[ -x "$HTTP_ABUSE" ] || { echo "NA: $HTTP_ABUSE is not built"; exit 77; }

HOLD=25
cat > "$TMP/config.json" <<'JSON'
{ "listen": "127.0.0.1:0", "web": { "header_timeout_seconds": 5, "idle_timeout_seconds": 30 },
  "probes": [ { "name": "drop" } ] }
JSON
daemon_start "$TMP/config.json"
port=$DAEMON_PORT
abuse() { # MODE COUNT SRC [spread]: runs for HOLD seconds, its summary in $TMP/MODE
	"$HTTP_ABUSE" "$1" 127.0.0.1 "$port" "$2" "$HOLD" "$3" ${4:-} > "$TMP/$1" 2>&1 &
	PIDS+=($!)
}
abuse idle 1000 127.0.0.2
abuse slowloris 200 127.0.0.3
abuse scrape 50 127.0.1.1 spread
# Let the attackers take what they can, and the slowloris deadline pass once.
sleep 7
log "daemon: $(scrape | grep '^skbtrace_http_connections ' || true)"

worst=0 failed=0
for i in $(seq 1 20); do
	out=$(curl -s -o /dev/null --interface 127.0.0.1 --max-time 5 -w '%{http_code} %{time_total}' \
		"http://127.0.0.1:$port/metrics") || true
	code=${out%% *} t=${out##* }
	[ "$code" = 200 ] || failed=$((failed + 1))
	worst=$(awk -v a="$worst" -v b="${t:-5}" 'BEGIN { print (b > a) ? b : a }')
	sleep 0.5
done
log "20 scrapes under abuse: $failed failed, slowest ${worst} s"
assert_eq 0 "$failed" "every scrape answers 200"
awk -v w="$worst" 'BEGIN { exit !(w < 1) }' || fail "the slowest scrape took $worst s"
CHECKS=$((CHECKS + 1))
log "ok: the slowest scrape took under 1 s ($worst s)"

wait_abusers() { for pid in "${PIDS[@]:1}"; do wait "$pid" 2> /dev/null || true; done; }
wait_abusers
for m in idle slowloris scrape; do log "$m: $(cat "$TMP/$m")"; done
read -r _ _ _ _ _ responses _ ok < "$TMP/scrape"
[ "${ok:-0}" -gt 0 ] || fail "the parallel scrapers got no answer"
assert_eq "$responses" "$ok" "the parallel scrapers got only 200s"

scrape > "$TMP/metrics"
promtool_check "$TMP/metrics"
client=$(metric_sum "$TMP/metrics" skbtrace_http_connections_rejected_total reason=client_limit)
[ "$client" -gt 0 ] || fail "no connection refused at the per-client limit"
log "ok: $client connections refused at the per-client limit"
headers=$(metric_sum "$TMP/metrics" skbtrace_http_connections_timed_out_total phase=headers)
[ "$headers" -gt 0 ] || fail "no slowloris connection timed out in the headers phase"
log "ok: $headers connections closed at the header deadline"
CHECKS=$((CHECKS + 2))
kill -0 "$DAEMON_PID" || fail "the daemon died"
test_done
