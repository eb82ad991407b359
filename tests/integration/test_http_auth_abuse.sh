#!/usr/bin/env bash
# Wrong passwords cannot stall the scrapes (web.basic_auth_users, bcrypt cost
# 10, plain HTTP): while 50 clients from 127.0.0.1 (the scraper's own
# address) and 50 from 127.0.0.2 send a new wrong password each, as fast as
# they are answered, for HOLD (25) s, 20 sequential scrapes from 127.0.0.1
# with the right password all answer 200, the slowest in under 1 s.  bcrypt
# runs on the workers, never on the loop; the refusals are counted by
# reason, and a client over its failed-attempt budget gets 429 at once.
# The scraper's password is verified once before the flood, as Prometheus's
# is by its previous scrapes (a password never verified competes with the
# flood for the bcrypt queue: docs/security.md).  About 35 s.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/http_abuse_lib.sh"

HOLD=${HOLD:-25}
# bcrypt (cost 10) of "s3cret", made once with libxcrypt.
HASH_S3CRET='$2y$10$CV3lTaFSYpgwjHdcD.FB6Oqd20kwuV8r75arEnguCEdxbB93CCM3K'
cat > "$TMP/config.json" << JSON
{ "listen": "127.0.0.1:0", "web": { "basic_auth_users": { "alice": "$HASH_S3CRET" } },
  "probes": [ { "name": "drop" } ] }
JSON
DAEMON_CURL=(-u alice:s3cret)
daemon_start "$TMP/config.json"
scrape > /dev/null
# A wrong password, twice: the second from the cache of wrong ones.
for i in 1 2; do
	code=$(curl -s -o /dev/null -w '%{http_code}' -u alice:nope \
		"http://127.0.0.1:$DAEMON_PORT/metrics")
	assert_eq 401 "$code" "a wrong password ($i)"
done
fds_before=$(fds)
abuse badpass 50 127.0.0.1 badpass_own
abuse badpass 50 127.0.0.2 badpass
sleep 2
timed_scrapes 20 0.9 "${DAEMON_CURL[@]}"
wait_abusers
settled "$fds_before"

scrape > "$TMP/metrics"
promtool_check "$TMP/metrics"
m=skbtrace_http_clients_refused_total
for r in password password_known_wrong password_queue_full password_budget; do
	eval "refused_$r=$(metric_sum "$TMP/metrics" $m reason=$r)"
	log "refused, $r: $(metric_sum "$TMP/metrics" $m reason=$r)"
done
# shellcheck disable=SC2154
{
	assert_eq 1 "$refused_password_known_wrong" "the repeated wrong password, from the cache"
	[ "$refused_password_budget" -gt 1000 ] ||
		fail "only $refused_password_budget refused for the client's budget"
	# Budgets: 2 clients x (10 at once + 1 a second): every other wrong password was refused unchecked.
	[ "$refused_password" -le $((2 * (10 + HOLD + 5) + 1)) ] ||
		fail "$refused_password wrong passwords went through bcrypt (budget: $((2 * (10 + HOLD + 5))))"
}
CHECKS=$((CHECKS + 2))
kill -0 "$DAEMON_PID" || fail "the daemon died"
test_done
