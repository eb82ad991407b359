# A real Prometheus for the tests that prove queries and alerts, sourced after lib.sh.
# shellcheck shell=bash

# prom_start RULES TARGET...: Prometheus from Debian's package, scraping the
# targets (job "skbtrace") and evaluating RULES every second.  Sets PROM_API.
prom_start() {
	local rules=$1 port targets
	shift
	port=$(free_port)
	targets=$(printf '"%s", ' "$@")
	cat > "$TMP/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $rules
scrape_configs:
  - job_name: skbtrace
    static_configs:
      - targets: [${targets%, }]
YAML
	prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
		--web.listen-address="127.0.0.1:$port" > "$TMP/prometheus.log" 2>&1 &
	PIDS+=($!)
	PROM_API="http://127.0.0.1:$port/api/v1"
	poll 30 prom_targets_up "$#" || prom_fail "Prometheus did not scrape all $# targets within 30 s"
}

prom_targets_up() { # N: all N targets of the job are up
	curl -sf "$PROM_API/query?query=sum(up%7Bjob%3D%22skbtrace%22%7D)" |
		jq -e --arg n "$1" '.data.result[0].value[1] == $n' > /dev/null
}

prom_fail() { # MESSAGE: fails the test, with the end of Prometheus's log.
	tail -n 20 "$TMP/prometheus.log" >&2
	fail "$*"
}
