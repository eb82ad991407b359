#!/usr/bin/env bash
# What skbtrace_netns_info adds to a scrape: two daemons at once, one built
# without the family (BASE) and one with it (NEW), drop probe alone, with N
# namespaces holding one drop series each; scrapes alternate between them
# (ABBA), so that drift on a shared machine hits both alike.  Prints the
# first scrape of each (NEW names every namespace then) and the medians of
# the later ones.  As root, under /tmp/skbtrace-integration.lock.
#
#   bench/netns_info_cost.sh BASE_SKBTRACE NEW_SKBTRACE TESTGEN [N ...]   (default 100 1000)
set -euo pipefail

BASE=$1 NEW=$2 TESTGEN=$3
shift 3
COUNTS=("${@:-100 1000}")
read -ra COUNTS <<< "${COUNTS[*]}"
ROUNDS=${ROUNDS:-31}
TMP=$(mktemp -d /tmp/skbtrace-nsinfo-bench.XXXXXX)
P=skbt-nsib-$$
PIDS=()

cleanup() {
	for pid in "${PIDS[@]}"; do kill "$pid" 2> /dev/null && wait "$pid" 2> /dev/null; done
	ip netns list | awk -v p="$P-" 'index($1, p) == 1 { print $1 }' |
		while read -r n; do ip netns del "$n"; done
	rm -rf "$TMP"
}
trap cleanup EXIT

cat > "$TMP/config.json" << 'JSON'
{ "listen": "127.0.0.1:0", "limits": { "max_series": 4096, "max_stacks": 2048, "max_stack_series": 4096 },
  "probes": [ { "name": "drop", "stacks": { "mode": "off" } } ] }
JSON

start() { # start BINARY NAME: sets PORT
	"$1" --config "$TMP/config.json" 2> "$TMP/$2.log" > /dev/null &
	PIDS+=($!)
	for _ in $(seq 1 100); do
		PORT=$(sed -n 's|.*serving metrics on http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$TMP/$2.log")
		[ -n "$PORT" ] && return 0
		sleep 0.1
	done
	echo "$2 did not start" >&2
	exit 1
}
ms() { curl -sf -o /dev/null -w '%{time_total}' "http://127.0.0.1:$1/metrics" | awk '{ printf "%.3f\n", $1 * 1000 }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

have=0
for n in "${COUNTS[@]}"; do
	start "$BASE" base$n
	base_port=$PORT
	start "$NEW" new$n
	new_port=$PORT
	for ((i = have + 1; i <= n; i++)); do
		ip netns add "$P-$i"
		ip -n "$P-$i" link set lo up
	done
	have=$n
	# One drop in each, after both daemons attached: one series per namespace.
	for ((i = 1; i <= n; i++)); do
		ip netns exec "$P-$i" "$TESTGEN" udp 127.0.0.1 8888 1 > /dev/null
	done
	a_first=$(ms "$base_port")
	b_first=$(ms "$new_port")
	: > "$TMP/a"
	: > "$TMP/b"
	for ((r = 0; r < ROUNDS; r++)); do
		if ((r % 2)); then
			ms "$new_port" >> "$TMP/b"
			ms "$base_port" >> "$TMP/a"
		else
			ms "$base_port" >> "$TMP/a"
			ms "$new_port" >> "$TMP/b"
		fi
	done
	curl -sf "http://127.0.0.1:$new_port/metrics" > "$TMP/m"
	series=$(grep -c '^skbtrace_netns_info{' "$TMP/m")
	labelled=$(grep -v '^skbtrace_netns_info' "$TMP/m" | grep -o 'netns="[0-9]*"' | sort -u | wc -l)
	a=$(median < "$TMP/a")
	b=$(median < "$TMP/b")
	echo "$n namespaces ($series info series, $labelled netns label values): first scrape ${a_first} → ${b_first} ms;" \
		"median of $ROUNDS: $a → $b ms, ratio $(awk "BEGIN { printf \"%.3f\", $b / $a }")"
	for pid in "${PIDS[@]}"; do kill "$pid" 2> /dev/null && wait "$pid" 2> /dev/null; done
	PIDS=()
done
