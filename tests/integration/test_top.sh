#!/usr/bin/env bash
# `skbtrace top` against a real daemon during real drops: an nft rule drops
# N packets in a test netns (N from the rule's own counter), and
#  - `top --once` shows the reason, the namespace, the total N and the stack
#    frames, with the rate of drops made between its two scrapes;
#  - `top` in an 80x24 tmux terminal shows the reason and a rate on a screen
#    of at most 80 columns and 24 lines, quits on q and restores the terminal;
#  - an unreachable daemon is one line on stderr and exit status 1.
source "$(dirname "$0")/lib.sh"

N=40
ns=$(netns_create top)
inode=$(netns_inode "$ns")
reason=$(drop_reason NETFILTER_DROP)
nft_drop_udp_port "$ns" 9999

write_config "$TMP/config.json" '{ "name": "drop" }'
daemon_start "$TMP/config.json"
url="http://127.0.0.1:$DAEMON_PORT/metrics"

in_ns "$ns" "$TESTGEN" udp 127.0.0.1 9999 $N > /dev/null
assert_eq "$N" "$(nft_counter "$ns" inet skbtrace_test out)" "nft rule counter"

# --once scrapes twice, 2 s apart: drops sent in between give a rate.
"$SKBTRACE" top --url "$url" --once --interval 2 > "$TMP/once" 2> "$TMP/once.err" &
top_pid=$!
sleep 0.5
in_ns "$ns" "$TESTGEN" udp 127.0.0.1 9999 $N > /dev/null
wait "$top_pid" || fail "top --once exited $?: $(cat "$TMP/once.err")"
assert_eq "$((2 * N))" "$(nft_counter "$ns" inet skbtrace_test out)" "nft rule counter"
cat "$TMP/once"
row=$(grep -E "^ +[0-9.]+ +$((2 * N)) +$reason +[^ ]+ +$inode( |$)" "$TMP/once" || true)
[ -n "$row" ] || fail "no row with $((2 * N)) $reason drops in netns $inode"
rate=$(awk '{ print $1 }' <<< "$row")
# N drops in one scrape interval of 2 s or a little more.
awk -v r="$rate" -v n=$N 'BEGIN { exit !(r > 0 && r <= n / 2) }' ||
	fail "rate $rate of $N drops over 2 s"
log "ok: top --once row: $row"
assert_contains "$(cat "$TMP/once")" "rates per second over the last" "rates, not totals"
stack_end=$(grep -n "^, drop, $reason, netns $inode\]: $((2 * N))" "$TMP/once" | head -n1 | cut -d: -f1)
[ -n "$stack_end" ] || fail "no stack of $((2 * N)) $reason drops in netns $inode"
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

command -v tmux > /dev/null || test_na "tmux missing (Debian package tmux)"
sock="$TMP/tmux.sock"
on_exit "tmux -S '$sock' kill-server 2> /dev/null"
tmux -S "$sock" new-session -d -x 80 -y 24 -s top \
	"stty -a > '$TMP/stty.before'; '$SKBTRACE' top --url '$url'; echo \"exit \$?\" > '$TMP/top.rc'; stty -a > '$TMP/stty.after'; sleep 60"
# Drops while top runs, so that its second screen has a rate.
for _ in 1 2 3; do
	in_ns "$ns" "$TESTGEN" udp 127.0.0.1 9999 $N > /dev/null
	sleep 1
done
tmux -S "$sock" capture-pane -p -t top > "$TMP/screen"
cat "$TMP/screen"
assert_contains "$(cat "$TMP/screen")" "rates per second" "the screen shows rates"
grep -Eq "^ +[0-9.]+ +$reason " "$TMP/screen" || fail "no $reason row with a rate on the screen"
log "ok: $reason with a rate on the screen"
assert_eq 0 "$(awk 'length > 80' "$TMP/screen" | wc -l)" "lines over 80 columns"
lines=$(wc -l < "$TMP/screen")
[ "$lines" -le 24 ] || fail "$lines lines on a 24-line terminal"
tmux -S "$sock" send-keys -t top q
wait_for_line "$TMP/top.rc" "exit"
assert_eq "exit 0" "$(cat "$TMP/top.rc")" "top quits on q"
wait_for_line "$TMP/stty.after" "speed"
cmp -s "$TMP/stty.before" "$TMP/stty.after" ||
	fail "terminal modes not restored: $(diff "$TMP/stty.before" "$TMP/stty.after")"
log "ok: terminal modes restored (stty -a before and after are the same)"
tmux -S "$sock" capture-pane -p -t top > "$TMP/screen.after"
assert_eq 0 "$(grep -c 'skbtrace top' "$TMP/screen.after" || true)" \
	"alternate screen left (top's screen gone)"
test_done
