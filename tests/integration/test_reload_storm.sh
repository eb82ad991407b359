#!/usr/bin/env bash
# 100 SIGHUPs during a drop storm, valid and invalid configs alternating;
# every valid one changes the drop probe (stack sampling, stacks off, a
# protocol filter, the limits), so that its instance is really replaced.
# The daemon never dies, every counter series of every scrape (taken
# continuously, during reloads and between them) is at least what the
# previous scrape showed and never disappears, and at the end
# skbtrace_drops_total for the storm's reason and namespace equals the nft
# rule's own counter exactly: the replaced instances' counts were carried
# over, and none was lost or counted twice at a switch.
#
# RELOAD_STORM_SIGHUPS (default 100) sets the count; where the first ten
# reloads show that it would not fit in RELOAD_STORM_BUDGET seconds (default
# 90; a QEMU guest without KVM), the count is scaled down to fit, never
# below 20.
source "$(dirname "$0")/lib.sh"

SIGHUPS=${RELOAD_STORM_SIGHUPS:-100}
BUDGET=${RELOAD_STORM_BUDGET:-90}
ns=$(netns_create storm)
inode=$(netns_inode "$ns")
reason=$(drop_reason NETFILTER_DROP)
nft_drop_udp_port "$ns" 9999

# valid_config FILE K: the Kth valid config; consecutive ones differ in the drop probe.
valid_config() {
	local max_series=4096 drop
	case $(($2 % 4)) in
	0) drop='{ "name": "drop", "stacks": { "mode": "adaptive", "sample_one_in": 1024 } }' ;;
	1) drop='{ "name": "drop", "stacks": { "mode": "adaptive", "sample_one_in": 512 } }' ;;
	2) drop='{ "name": "drop", "stacks": { "mode": "off" } }' ;;
	3)
		drop='{ "name": "drop", "filter": { "protocol": "udp" } }'
		max_series=4000 # every probe is replaced
		;;
	esac
	cat > "$1" <<JSON
{
	"listen": "127.0.0.1:0",
	"limits": { "max_series": $max_series, "max_stacks": 2048, "max_stack_series": 4096 },
	"probes": [ $drop, { "name": "reset" } ]
}
JSON
}

# invalid_config FILE K: a JSON error, an unknown key, a reason the kernel lacks.
invalid_config() {
	case $(($2 % 3)) in
	0) echo '{ "listen": ' > "$1" ;;
	1) echo '{ "probes": [ { "name": "drop", "stackz": {} } ] }' > "$1" ;;
	2) echo '{ "probes": [ { "name": "drop", "filter": { "reasons": { "include": ["NO_SUCH_REASON"] } } } ] }' > "$1" ;;
	esac
}

valid_config "$TMP/config.json" 0
daemon_start "$TMP/config.json"

# The storm: about 50,000 datagrams a second to the rule's port.
(
	while [ ! -e "$TMP/stop" ]; do
		in_ns "$ns" "$TESTGEN" udp 127.0.0.1 9999 2000 > /dev/null
		sleep 0.02
	done
) &
PIDS+=($!)
storm_pid=$!

# Scrapes all the time, so that some fall in the middle of a reload.
mkdir "$TMP/scrapes"
(
	i=0
	while [ ! -e "$TMP/stop" ]; do
		f=$TMP/scrapes/$(printf %06d $i)
		if scrape > "$f" 2> /dev/null; then echo ok; else rm -f "$f"; echo failed; fi >> "$TMP/scrapes.log"
		i=$((i + 1))
		sleep 0.05
	done
) &
PIDS+=($!)
scraper_pid=$!

valid=0 invalid=0 start=$SECONDS
for ((k = 1; k <= SIGHUPS; k++)); do
	if ((k % 2)); then
		valid=$((valid + 1))
		valid_config "$TMP/config.json" "$valid"
	else
		invalid=$((invalid + 1))
		invalid_config "$TMP/config.json" "$invalid"
	fi
	kill -HUP "$DAEMON_PID"
	if ((k % 2)); then
		wait_for_count "$DAEMON_LOG" "configuration reloaded" "$valid" 60
	else
		wait_for_count "$DAEMON_LOG" "reload failed" "$invalid" 60
	fi
	kill -0 "$DAEMON_PID" 2> /dev/null || fail "daemon died at SIGHUP $k"
	# Two more scrapes: at least one of them wholly between this reload and the next.
	n=$(grep -c ok "$TMP/scrapes.log") || true
	wait_for_count "$TMP/scrapes.log" ok $((n + 2)) 60
	if [ "$k" -eq 10 ] && [ -z "${RELOAD_STORM_SIGHUPS:-}" ]; then
		took=$((SECONDS - start))
		if [ $((took * SIGHUPS / 10)) -gt "$BUDGET" ]; then
			SIGHUPS=$((BUDGET * 10 / (took > 0 ? took : 1) / 2 * 2))
			[ "$SIGHUPS" -ge 20 ] || SIGHUPS=20
			log "10 reloads took $took s: a slow machine, $SIGHUPS SIGHUPs in all"
		fi
	fi
done
log "$SIGHUPS SIGHUPs ($valid valid, $invalid invalid) in $((SECONDS - start)) s"
touch "$TMP/stop"
wait "$storm_pid" "$scraper_pid" 2> /dev/null || true
scrape > "$TMP/final"

kill -0 "$DAEMON_PID" 2> /dev/null || fail "daemon died"
assert_eq "$valid" "$(grep -c 'configuration reloaded' "$DAEMON_LOG")" "valid reloads applied"
assert_eq "$invalid" "$(grep -c 'reload failed, still running the previous' "$DAEMON_LOG")" \
	"invalid reloads refused"
# One attach at start-up, one per valid reload: each replaced the drop probe.
assert_eq "$((valid + 1))" "$(grep -c 'probe drop: attached with' "$DAEMON_LOG")" \
	"drop probe instances (one per valid reload, plus the first)"

# Per series, across every scrape in the order taken: never lower, never gone.
n_scrapes=$(ls "$TMP/scrapes" | wc -l)
assert_eq 0 "$(grep -c failed "$TMP/scrapes.log")" "failed scrapes (of $n_scrapes)"
cp "$TMP/final" "$TMP/scrapes/999999"
violations=$(awk '
	FNR == 1 { file++ }
	/^# TYPE / { if ($4 == "counter") counter[$3] = 1; next }
	/^#/ { next }
	{
		name = $1; sub(/\{.*/, "", name)
		if (!(name in counter)) next
		key = $0; sub(/ [^ ]*$/, "", key)
		if ((key in last) && $NF + 0 < last[key] + 0)
			printf "%s: %s after %s (scrape %d)\n", key, $NF, last[key], file
		if ((key in seen) && seen[key] < file - 1)
			printf "%s: missing from scrape %d to %d\n", key, seen[key] + 1, file - 1
		last[key] = $NF; seen[key] = file
	}
	END {
		for (k in seen) {
			n++
			if (seen[k] < file) printf "%s: gone after scrape %d\n", k, seen[k]
		}
		printf "%d series\n", n > "/dev/stderr"
	}' "$TMP"/scrapes/* 2> "$TMP/series")
assert_eq "" "$(head -n 5 <<< "$violations")" \
	"every counter series monotonic and present in all $((n_scrapes + 1)) scrapes ($(cat "$TMP/series"))"

nft=$(nft_counter "$ns" inet skbtrace_test out)
[ "$nft" -ge 10000 ] || fail "the storm dropped only $nft packets"
assert_eq "$nft" "$(metric_sum "$TMP/final" skbtrace_drops_total reason="$reason" netns="$inode")" \
	"$reason drops in netns $inode after $valid drop probe replacements = nft rule counter"
if command -v promtool > /dev/null; then
	promtool_check "$TMP/final"
fi
test_done
