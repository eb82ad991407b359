#!/usr/bin/env bash
# 2,000 malformed requests, one connection each, twenty at a time (binary
# junk, a 1 MB header, 10,000 headers, a 64 KB URL, HTTP/0.9, a pipeline
# cut short, a bad method, an absolute URI, traversal, a body that never
# comes), each connection ending its side after its request: the daemon
# closes every one within the headers deadline (1 s here) plus a margin,
# answers most of them, keeps serving, and its memory does not grow
# (resident anonymous memory within 1 MiB of where it was after a warm-up
# round; the same for its descriptors).
source "$(dirname "$0")/lib.sh"

HTTP_GARBAGE=${HTTP_GARBAGE:-$(dirname "$TESTGEN")/skbtrace-http-garbage}
[ -x "$HTTP_GARBAGE" ] || { echo "NA: $HTTP_GARBAGE is not built"; exit 77; }
N=2000
WAIT=3

cat > "$TMP/config.json" <<'JSON'
{ "listen": "127.0.0.1:0", "web": { "header_timeout_seconds": 1 },
  "probes": [ { "name": "drop" } ] }
JSON
daemon_start "$TMP/config.json"
rss_anon_kb() { awk '/^RssAnon:/ { print $2 }' "/proc/$DAEMON_PID/status"; }
fds() { find "/proc/$DAEMON_PID/fd" -mindepth 1 | wc -l; }
garbage() { # COUNT: sends them, its summary in $TMP/garbage
	"$HTTP_GARBAGE" 127.0.0.1 "$DAEMON_PORT" "$1" 20 $WAIT 127.0.2.1 > "$TMP/garbage" ||
		fail "skbtrace-http-garbage: $(cat "$TMP/garbage")"
	log "garbage $1: $(cat "$TMP/garbage")"
}

# The allocator's pools and libmicrohttpd's buffers reach their size first.
garbage 200
scrape > /dev/null
before=$(rss_anon_kb)
fds_before=$(fds)
garbage $N
read -r _ connects _ closed _ responses _ held < "$TMP/garbage"
assert_eq $N "$connects" "connections made"
assert_eq 0 "$held" "connections the daemon still held ${WAIT}s after the client's end of input"
assert_eq $N "$closed" "connections closed by the daemon"
[ "$responses" -ge $((N / 2)) ] || fail "only $responses of $N malformed requests got an HTTP answer"
kill -0 "$DAEMON_PID" || fail "the daemon died"
scrape > "$TMP/m"
promtool_check "$TMP/m"
after=$(rss_anon_kb)
log "RssAnon: $before kB before, $after kB after; descriptors $fds_before before, $(fds) after"
[ $((after - before)) -le 1024 ] || fail "RssAnon grew by $((after - before)) kB (> 1 MiB)"
assert_eq "$fds_before" "$(fds)" "the daemon's descriptors"
test_done
