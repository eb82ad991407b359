#!/usr/bin/env bash
# HTTPS, client certificates and basic auth (web.tls_server_config,
# web.basic_auth_users) against the real daemon, with a CA, server and
# client certificates made here by openssl:
# - scrapes over TLS with the test CA; plain HTTP to the TLS port gets no metrics;
# - the right password 200, a wrong, unknown or missing one 401 without metrics, on every path;
# - RequireAndVerifyClientCert: the CA's client certificate in, another CA's and none out;
#   VerifyClientCertIfGiven: none in, another CA's out; RequireAnyClientCert: none
#   out, any in; RequestClientCert: both in; min_version TLS13 refuses TLS 1.2;
# - the headers deadline covers the TLS handshake;
# - basic auth over plain HTTP works, with a warning; a reload keeps kept-alive
#   connections unless the users or TLS settings changed;
# - bad, expired and missing files: a clear error and exit 1 at start, and at a
#   SIGHUP the old certificate serving on, same PID, same listening socket;
# - a SIGHUP rotates the certificate (its serial seen by openssl s_client), and
#   connections queued in the backlog across the reload are served.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/pki_lib.sh"
# Relative paths in the configs start at the config file's directory, not here.
cd /

command -v openssl > /dev/null || test_na "openssl missing"

PKI="$TMP/pki"
mkdir -p "$PKI"

serial_of() { openssl x509 -in "$1" -noout -serial; }

make_ca ca
make_ca other
make_cert server ca serverAuth 2
make_cert server2 ca serverAuth 2
make_cert expired ca serverAuth -1
make_cert client ca clientAuth 2
make_cert stranger other clientAuth 2
printf 'not a certificate\n' > "$PKI/garbage.pem"
cp "$PKI/server.crt" "$PKI/live.crt"
cp "$PKI/server.key" "$PKI/live.key"
[ "$(serial_of "$PKI/server.crt")" != "$(serial_of "$PKI/server2.crt")" ] ||
	fail "the two server certificates share a serial"

# bcrypt (cost 10) of "pw2" (HASH_S3CRET: pki_lib.sh), made once with
# libxcrypt; carol has alice's hash as $2a$, which for an ASCII password is
# the same hash.
HASH_PW2='$2b$10$Gdw6Ta1bIkPp6hgeMQuRj.os0wBVz44g0il3lZHV9cw3Whks4xiFa'
HASH_CAROL=${HASH_S3CRET/\$2y\$/\$2a\$}

# web_config FILE TLS_JSON [USERS_JSON]: a config without probes; paths in
# TLS_JSON are relative to FILE's directory ("pki/...").
web_config() {
	cat > "$1" << JSON
{
	"listen": "127.0.0.1:0",
	"web": { "header_timeout_seconds": 1, "tls_server_config": $2${3:+, \"basic_auth_users\": $3} },
	"probes": []
}
JSON
}

MTLS='{ "cert_file": "pki/live.crt", "key_file": "pki/live.key",
	"client_auth_type": "RequireAndVerifyClientCert", "client_ca_file": "pki/ca.crt" }'
USERS="{ \"alice\": \"$HASH_S3CRET\", \"bob\": \"$HASH_PW2\", \"carol\": \"$HASH_CAROL\" }"

# ---- Bad files at start: exit 1, the file, the JSON path and the problem. ----
# start_fails NAME TLS_JSON MESSAGE: both --check-config and a real start refuse
# it with "CONFIG: web.tls_server_config.MESSAGE".
start_fails() {
	local rc
	web_config "$TMP/$1.json" "$2"
	for mode in --check-config ""; do
		rc=0
		timeout 20 "$SKBTRACE" $mode --config "$TMP/$1.json" --listen 127.0.0.1:0 \
			> /dev/null 2> "$TMP/$1.err" || rc=$?
		assert_eq 1 "$rc" "$1: exit code ${mode:-at start}"
		assert_contains "$(cat "$TMP/$1.err")" "$TMP/$1.json: web.tls_server_config.$3" \
			"$1: message ${mode:-at start}"
		assert_eq 1 "$(wc -l < "$TMP/$1.err")" "$1: one line ${mode:-at start}"
	done
}
start_fails missing_cert '{ "cert_file": "pki/nope.crt", "key_file": "pki/server.key" }' \
	"cert_file: $TMP/pki/nope.crt: cannot read: No such file or directory"
start_fails expired_cert '{ "cert_file": "pki/expired.crt", "key_file": "pki/expired.key" }' \
	"cert_file: $TMP/pki/expired.crt: the certificate expired on"
start_fails garbage_cert '{ "cert_file": "pki/garbage.pem", "key_file": "pki/server.key" }' \
	"cert_file: $TMP/pki/garbage.pem: no PEM certificate"
start_fails wrong_key '{ "cert_file": "pki/server.crt", "key_file": "pki/client.key" }' \
	"key_file: $TMP/pki/client.key: not the key of the certificate in $TMP/pki/server.crt"
start_fails missing_ca '{ "cert_file": "pki/server.crt", "key_file": "pki/server.key",
	"client_auth_type": "RequireAndVerifyClientCert", "client_ca_file": "pki/none.crt" }' \
	"client_ca_file: $TMP/pki/none.crt: cannot read: No such file or directory"
start_fails garbage_ca '{ "cert_file": "pki/server.crt", "key_file": "pki/server.key",
	"client_auth_type": "VerifyClientCertIfGiven", "client_ca_file": "pki/garbage.pem" }' \
	"client_ca_file: $TMP/pki/garbage.pem: no PEM certificate"

# ---- mTLS and basic auth ----
web_config "$TMP/web.json" "$MTLS" "$USERS"
CLIENT=(--cacert "$PKI/ca.crt" --cert "$PKI/client.crt" --key "$PKI/client.key")
DAEMON_CURL=("${CLIENT[@]}" -u alice:s3cret)
daemon_start "$TMP/web.json"
assert_eq https "$DAEMON_SCHEME" "the daemon says it serves https"
URL="https://127.0.0.1:$DAEMON_PORT"

# get NAME PATH [curl args]: the status code (000: no HTTP answer) and body in $TMP/NAME.
get() {
	local name=$1 path=$2; shift 2
	curl -s --max-time 5 -o "$TMP/$name.body" -D "$TMP/$name.head" -w '%{http_code}' \
		"$@" "$URL$path" 2> /dev/null || true
}
no_metrics() {
	CHECKS=$((CHECKS + 1))
	! grep -q skbtrace_ "$TMP/$1.body" 2> /dev/null || fail "$2: metrics in the answer"
	log "ok: $2: no metrics"
}

assert_eq 200 "$(get ok /metrics "${CLIENT[@]}" -u alice:s3cret)" "alice, client certificate: 200"
assert_contains "$(cat "$TMP/ok.body")" "# TYPE skbtrace_build_info gauge" "metrics over TLS"
assert_eq 200 "$(get bob /metrics "${CLIENT[@]}" -u bob:pw2)" "bob (\$2b\$ hash): 200"
assert_eq 200 "$(get carol /metrics "${CLIENT[@]}" -u carol:s3cret)" "carol (\$2a\$ hash): 200"
assert_eq 200 "$(get tls12 /metrics "${CLIENT[@]}" -u alice:s3cret --tls-max 1.2)" \
	"TLS 1.2 accepted by default (min_version TLS12)"

assert_eq 200 "$(get landing / "${CLIENT[@]}" -u alice:s3cret)" "alice: the landing page"
assert_contains "$(cat "$TMP/landing.body")" "<h2>Probes</h2>" "the landing page over TLS"
assert_eq 200 "$(get flame /flamegraph "${CLIENT[@]}" -u alice:s3cret)" "alice: the flame graph"

for p in /metrics / /stacks /flamegraph '/flamegraph?reason=NETFILTER_DROP' /nope; do
	n=${p//\//_}
	assert_eq 401 "$(get wrong$n "$p" "${CLIENT[@]}" -u alice:wrong)" "wrong password on $p: 401"
	no_metrics "wrong$n" "wrong password on $p"
	assert_eq 401 "$(get none$n "$p" "${CLIENT[@]}")" "no password on $p: 401"
	no_metrics "none$n" "no password on $p"
done
assert_eq "unauthorized" "$(cat "$TMP/wrong_metrics.body")" "the 401 body"
assert_contains "$(cat "$TMP/wrong_metrics.head")" 'WWW-Authenticate: Basic realm="skbtrace"' \
	"the 401 asks for basic auth"
assert_eq 401 "$(get mallory /metrics "${CLIENT[@]}" -u mallory:s3cret)" "unknown user: 401"
assert_eq 401 "$(get bobalice /metrics "${CLIENT[@]}" -u bob:s3cret)" "another user's password: 401"
assert_eq 401 "$(get post /metrics "${CLIENT[@]}" -X POST -d x=1)" "POST without password: 401"
no_metrics post "POST without password"

assert_eq 000 "$(get nocert /metrics --cacert "$PKI/ca.crt" -u alice:s3cret)" \
	"no client certificate: no HTTP answer"
no_metrics nocert "no client certificate"
assert_eq 000 "$(get stranger /metrics --cacert "$PKI/ca.crt" --cert "$PKI/stranger.crt" \
	--key "$PKI/stranger.key" -u alice:s3cret)" "another CA's client certificate: no HTTP answer"
no_metrics stranger "another CA's client certificate"
URL="http://127.0.0.1:$DAEMON_PORT"
assert_eq 000 "$(get plain /metrics -u alice:s3cret)" "plain HTTP to the TLS port: no HTTP answer"
no_metrics plain "plain HTTP to the TLS port"
URL="https://127.0.0.1:$DAEMON_PORT"

# Every 401 above is counted (6 paths x 2, mallory, bob with alice's password,
# the POST): alice:wrong went through bcrypt once, and on the 5 other paths
# came from the cache of wrong passwords; the other CA's certificate refused
# in the handshake; a missing certificate fails inside GnuTLS and plain HTTP
# never gets a session.
scrape > "$TMP/refused.metrics"
promtool_check "$TMP/refused.metrics"
assert_eq 10 "$(metric_sum "$TMP/refused.metrics" skbtrace_http_clients_refused_total \
	reason=password)" "401s counted"
assert_eq 5 "$(metric_sum "$TMP/refused.metrics" skbtrace_http_clients_refused_total \
	reason=password_known_wrong)" "401s from the cache of wrong passwords counted"
assert_eq 1 "$(metric_sum "$TMP/refused.metrics" skbtrace_http_clients_refused_total \
	reason=client_certificate)" "the refused client certificate counted"

# The headers deadline (1 s here) runs from accept, through the handshake: a
# client that opens a connection and sends half a TLS record is closed.
before=$(scrape | metric_sum /dev/stdin skbtrace_http_connections_timed_out_total phase=headers)
start=$(date +%s%N)
exec 3<> "/dev/tcp/127.0.0.1/$DAEMON_PORT"
printf '\x16\x03\x01' >&3
timeout 10 cat <&3 > /dev/null || true
exec 3<&-
took=$((($(date +%s%N) - start) / 1000000))
CHECKS=$((CHECKS + 1))
[ "$took" -ge 900 ] && [ "$took" -lt 4000 ] || fail "stalled handshake closed after $took ms"
log "ok: a stalled TLS handshake is closed after $took ms (deadline 1000 ms)"
after=$(scrape | metric_sum /dev/stdin skbtrace_http_connections_timed_out_total phase=headers)
assert_eq $((before + 1)) "$after" "the stalled handshake counted as a headers timeout"

# ---- Reload: rotation, a queued connection, bad files, new users ----
listen_inode() { ss -Hltne "sport = :$DAEMON_PORT" | grep -o 'ino:[0-9]*'; }
served_serial() {
	openssl s_client -connect "127.0.0.1:$DAEMON_PORT" -CAfile "$PKI/ca.crt" \
		-cert "$PKI/client.crt" -key "$PKI/client.key" < /dev/null 2> /dev/null |
		openssl x509 -noout -serial
}
inode=$(listen_inode)
[ -n "$inode" ] || fail "no listening socket on port $DAEMON_PORT"
assert_eq "$(serial_of "$PKI/server.crt")" "$(served_serial)" "the first certificate is served"

cp "$PKI/server2.crt" "$PKI/live.crt"
cp "$PKI/server2.key" "$PKI/live.key"
# Stopped, the daemon accepts nothing: these two wait in the listen backlog
# while it reloads, and the first run after the reload accepts them.
kill -STOP "$DAEMON_PID"
curl -s --max-time 15 -o /dev/null -w '%{http_code}' "${CLIENT[@]}" -u alice:s3cret \
	"$URL/metrics" > "$TMP/queued.code" 2> /dev/null &
queued_curl=$!
openssl s_client -connect "127.0.0.1:$DAEMON_PORT" -CAfile "$PKI/ca.crt" \
	-cert "$PKI/client.crt" -key "$PKI/client.key" < /dev/null > "$TMP/queued.s_client" 2>&1 &
queued_ssl=$!
backlog_has() { [ "$(ss -Hltn "sport = :$DAEMON_PORT" | awk '{ print $2 }')" -ge "$1" ]; }
poll 5 backlog_has 2 || true
assert_eq 2 "$(ss -Hltn "sport = :$DAEMON_PORT" | awk '{ print $2 }')" \
	"two connections queued in the backlog"
kill -HUP "$DAEMON_PID"
kill -CONT "$DAEMON_PID"
wait_for_line "$DAEMON_LOG" "serving with the new TLS settings"
wait "$queued_curl" || true
wait "$queued_ssl" || true
assert_eq 200 "$(cat "$TMP/queued.code")" "the connection queued during the reload is served"
# Accepted in the run before the reload or the one after (the order of the
# loop's events decides), it completes a handshake either way.
queued_serial=$(openssl x509 -noout -serial < "$TMP/queued.s_client" 2> /dev/null || true)
CHECKS=$((CHECKS + 1))
[ "$queued_serial" = "$(serial_of "$PKI/server.crt")" ] ||
	[ "$queued_serial" = "$(serial_of "$PKI/server2.crt")" ] ||
	fail "the queued TLS handshake got no certificate of ours: '$queued_serial'"
log "ok: the queued TLS handshake completed ($queued_serial)"
assert_eq "$(serial_of "$PKI/server2.crt")" "$(served_serial)" \
	"after SIGHUP the new certificate is served"
assert_eq "$inode" "$(listen_inode)" "the same listening socket"
kill -0 "$DAEMON_PID" || fail "the daemon died in the reload"

# reload_fails WHAT MESSAGE: SIGHUP logs the error, the old certificate serves on.
reloads_failed=0
reload_fails() {
	kill -HUP "$DAEMON_PID"
	reloads_failed=$((reloads_failed + 1))
	wait_for_count "$DAEMON_LOG" 'reload failed' "$reloads_failed" 5
	assert_eq "$reloads_failed" "$(grep -c 'reload failed' "$DAEMON_LOG")" "$1: reload failed"
	assert_contains "$(grep 'reload failed' "$DAEMON_LOG" | tail -n1)" "$2" "$1: the error"
	assert_eq "$(serial_of "$PKI/server2.crt")" "$(served_serial)" "$1: the old certificate serves on"
	assert_eq 200 "$(get "reload$reloads_failed" /metrics "${CLIENT[@]}" -u alice:s3cret)" \
		"$1: scrapes go on"
	assert_eq 0 "$(metric_sum "$TMP/reload$reloads_failed.body" \
		skbtrace_config_last_reload_successful)" "$1: the failed reload shows"
	assert_eq "$inode" "$(listen_inode)" "$1: the same listening socket"
}
cp "$PKI/expired.crt" "$PKI/live.crt"
cp "$PKI/expired.key" "$PKI/live.key"
reload_fails "expired certificate" \
	"web.tls_server_config.cert_file: $TMP/pki/live.crt: the certificate expired on"
cp "$PKI/server.crt" "$PKI/live.crt"
reload_fails "key of another certificate" \
	"web.tls_server_config.key_file: $TMP/pki/live.key: not the key of the certificate"
rm "$PKI/live.key"
reload_fails "missing key" \
	"web.tls_server_config.key_file: $TMP/pki/live.key: cannot read: No such file or directory"
cp "$PKI/server.key" "$PKI/live.key"
web_config "$TMP/web.json" "${MTLS/pki\/ca.crt/pki\/none.crt}" "$USERS"
reload_fails "missing CA" "web.tls_server_config.client_ca_file: $TMP/pki/none.crt: cannot read"

# Users are re-read too: alice removed, bob stays.
web_config "$TMP/web.json" "$MTLS" "{ \"bob\": \"$HASH_PW2\" }"
kill -HUP "$DAEMON_PID"
wait_for_line "$DAEMON_LOG" "configuration reloaded"
alice_refused() { [ "$(get gone /metrics "${CLIENT[@]}" -u alice:s3cret)" = 401 ]; }
poll 5 alice_refused || true
assert_eq 401 "$(get gone /metrics "${CLIENT[@]}" -u alice:s3cret)" "a removed user: 401"
assert_eq 200 "$(get stays /metrics "${CLIENT[@]}" -u bob:pw2)" "a kept user: 200"
assert_eq "$(serial_of "$PKI/server.crt")" "$(served_serial)" "the restored certificate is served"
assert_eq "$inode" "$(listen_inode)" "the same listening socket after four reloads"
daemon_stop

# ---- VerifyClientCertIfGiven, min_version TLS13, no users ----
web_config "$TMP/verify.json" '{ "cert_file": "pki/server.crt", "key_file": "pki/server.key",
	"client_auth_type": "VerifyClientCertIfGiven", "client_ca_file": "pki/ca.crt",
	"min_version": "TLS13" }'
DAEMON_CURL=(--cacert "$PKI/ca.crt")
daemon_start "$TMP/verify.json"
URL="https://127.0.0.1:$DAEMON_PORT"
assert_eq 200 "$(get v_none /metrics --cacert "$PKI/ca.crt")" \
	"VerifyClientCertIfGiven: no certificate, 200"
assert_eq 200 "$(get v_client /metrics "${CLIENT[@]}")" \
	"VerifyClientCertIfGiven: the CA's certificate, 200"
assert_eq 000 "$(get v_stranger /metrics --cacert "$PKI/ca.crt" --cert "$PKI/stranger.crt" \
	--key "$PKI/stranger.key")" "VerifyClientCertIfGiven: another CA's certificate refused"
no_metrics v_stranger "VerifyClientCertIfGiven, another CA's certificate"
assert_eq 000 "$(get v_tls12 /metrics --cacert "$PKI/ca.crt" --tls-max 1.2)" \
	"min_version TLS13 refuses TLS 1.2"
no_metrics v_tls12 "TLS 1.2 to a TLS13 server"
daemon_stop

# ---- The policies that ask without verifying, without a CA ----
# policy_answers POLICY: ANSWERS is the status for no client certificate, then
# for another CA's.
policy_answers() {
	web_config "$TMP/$1.json" "{ \"cert_file\": \"pki/server.crt\",
		\"key_file\": \"pki/server.key\", \"client_auth_type\": \"$1\" }"
	DAEMON_CURL=("${CLIENT[@]}")
	daemon_start "$TMP/$1.json"
	URL="https://127.0.0.1:$DAEMON_PORT"
	ANSWERS="$(get "$1_none" /metrics --cacert "$PKI/ca.crt")"
	ANSWERS+=" $(get "$1_other" /metrics --cacert "$PKI/ca.crt" --cert "$PKI/stranger.crt" \
		--key "$PKI/stranger.key")"
	daemon_stop
}
policy_answers RequireAnyClientCert
assert_eq "000 200" "$ANSWERS" "RequireAnyClientCert: none refused, any accepted"
policy_answers RequestClientCert
assert_eq "200 200" "$ANSWERS" "RequestClientCert: none and any accepted"

# ---- Basic auth without TLS: allowed, with a warning ----
cat > "$TMP/plain.json" << JSON
{ "listen": "127.0.0.1:0", "web": { "basic_auth_users": { "bob": "$HASH_PW2" } }, "probes": [] }
JSON
DAEMON_CURL=(-u bob:pw2)
daemon_start "$TMP/plain.json"
assert_eq http "$DAEMON_SCHEME" "without tls_server_config the daemon serves http"
assert_contains "$(cat "$DAEMON_LOG")" "passwords cross the network in clear text" \
	"the daemon warns about passwords over plain HTTP"
URL="http://127.0.0.1:$DAEMON_PORT"
assert_eq 200 "$(get p_ok /metrics -u bob:pw2)" "plain HTTP, the right password: 200"
assert_eq 401 "$(get p_wrong /metrics -u bob:pw3)" "plain HTTP, a wrong password: 401"
no_metrics p_wrong "plain HTTP, a wrong password"
assert_eq 401 "$(get p_none /metrics)" "plain HTTP, no password: 401"
no_metrics p_none "plain HTTP, no password"

# One kept-alive connection on fd 4: ask_landing sends a request for / as
# bob and prints the status line of the answer, or EOF once the daemon closed it.
exec 4<> "/dev/tcp/127.0.0.1/$DAEMON_PORT"
ask_landing() {
	local line len=0
	# Run in $(...): a write to a connection the daemon closed fails, not kills.
	trap '' PIPE
	printf 'GET / HTTP/1.1\r\nHost: skbtrace\r\nAuthorization: Basic %s\r\n\r\n' \
		"$(printf bob:pw2 | base64)" >&4 2> /dev/null || { echo EOF; return; }
	IFS= read -r -t 5 status <&4 || { echo EOF; return; }
	while IFS= read -r -t 5 line <&4 && [ "$line" != $'\r' ]; do
		case "${line,,}" in content-length:*) len=${line#*: }; len=${len%$'\r'} ;; esac
	done
	[ "$len" -eq 0 ] || IFS= read -r -N "$len" -t 5 line <&4
	echo "${status%$'\r'}"
}
assert_eq "HTTP/1.1 200 OK" "$(ask_landing)" "a kept-alive connection's first answer"
reloads=$(grep -c "configuration reloaded" "$DAEMON_LOG" || true)
kill -HUP "$DAEMON_PID"
wait_for_count "$DAEMON_LOG" "configuration reloaded" $((reloads + 1)) 5
assert_eq "HTTP/1.1 200 OK" "$(ask_landing)" \
	"a reload that changes neither TLS nor users keeps the connection"
# New users: the idle connection of the old ones is closed at the reload.
cat > "$TMP/plain.json" << JSON
{ "listen": "127.0.0.1:0", "web": { "basic_auth_users": { "bob": "$HASH_S3CRET" } }, "probes": [] }
JSON
kill -HUP "$DAEMON_PID"
wait_for_line "$DAEMON_LOG" "serving with the new TLS settings and users"
assert_eq EOF "$(ask_landing)" "a reload with new users closes the idle kept-alive connection"
exec 4<&-
assert_eq 401 "$(get p_old /metrics -u bob:pw2)" "bob's old password: 401 after the reload"
assert_eq 200 "$(get p_new /metrics -u bob:s3cret)" "bob's new password: 200"
test_done
