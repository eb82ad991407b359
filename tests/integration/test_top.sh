#!/usr/bin/env bash
# `skbtrace top` against a real daemon during real drops: an nft rule drops
# N packets in a test netns (N from the rule's own counter), and
#  - `top --once` shows the reason, the namespace, the total N and the stack
#    frames, with the rate of drops made between its two scrapes;
#  - `top` in an 80x24 tmux terminal shows the reason and a rate on a screen
#    of at most 80 columns and 24 lines, quits on q and restores the terminal;
#  - an unreachable daemon is one line on stderr and exit status 1 with
#    --once, an error on the screen that goes once a daemon is back;
#  - the base URL (no path) reads /metrics; a wrong path is one line saying
#    what came back and what to pass instead;
#  - SIGTERM ends the interactive view;
#  - over https with client certificates (mTLS) and basic auth (the daemon of
#    test_web_tls), the same rows, the password from SKBTRACE_PASSWORD or
#    --password-file; each missing piece is one line naming the option.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/pki_lib.sh"

N=40
# The burst between top's two scrapes: its rate puts it above the drops other
# things on the machine make meanwhile.
M=200
ns=$(netns_create top)
inode=$(netns_inode "$ns")
# skbtrace_netns_info names an ip netns namespace by its name, which top shows.
where=$ns
reason=$(drop_reason NETFILTER_DROP)
nft_drop_udp_port "$ns" 9999

# Exact stacks: every drop's stack is counted, whatever else drops meanwhile.
write_config "$TMP/config.json" '{ "name": "drop", "stacks": { "mode": "exact" } }'
daemon_start "$TMP/config.json"
url="http://127.0.0.1:$DAEMON_PORT/metrics"

# assert_terminal_restored NAME PANE WHEN: the pane's shell saw the same
# `stty -a` (NAME.before, NAME.after) around top, and top's screen is gone.
assert_terminal_restored() {
	wait_for_line "$TMP/$1.after" "speed"
	cmp -s "$TMP/$1.before" "$TMP/$1.after" ||
		fail "terminal modes not restored $3: $(diff "$TMP/$1.before" "$TMP/$1.after")"
	log "ok: terminal modes restored $3 (stty -a before and after are the same)"
	tmux -S "$sock" capture-pane -p -t "$2" > "$TMP/$1.screen"
	assert_eq 0 "$(grep -c 'skbtrace top' "$TMP/$1.screen" || true)" \
		"alternate screen left $3 (top's screen gone)"
}

in_ns "$ns" "$TESTGEN" udp 127.0.0.1 9999 $N > /dev/null
assert_eq "$N" "$(nft_counter "$ns" inet skbtrace_test out)" "nft rule counter"

# --once scrapes twice, 2 s apart: drops sent in between give a rate.
"$SKBTRACE" top --url "$url" --once --interval 2 > "$TMP/once" 2> "$TMP/once.err" &
top_pid=$!
sleep 0.5
in_ns "$ns" "$TESTGEN" udp 127.0.0.1 9999 $M > /dev/null
wait "$top_pid" || fail "top --once exited $?: $(cat "$TMP/once.err")"
total=$((N + M))
assert_eq "$total" "$(nft_counter "$ns" inet skbtrace_test out)" "nft rule counter"
cat "$TMP/once"
row=$(grep -E "^ +[0-9.]+ +$total +$reason +[^ ]+ +$where( |$)" "$TMP/once" || true)
[ -n "$row" ] || fail "no row with $total $reason drops in netns $where ($inode)"
rate=$(awk '{ print $1 }' <<< "$row")
# All M drops fell between the two scrapes: the rate is M over the interval
# top measured (printed to 0.1 s, the rate to 0.1 or to 1).
secs=$(sed -n 's/^rates per second over the last \([0-9.]*\) s$/\1/p' "$TMP/once")
[ -n "$secs" ] || fail "no interval in the status line"
awk -v r="$rate" -v m=$M -v t="$secs" \
	'BEGIN { exit !(r >= m / (t + 0.05) - 1 && r <= m / (t - 0.05) + 1) }' ||
	fail "rate $rate is not $M drops over $secs s"
log "ok: rate $rate = $M drops over $secs s"
log "ok: top --once row: $row"
assert_contains "$(cat "$TMP/once")" "rates per second over the last" "rates, not totals"
stack_end=$(grep -En "^, drop, $reason, netns ($inode|$where)\]: $total" "$TMP/once" | head -n1 | cut -d: -f1 || true)
[ -n "$stack_end" ] || fail "no stack of $total $reason drops in netns $inode"
assert_contains "$(sed -n "1,${stack_end}p" "$TMP/once" | tac | sed -n '/^@\[/q;p')" \
	"        nf_hook_slow+" "stack frames of the $reason drops"
! grep -q $'\e' "$TMP/once" || fail "escape sequences in plain output"

# Nobody listening: one line, exit 1.
rc=0
"$SKBTRACE" top --url "http://127.0.0.1:$(free_port)/metrics" --once > /dev/null 2> "$TMP/err" ||
	rc=$?
assert_eq 1 "$rc" "exit status with no daemon"
assert_eq 1 "$(wc -l < "$TMP/err")" "one error line"
assert_contains "$(cat "$TMP/err")" "cannot connect" "the error says why"

# The base URL, as users type it first, reads /metrics.
base="http://127.0.0.1:$DAEMON_PORT"
"$SKBTRACE" top --url "$base" --once --interval 0.2 > "$TMP/base" 2> "$TMP/base.err" ||
	fail "top --url $base exited $?: $(cat "$TMP/base.err")"
assert_contains "$(head -n1 "$TMP/base")" "skbtrace top  $base/metrics  " "the base URL reads /metrics"
grep -Eq "^ +[0-9.]+ +$total +$reason +[^ ]+ +$where( |$)" "$TMP/base" ||
	fail "no row of $total $reason drops from the base URL: $(cat "$TMP/base")"
log "ok: the base URL shows the $total $reason drops"

# wrong_url PATH LINE: top --once on the daemon's PATH exits 1 with exactly LINE.
wrong_url() {
	local rc=0
	"$SKBTRACE" top --url "$base$1" --once --interval 0.2 > "$TMP/wrong.out" 2> "$TMP/wrong.err" ||
		rc=$?
	assert_eq 1 "$rc" "$1: exit status"
	assert_eq "$2" "$(cat "$TMP/wrong.err")" "$1: the one error line"
	assert_eq 0 "$(wc -c < "$TMP/wrong.out")" "$1: nothing on standard output"
}
wrong_url /metric "skbtrace top: $base/metric: HTTP 404 Not Found: no metrics at this path; pass the base URL $base or $base/metrics"
wrong_url /stacks "skbtrace top: $base/stacks: got application/json, not metrics (text/plain); pass the base URL $base or $base/metrics"

command -v tmux > /dev/null || test_na "tmux missing (Debian package tmux)"
sock="$TMP/tmux.sock"
on_exit "tmux -S '$sock' kill-server 2> /dev/null"
tmux -S "$sock" new-session -d -x 80 -y 24 -s top \
	"stty -a > '$TMP/stty.before'; '$SKBTRACE' top --url '$url'; echo \"exit \$?\" > '$TMP/top.rc'; stty -a > '$TMP/stty.after'; sleep 60"
# A storm while top runs, so that its screen has a rate, and one above what
# else may drop on the machine meanwhile (the screen has room for 4 rows).
(for _ in $(seq 1 10); do
	in_ns "$ns" "$TESTGEN" udp 127.0.0.1 9999 50000 > /dev/null
	sleep 0.2
done) &
storm=$!
PIDS+=("$storm")
sleep 2.5
tmux -S "$sock" capture-pane -p -t top > "$TMP/screen"
wait "$storm"
cat "$TMP/screen"
assert_contains "$(cat "$TMP/screen")" "rates per second" "the screen shows rates"
# On 80 columns the NETNS column holds 12 characters of the name.
grep -Eq "^ +[0-9.]+ +$reason +[^ ]+ +${where:0:12}( |$)" "$TMP/screen" ||
	fail "no $reason row of netns $where with a rate on the screen: $(cat "$TMP/screen")"
log "ok: $reason of netns $where with a rate on the screen"
assert_eq 0 "$(awk 'length > 80' "$TMP/screen" | wc -l)" "lines over 80 columns"
lines=$(wc -l < "$TMP/screen")
[ "$lines" -le 24 ] || fail "$lines lines on a 24-line terminal"
tmux -S "$sock" send-keys -t top q
wait_for_line "$TMP/top.rc" "exit"
assert_eq "exit 0" "$(cat "$TMP/top.rc")" "top quits on q"
assert_terminal_restored stty top "after q"

# A daemon that goes away is an error on the screen, retried every interval:
# once a daemon listens on the port again, the error goes.
port=$DAEMON_PORT
daemon_stop
tmux -S "$sock" new-session -d -x 80 -y 24 -s down \
	"stty -a > '$TMP/stty2.before'; '$SKBTRACE' top --url '$url' --interval 0.5; stty -a > '$TMP/stty2.after'; sleep 60"
# down_screen FILE: the pane "down", captured into FILE.
down_screen() { tmux -S "$sock" capture-pane -p -t down > "$1"; }
shows_error() { down_screen "$TMP/screen.down" && grep -q '^error:' "$TMP/screen.down"; }
poll 10 shows_error || true
assert_contains "$(cat "$TMP/screen.down")" "error: cannot connect to 127.0.0.1 port $port" \
	"the screen shows the daemon unreachable"
daemon_start "$TMP/config.json" --listen "127.0.0.1:$port"
shows_daemon() {
	down_screen "$TMP/screen.up" && ! grep -q '^error:' "$TMP/screen.up" &&
		grep -qF "PROBES drop" "$TMP/screen.up"
}
poll 10 shows_daemon || true
assert_eq 0 "$(grep -c '^error:' "$TMP/screen.up" || true)" "error gone once the daemon is back"
assert_contains "$(cat "$TMP/screen.up")" "PROBES drop" "the screen shows the daemon again"
# Without --url, the config's listen address; a config that cannot be read says so.
sed "s/\"listen\": \"127.0.0.1:0\"/\"listen\": \"127.0.0.1:$port\"/" "$TMP/config.json" > "$TMP/listen.json"
"$SKBTRACE" top --config "$TMP/listen.json" --once --interval 0.2 > "$TMP/once.cfg" ||
	fail "top --config exited $?"
assert_contains "$(head -n1 "$TMP/once.cfg")" "http://127.0.0.1:$port/metrics" "URL from the config"
"$SKBTRACE" top --config "$TMP/missing.json" --once --interval 0.2 > /dev/null 2> "$TMP/err" || true
assert_contains "$(head -n1 "$TMP/err")" \
	"$TMP/missing.json: cannot read: No such file or directory; using http://127.0.0.1:9820/metrics" \
	"the fallback URL, and why"

# SIGTERM ends it at once, wherever it is, and restores the terminal.
shell=$(tmux -S "$sock" list-panes -t down -F '#{pane_pid}')
top_pid=$(pgrep -P "$shell" -x skbtrace || true)
[ -n "$top_pid" ] || fail "no top process under the pane's shell $shell"
kill -TERM "$top_pid"
assert_terminal_restored stty2 down "after SIGTERM"

# ---- https, a client certificate and basic auth: test_web_tls's daemon ----
command -v openssl > /dev/null || test_na "openssl missing"
daemon_stop
PKI="$TMP/pki"
mkdir -p "$PKI"
make_ca ca
make_cert server ca serverAuth 2
make_cert client ca clientAuth 2
cat > "$TMP/tls.json" << JSON
{
	"listen": "127.0.0.1:0",
	"web": {
		"tls_server_config": { "cert_file": "$PKI/server.crt", "key_file": "$PKI/server.key",
			"client_auth_type": "RequireAndVerifyClientCert", "client_ca_file": "$PKI/ca.crt" },
		"basic_auth_users": { "alice": "$HASH_S3CRET" }
	},
	"probes": [ { "name": "drop" } ]
}
JSON
DAEMON_CURL=(--cacert "$PKI/ca.crt" --cert "$PKI/client.crt" --key "$PKI/client.key" -u alice:s3cret)
daemon_start "$TMP/tls.json"
assert_eq https "$DAEMON_SCHEME" "the daemon serves https"
tls="https://127.0.0.1:$DAEMON_PORT"
before=$(nft_counter "$ns" inet skbtrace_test out)
K=30
in_ns "$ns" "$TESTGEN" udp 127.0.0.1 9999 $K > /dev/null
assert_eq $((before + K)) "$(nft_counter "$ns" inet skbtrace_test out)" "nft rule counter"
TLS=(--cacert "$PKI/ca.crt" --cert "$PKI/client.crt" --key "$PKI/client.key")

# tls_top NAME ARGS...: top --once on the TLS daemon's base URL; status in NAME.rc.
tls_top() {
	local name=$1 rc=0; shift
	"$SKBTRACE" top --url "$tls" --once --interval 0.2 "$@" > "$TMP/$name.out" \
		2> "$TMP/$name.err" || rc=$?
	echo "$rc" > "$TMP/$name.rc"
}
# tls_row NAME: the output holds the K drops of this daemon's lifetime.
tls_row() {
	assert_eq 0 "$(cat "$TMP/$1.rc")" "$1: exit status ($(cat "$TMP/$1.err"))"
	assert_contains "$(head -n1 "$TMP/$1.out")" "skbtrace top  $tls/metrics  " "$1: https URL"
	grep -Eq "^ +[0-9.]+ +$K +$reason +[^ ]+ +$where( |$)" "$TMP/$1.out" ||
		fail "$1: no row of $K $reason drops in netns $where: $(cat "$TMP/$1.out")"
	log "ok: $1: the $K $reason drops over https"
}
SKBTRACE_PASSWORD=s3cret tls_top env "${TLS[@]}" --user alice
tls_row env
printf 's3cret\n' > "$TMP/password"
chmod 600 "$TMP/password"
SKBTRACE_PASSWORD=wrong tls_top file "${TLS[@]}" --user alice --password-file "$TMP/password"
tls_row file

# tls_refused NAME STATUS LINE ARGS...: top exits STATUS with exactly LINE.
tls_refused() {
	local name=$1 status=$2 line=$3; shift 3
	tls_top "$name" "$@"
	assert_eq "$status" "$(cat "$TMP/$name.rc")" "$name: exit status"
	assert_eq "$line" "$(cat "$TMP/$name.err")" "$name: the one error line"
}
export SKBTRACE_PASSWORD=wrong
tls_refused wrong_password 1 "skbtrace top: $tls/metrics: HTTP 401 Unauthorized: the daemon refused user 'alice'; check the password in SKBTRACE_PASSWORD or --password-file" \
	"${TLS[@]}" --user alice
tls_refused no_user 1 "skbtrace top: $tls/metrics: HTTP 401 Unauthorized: the daemon asks for a password; pass --user NAME, and the password in SKBTRACE_PASSWORD or --password-file FILE" \
	"${TLS[@]}"
unset SKBTRACE_PASSWORD
tls_refused no_password 2 "skbtrace top: --user alice: no password; set SKBTRACE_PASSWORD or pass --password-file FILE" \
	"${TLS[@]}" --user alice
export SKBTRACE_PASSWORD=s3cret
# tls_cause NAME BEFORE AFTER: exit 1, one line: BEFORE, GnuTLS's words, AFTER.
tls_cause() {
	assert_eq 1 "$(cat "$TMP/$1.rc")" "$1: exit status"
	assert_eq 1 "$(wc -l < "$TMP/$1.err")" "$1: one line"
	assert_contains "$(cat "$TMP/$1.err")" "skbtrace top: $tls/metrics: $2 (" "$1: why"
	assert_contains "$(cat "$TMP/$1.err")" "); $3" "$1: what to pass"
}
tls_top no_ca --cert "$PKI/client.crt" --key "$PKI/client.key" --user alice
tls_cause no_ca "the daemon's certificate is not trusted" "pass --cacert FILE, the CA that signed it"
tls_top no_cert --cacert "$PKI/ca.crt" --user alice
tls_cause no_cert "the daemon ended the TLS connection" \
	"if it asks for a client certificate, pass --cert FILE --key FILE"
tls_refused plain_url 1 "skbtrace top: http://127.0.0.1:$DAEMON_PORT/metrics: the connection closed without an answer (if the daemon serves https, pass https://)" \
	--user alice --url "http://127.0.0.1:$DAEMON_PORT"
unset SKBTRACE_PASSWORD
test_done
