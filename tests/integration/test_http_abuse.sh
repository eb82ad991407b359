#!/usr/bin/env bash
# The HTTP server keeps serving Prometheus while it is abused, with the
# default limits, from the scraper's own address: 60 sequential scrapes from
# 127.0.0.1 all answer 200, the slowest in under 1 s, while for HOLD (60) s
# these hold at once, each connection opened again as soon as it is closed:
#   1,000 idle connections            (from 127.0.0.1, the scraper's address)
#   200 slowloris connections         (from 127.0.0.1, one header byte a second)
#   1,000 idle connections            (from 127.0.0.2)
#   200 slowloris connections         (from 127.0.0.3)
#   50 parallel scrapers              (from 127.0.1.1 .. 127.0.1.50, back to back)
# The squatters are evicted in the scrapes' favour (counted), the parallel
# scrapers get only 200s, and afterwards the daemon holds the descriptors it
# had before and no more memory than during the abuse.  About 70 s.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/http_abuse_lib.sh"

HOLD=${HOLD:-60}
cat > "$TMP/config.json" <<'JSON'
{ "listen": "127.0.0.1:0", "probes": [ { "name": "drop" } ] }
JSON
daemon_start "$TMP/config.json"
scrape > /dev/null
fds_before=$(fds)
abuse idle 1000 127.0.0.1 idle_own
abuse slowloris 200 127.0.0.1 slowloris_own
abuse idle 1000 127.0.0.2 idle
abuse slowloris 200 127.0.0.3 slowloris
abuse scrape 50 127.0.1.1 scrape spread
# The attackers take what they can.
sleep 3
log "daemon: $(scrape | grep '^skbtrace_http_connections ' || true)"
timed_scrapes 60 0.85
wait_abusers
read -r _ _ _ _ _ responses _ ok < "$TMP/scrape"
[ "${ok:-0}" -gt 0 ] || fail "the parallel scrapers got no answer"
assert_eq "$responses" "$ok" "the parallel scrapers got only 200s"
settled "$fds_before"

scrape > "$TMP/metrics"
promtool_check "$TMP/metrics"
for r in client_limit connection_limit; do
	log "evicted at $r: $(metric_sum "$TMP/metrics" skbtrace_http_connections_evicted_total reason=$r)," \
		"refused: $(metric_sum "$TMP/metrics" skbtrace_http_connections_rejected_total reason=$r)"
done
evicted=$(metric_sum "$TMP/metrics" skbtrace_http_connections_evicted_total)
[ "$evicted" -gt 1000 ] || fail "only $evicted connections evicted"
CHECKS=$((CHECKS + 1))
kill -0 "$DAEMON_PID" || fail "the daemon died"
test_done
