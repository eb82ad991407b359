# Shared by test_http_abuse*.sh (sourced after lib.sh): hostile clients from
# skbtrace-http-abuse, sequential scrapes timed with curl, and the daemon's
# memory and descriptors.
# Built beside skbtrace-testgen (tests/CMakeLists.txt).
HTTP_ABUSE=${HTTP_ABUSE:-$(dirname "$TESTGEN")/skbtrace-http-abuse}
[ -x "$HTTP_ABUSE" ] || { echo "NA: $HTTP_ABUSE is not built"; exit 77; }

ABUSERS=()
# abuse MODE COUNT SRC NAME [spread]: runs for HOLD seconds against the
# daemon, its summary in $TMP/NAME.
abuse() {
	"$HTTP_ABUSE" "$1" 127.0.0.1 "$DAEMON_PORT" "$2" "$HOLD" "$3" ${5:-} > "$TMP/$4" 2>&1 &
	PIDS+=($!)
	ABUSERS+=("$4:$!")
}
wait_abusers() {
	local a
	for a in "${ABUSERS[@]}"; do
		wait "${a##*:}" 2> /dev/null || true
		log "${a%%:*}: $(cat "$TMP/${a%%:*}")"
	done
}

rss_anon_kb() { awk '/^RssAnon:/ { print $2 }' "/proc/$DAEMON_PID/status"; }
fds() { find "/proc/$DAEMON_PID/fd" -mindepth 1 | wc -l; }

# timed_scrapes N PAUSE [curl args]: N sequential scrapes from 127.0.0.1,
# PAUSE seconds apart; requires every one to answer 200, the slowest in
# under 1 s.  RSS_MID: the daemon's RssAnon at the middle one.
timed_scrapes() {
	local n=$1 pause=$2 i out code t worst=0 failed=0 codes=""
	shift 2
	for i in $(seq 1 "$n"); do
		out=$(curl -s -o /dev/null --interface 127.0.0.1 --max-time 5 \
			-w '%{http_code} %{time_total}' "$@" \
			"$DAEMON_SCHEME://127.0.0.1:$DAEMON_PORT/metrics") || true
		code=${out%% *} t=${out##* }
		[ "$code" = 200 ] || { failed=$((failed + 1)) codes="$codes $code"; }
		worst=$(awk -v a="$worst" -v b="${t:-5}" 'BEGIN { print (b > a) ? b : a }')
		[ "$i" != $((n / 2)) ] || RSS_MID=$(rss_anon_kb)
		sleep "$pause"
	done
	log "$n scrapes under abuse: $failed failed${codes:+ (got$codes)}, slowest ${worst} s"
	assert_eq 0 "$failed" "every scrape answers 200"
	awk -v w="$worst" 'BEGIN { exit !(w < 1) }' || fail "the slowest scrape took $worst s"
	CHECKS=$((CHECKS + 1))
	log "ok: the slowest scrape took under 1 s ($worst s)"
}

# settled FDS_BEFORE: once the abusers are gone, the daemon closes all their
# connections, and ends with the descriptors it had before them and no more
# anonymous memory than in the middle of the abuse (1 MiB of slack).
settled() {
	local i
	for i in $(seq 1 50); do
		[ "$(fds)" -le "$1" ] && break
		sleep 0.2
	done
	log "descriptors: $1 before, $(fds) after; RssAnon ${RSS_MID} kB under abuse, $(rss_anon_kb) kB after"
	assert_eq "$1" "$(fds)" "the daemon's descriptors after the abuse"
	[ $(($(rss_anon_kb) - RSS_MID)) -le 1024 ] ||
		fail "RssAnon grew by $(($(rss_anon_kb) - RSS_MID)) kB after the abuse (> 1 MiB)"
	CHECKS=$((CHECKS + 1))
}
