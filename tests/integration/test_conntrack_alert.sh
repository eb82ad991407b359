#!/usr/bin/env bash
# The shipped alert rules pass promtool, and end to end: a real Prometheus
# scraping the daemon every second fires SkbtraceConntrackTableFull, naming the
# namespace whose conntrack table overflowed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/conntrack_lib.sh"
source "$(dirname "$0")/prometheus_lib.sh"

# The VM guests carry no Prometheus: not applicable there (run-tests.sh NA).
for tool in prometheus promtool jq; do
	command -v "$tool" > /dev/null || { echo "NA: $tool is not installed"; exit 77; }
done

RULES="$SRCDIR/packaging/prometheus/skbtrace-alerts.yml"
ALERT=SkbtraceConntrackTableFull

promtool check rules "$RULES" > "$TMP/check" 2>&1 || fail "promtool check rules: $(cat "$TMP/check")"
assert_contains "$(cat "$TMP/check")" "SUCCESS" "promtool check rules"
(cd "$SRCDIR/packaging/prometheus" && promtool test rules skbtrace-alerts.test.yml) \
	> "$TMP/unit" 2>&1 || fail "promtool test rules: $(cat "$TMP/unit")"
assert_contains "$(cat "$TMP/unit")" "SUCCESS" "promtool test rules"

ns=$(netns_create alert)
inode=$(netns_inode "$ns")
ct_ruleset "$ns"
ct_listener "$ns" 8080 90

write_config "$TMP/config.json" '{ "name": "conntrack" }'
daemon_start "$TMP/config.json"

prom_start "$RULES" "127.0.0.1:$DAEMON_PORT"
api=$PROM_API
alert_firing() {
	curl -sf "$api/alerts" > "$TMP/alerts" &&
		jq -e --arg a "$ALERT" --arg ns "$inode" \
			'[.data.alerts[] | select(.labels.alertname == $a and .state == "firing"
				and .labels.netns == $ns)] | length == 1' "$TMP/alerts" > /dev/null
}

log "Prometheus ($api) scrapes the daemon on port $DAEMON_PORT"
alert_firing && fail "$ALERT fires before any table-full drop"

ct_lower_max 8
log "filling the table: $(ct_fill "$ns" 8080 12)"
poll 30 alert_firing || prom_fail "$ALERT did not fire for netns $inode within 30 s"
CHECKS=$((CHECKS + 1))
log "ok: $ALERT firing for netns $inode"
assert_contains "$(jq -r --arg a "$ALERT" '.data.alerts[] | select(.labels.alertname == $a) |
	.annotations.summary' "$TMP/alerts")" "Conntrack table full in netns $inode" \
	"the alert's summary names the namespace"
test_done
