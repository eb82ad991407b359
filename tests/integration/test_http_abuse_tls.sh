#!/usr/bin/env bash
# As test_http_abuse, over TLS (web.tls_server_config, default limits): 60
# sequential HTTPS scrapes from 127.0.0.1 all answer 200, the slowest in
# under 1 s, while for HOLD (60) s these hold at once, each connection
# opened again as soon as it is closed:
#   1,000 idle connections                      (from 127.0.0.1, the scraper's address)
#   200 that send half a TLS ClientHello, stall  (from 127.0.0.1)
#   1,000 idle connections                      (from 127.0.0.2)
#   200 half ClientHellos                        (from 127.0.0.3)
# Afterwards the daemon holds the descriptors it had before and no more
# memory than during the abuse.  About 70 s.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/http_abuse_lib.sh"
command -v openssl > /dev/null || test_na "openssl missing"

HOLD=${HOLD:-60}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$TMP/ca.key" -out "$TMP/ca.crt" -days 2 -subj "/CN=skbtrace test ca" \
	-addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign,cRLSign 2> /dev/null || fail "openssl: CA"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$TMP/server.key" -out "$TMP/server.csr" -subj "/CN=server" 2> /dev/null ||
	fail "openssl: key"
printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n' \
	> "$TMP/server.ext"
openssl x509 -req -in "$TMP/server.csr" -CA "$TMP/ca.crt" -CAkey "$TMP/ca.key" \
	-CAcreateserial -days 2 -extfile "$TMP/server.ext" -out "$TMP/server.crt" 2> /dev/null ||
	fail "openssl: certificate"
cat > "$TMP/config.json" << JSON
{ "listen": "127.0.0.1:0",
  "web": { "tls_server_config": { "cert_file": "$TMP/server.crt", "key_file": "$TMP/server.key" } },
  "probes": [ { "name": "drop" } ] }
JSON
DAEMON_CURL=(--cacert "$TMP/ca.crt")
daemon_start "$TMP/config.json"
assert_eq https "$DAEMON_SCHEME" "the daemon serves https"
scrape > /dev/null
fds_before=$(fds)
abuse idle 1000 127.0.0.1 idle_own
abuse tlshalf 200 127.0.0.1 tlshalf_own
abuse idle 1000 127.0.0.2 idle
abuse tlshalf 200 127.0.0.3 tlshalf
sleep 3
log "daemon: $(scrape | grep '^skbtrace_http_connections ' || true)"
timed_scrapes 60 0.85 "${DAEMON_CURL[@]}"
wait_abusers
settled "$fds_before"

scrape > "$TMP/metrics"
promtool_check "$TMP/metrics"
evicted=$(metric_sum "$TMP/metrics" skbtrace_http_connections_evicted_total)
log "evicted: $evicted; timed out in the headers phase (the handshake):" \
	"$(metric_sum "$TMP/metrics" skbtrace_http_connections_timed_out_total phase=headers)"
[ "$evicted" -gt 1000 ] || fail "only $evicted connections evicted"
CHECKS=$((CHECKS + 1))
kill -0 "$DAEMON_PID" || fail "the daemon died"
test_done
