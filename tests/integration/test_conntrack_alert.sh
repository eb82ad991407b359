#!/usr/bin/env bash
# The shipped alert rules pass promtool, and end to end: a real Prometheus
# scraping the daemon every second fires SkbtraceConntrackTableFull, naming the
# namespace whose conntrack table overflowed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/conntrack_lib.sh"

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

prom_port=$(free_port)
cat > "$TMP/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $RULES
scrape_configs:
  - job_name: skbtrace
    static_configs:
      - targets: ["127.0.0.1:$DAEMON_PORT"]
YAML
prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
	--web.listen-address="127.0.0.1:$prom_port" > "$TMP/prometheus.log" 2>&1 &
PIDS+=($!)
api="http://127.0.0.1:$prom_port/api/v1"

wait_for() { # SECONDS WHAT COMMAND...: polls COMMAND every second until it succeeds.
	local secs=$1 what=$2; shift 2
	for _ in $(seq 1 "$secs"); do
		"$@" && return 0
		sleep 1
	done
	tail -n 20 "$TMP/prometheus.log" >&2
	fail "$what within $secs s"
}
target_up() {
	curl -sf "$api/query?query=up%7Bjob%3D%22skbtrace%22%7D" |
		jq -e '.data.result[0].value[1] == "1"' > /dev/null
}
alert_firing() {
	curl -sf "$api/alerts" > "$TMP/alerts" &&
		jq -e --arg a "$ALERT" --arg ns "$inode" \
			'[.data.alerts[] | select(.labels.alertname == $a and .state == "firing"
				and .labels.netns == $ns)] | length == 1' "$TMP/alerts" > /dev/null
}

wait_for 30 "Prometheus did not scrape the daemon" target_up
log "Prometheus on port $prom_port scrapes the daemon on port $DAEMON_PORT"
alert_firing && fail "$ALERT fires before any table-full drop"

ct_lower_max 8
log "filling the table: $(ct_fill "$ns" 8080 12)"
wait_for 30 "$ALERT did not fire for netns $inode" alert_firing
CHECKS=$((CHECKS + 1))
log "ok: $ALERT firing for netns $inode"
assert_contains "$(jq -r --arg a "$ALERT" '.data.alerts[] | select(.labels.alertname == $a) |
	.annotations.summary' "$TMP/alerts")" "Conntrack table full in netns $inode" \
	"the alert's summary names the namespace"
test_done
