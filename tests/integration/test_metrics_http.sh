#!/usr/bin/env bash
# The live /metrics output passes promtool; the HTTP surface answers as
# documented: content type, landing page, 404, 405.
source "$(dirname "$0")/lib.sh"

command -v promtool > /dev/null || fail "promtool missing (Debian package prometheus)"
ns=$(netns_create http)
write_config "$TMP/config.json" '{ "name": "drop" }'
daemon_start "$TMP/config.json"
in_ns "$ns" "$TESTGEN" udp 127.0.0.1 8888 10 > /dev/null

scrape > "$TMP/metrics"
out=$(promtool check metrics < "$TMP/metrics" 2>&1) || fail "promtool failed: $out"
assert_eq "" "$out" "promtool check metrics prints nothing"
for family in skbtrace_build_info skbtrace_probe_attached skbtrace_drops_total \
	skbtrace_drop_stacks_total skbtrace_stack_info skbtrace_map_entries \
	skbtrace_map_max_entries skbtrace_map_overflow_events_total skbtrace_stack_events_total \
	skbtrace_probe_events_total; do
	assert_contains "$(cat "$TMP/metrics")" "# TYPE $family " "family $family present"
done

url="http://127.0.0.1:$DAEMON_PORT"
ctype=$(curl -s -o /dev/null -w '%{content_type}' "$url/metrics")
assert_eq "text/plain; version=0.0.4; charset=utf-8" "$ctype" "Content-Type of /metrics"
assert_contains "$(curl -s "$url/")" 'href="/metrics"' "landing page links /metrics"
assert_eq 404 "$(curl -s -o /dev/null -w '%{http_code}' "$url/nope")" "unknown path"
assert_eq 405 "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d x=1 "$url/metrics")" "POST"
assert_eq 405 "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$url/metrics")" "DELETE"
assert_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' -I "$url/metrics")" "HEAD"
# Malformed requests get an error (or a closed connection) and the server keeps serving.
raw_request() {
	printf "$1" | timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$DAEMON_PORT; cat >&3; cat <&3" || true
}
assert_contains "$(raw_request 'GET  HTTP/1.1\r\nHost: x\r\n\r\n' | head -n1)" "HTTP/1.1 400" \
	"request without a path answered 400"
assert_contains "$(raw_request 'GET /metrics HTTP/7.0\r\nHost: x\r\n\r\n' | head -n1)" "HTTP/1.1 505" \
	"unknown HTTP version answered 505"
raw_request 'NOT-HTTP\r\n\r\n' > /dev/null
raw_request '\x00\x01\x02\xff\r\n\r\n' > /dev/null
assert_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' "$url/metrics")" "still serving"
assert_contains "$(curl -s "$url/stacks")" '"stacks"' "/stacks answers JSON"
test_done
