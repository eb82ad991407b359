#!/usr/bin/env bash
# The landing page and the flame graphs during a real netfilter drop storm:
# an nft rule drops exactly N packets in a test netns (the probe filtered to
# that netns, so nothing else counts).  "/" shows the drop probe attached,
# NETFILTER_DROP with the nft rule counter's count and its hint, and the
# namespace; /flamegraph?reason=NETFILTER_DROP is valid SVG whose
# nf_hook_slow frames add up to N; headless Chromium draws both.
source "$(dirname "$0")/lib.sh"

command -v xmllint > /dev/null || test_na "xmllint missing (libxml2-utils)"
command -v chromium > /dev/null || test_na "chromium missing"
has_drop_reasons || test_na "the kernel's kfree_skb tracepoint has no drop reason"

N=50
SHOTS="$(dirname "$SKBTRACE")/landing-screenshots"
ns=$(netns_create web)
inode=$(netns_inode "$ns")
nft_drop_udp_port "$ns" 9999

write_config "$TMP/config.json" \
	"{ \"name\": \"drop\", \"filter\": { \"netns\": \"/run/netns/$ns\" }, \"stacks\": { \"mode\": \"exact\" } }"
daemon_start "$TMP/config.json"
out=$(in_ns "$ns" "$TESTGEN" udp 127.0.0.1 9999 $N)
log "testgen: $out"
assert_eq "$N" "$(nft_counter "$ns" inet skbtrace_test out)" "nft rule counter"

scrape / > "$TMP/index.html"
page=$(tr -d '\n' < "$TMP/index.html")
grep -Eq '<tr><td>drop</td><td>yes</td><td class="ok">attached</td><td>(tp_btf|raw_tp|tracepoint)</td>' \
	<<< "$page" || fail "no attached drop probe with its method on /: $page"
CHECKS=$((CHECKS + 1))
row=$(grep -o '<tr><td>NETFILTER_DROP</td>.*</tr>' "$TMP/index.html" | head -n1)
assert_contains "$row" "<td class=\"n\">$N</td>" "NETFILTER_DROP drops on / (nft counter)"
# The diagnosis table's hint for the reason, escaped as HTML.
assert_contains "$row" "A netfilter hook returned NF_DROP" "hint beside NETFILTER_DROP"
assert_contains "$row" 'href="/flamegraph?reason=NETFILTER_DROP"' "flame graph link"
assert_contains "$page" "<tr><td>$inode</td><td class=\"n\">$N</td></tr>" "netns $inode on /"
for link in /metrics /stacks /flamegraph; do
	assert_contains "$page" "href=\"$link\"" "link to $link"
done
# The inline flame graph of all reasons holds the same drops.
assert_contains "$page" "<title>all: $N drops, 100.00%</title>" "inline flame graph root"

curl -s -o "$TMP/flame.svg" -w '%{http_code} %{content_type}' \
	"http://127.0.0.1:$DAEMON_PORT/flamegraph?reason=NETFILTER_DROP" > "$TMP/flame.status"
assert_eq "200 image/svg+xml" "$(cat "$TMP/flame.status")" "/flamegraph?reason=NETFILTER_DROP status"
xmllint --noout "$TMP/flame.svg" || fail "/flamegraph?reason=NETFILTER_DROP is not well-formed XML"
CHECKS=$((CHECKS + 1))
hook=$(grep -o '<title>nf_hook_slow: [0-9]* drops' "$TMP/flame.svg" | grep -o '[0-9]*' |
	awk '{ s += $1 } END { print s + 0 }')
assert_eq "$N" "$hook" "drops through nf_hook_slow frames in the flame graph"

code=$(curl -s -o "$TMP/none.svg" -w '%{http_code}' \
	"http://127.0.0.1:$DAEMON_PORT/flamegraph?reason=NO_SOCKET")
assert_eq 404 "$code" "flame graph of a reason without stacks"
xmllint --noout "$TMP/none.svg" || fail "the 404 flame graph is not well-formed XML"
assert_contains "$(cat "$TMP/none.svg")" "No drop stack with reason NO_SOCKET captured since start" \
	"the 404 graph says why"
code=$(curl -s -o /dev/null -w '%{http_code}' \
	"http://127.0.0.1:$DAEMON_PORT/flamegraph?reason=%3Cscript%3E")
assert_eq 400 "$code" "flame graph of a reason that cannot be one"

# What a browser draws: screenshots larger than a blank page's, with many colours.
mkdir -p "$SHOTS"
shoot() {
	rm -f "$1"
	# Chromium's own chatter (dbus, GPU) is noise here.
	timeout 60 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--user-data-dir="$TMP/chromium" --screenshot="$1" --window-size=1280,900 "$2" \
		> "$TMP/chromium.log" 2>&1 || true
	[ -s "$1" ] || fail "no screenshot of $2: $(tail -n 5 "$TMP/chromium.log")"
}
shoot "$SHOTS/blank.png" about:blank
shoot "$SHOTS/landing.png" "http://127.0.0.1:$DAEMON_PORT/"
shoot "$SHOTS/flamegraph.png" "http://127.0.0.1:$DAEMON_PORT/flamegraph?reason=NETFILTER_DROP"
blank=$(python3 "$SRCDIR/tests/integration/png_colours.py" "$SHOTS/blank.png")
for shot in landing flamegraph; do
	size=$(stat -c %s "$SHOTS/$shot.png")
	colours=$(python3 "$SRCDIR/tests/integration/png_colours.py" "$SHOTS/$shot.png")
	log "$shot.png: $size bytes, $colours colours (blank: $(stat -c %s "$SHOTS/blank.png") bytes, $blank)"
	[ "$size" -gt $((2 * $(stat -c %s "$SHOTS/blank.png"))) ] || fail "$shot.png is as small as a blank page"
	[ "$colours" -gt 50 ] || fail "$shot.png has $colours colours: blank"
	CHECKS=$((CHECKS + 2))
done

# A reload that replaces the drop probe: / goes on from the carried counts,
# as /metrics does, not from the new maps' zero.
write_config "$TMP/config.json" "{ \"name\": \"drop\", \"filter\": { \"netns\": \"/run/netns/$ns\",
	\"dport\": 9999 }, \"stacks\": { \"mode\": \"exact\" } }"
kill -HUP "$DAEMON_PID"
wait_for_line "$DAEMON_LOG" "counter series carried over" || fail "the daemon did not replace the probe"
in_ns "$ns" "$TESTGEN" udp 127.0.0.1 9999 7 > /dev/null
assert_eq $((N + 7)) "$(nft_counter "$ns" inet skbtrace_test out)" "nft rule counter after the reload"
scrape / > "$TMP/carried.html"
row=$(grep -o '<tr><td>NETFILTER_DROP</td>.*</tr>' "$TMP/carried.html" | head -n1)
assert_contains "$row" "<td class=\"n\">$((N + 7))</td>" "NETFILTER_DROP on / continues across the reload"
assert_eq $((N + 7)) "$(metric_sum <(scrape /metrics) skbtrace_drops_total reason=NETFILTER_DROP)" \
	"the same count on /metrics"

# A bad reload keeps the configuration running, and the page says why.
echo '{ "probes": [ { "name": "drop", "no_such_key": 1 } ] }' > "$TMP/config.json"
kill -HUP "$DAEMON_PID"
wait_for_line "$DAEMON_LOG" "reload failed" || fail "the daemon did not log the failed reload"
scrape / > "$TMP/reload.html"
assert_contains "$(cat "$TMP/reload.html")" '<p class="bad">reload failed, old config kept: ' \
	"the failed reload on /"
assert_contains "$(cat "$TMP/reload.html")" '<td class="ok">attached</td>' \
	"the drop probe still attached after the failed reload"
test_done
