#!/usr/bin/env bash
# skbtrace soak: the daemon with the shipped config/skbtrace.json under a
# mixed storm for a long time, scraped once a second and reloaded now and
# then, while its resident memory and open descriptors are sampled once a
# minute.  Separate from the test suite (it takes half an hour).  It passes
# iff, from the end of the warm-up on, the memory the daemon allocates
# (RssAnon: heap and anonymous mappings) grows by at most 1 MiB and the
# number of open fds does not change.  VmRSS is reported beside it; it also
# holds the pages of the shared libraries and the binary (RssFile), which
# come and go with the code paths that run and the page cache, not with
# what the daemon keeps.
#
#   bench/soak.sh [--minutes N] [--warmup N] [BUILD_DIR]     (as root)
#
# The storm, every STORM_PERIOD seconds (default 5), in namespaces of its own:
# UDP drops of two reasons (NETFILTER_DROP by an nft rule, NO_SOCKET to a
# closed port), TCP resets (connects to a closed port); once a minute a
# conntrack table-full burst (20 connects against a limit of 8).  That burst
# lowers the GLOBAL nf_conntrack_max for a second, so it takes the shared
# integration lock (/tmp/skbtrace-integration.lock) just for that second and
# skips the burst when the lock is busy.  In the middle of every
# RELOAD_EVERY-th minute (default 2) a SIGHUP switches between the shipped
# config and a variant whose drop probe samples stacks differently, so that
# the drop probe's instance is really replaced, with its counts carried over.
# SOAK_FINAL=FILE keeps the last scrape.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
MINUTES=30
WARMUP=3
BUILD=
while [ $# -gt 0 ]; do
	case $1 in
	--minutes) MINUTES=$2; shift 2 ;;
	--warmup) WARMUP=$2; shift 2 ;;
	-h | --help) sed -n '2,20p' "$0"; exit 0 ;;
	*) BUILD=$1; shift ;;
	esac
done
BUILD=$(cd "${BUILD:-$SRC/build}" && pwd)
STORM_PERIOD=${STORM_PERIOD:-5}
RELOAD_EVERY=${RELOAD_EVERY:-2}
SKBTRACE=$BUILD/skbtrace
STORMGEN=$BUILD/bench/skbtrace-stormgen
TESTGEN=$BUILD/tests/skbtrace-testgen
LOCK=/tmp/skbtrace-integration.lock
CT_MAX=/proc/sys/net/netfilter/nf_conntrack_max
NS=skbt-soak-$$
NS_CT=skbt-soak-ct-$$
TMP=$(mktemp -d /tmp/skbtrace-soak.XXXXXX)
DAEMON_PID=
LOAD_PIDS=()

cleanup() {
	set +e
	for pid in "${LOAD_PIDS[@]}"; do kill "$pid" 2> /dev/null; done
	wait "${LOAD_PIDS[@]}" 2> /dev/null
	[ -z "$DAEMON_PID" ] || { kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; }
	ip netns del "$NS" 2> /dev/null
	ip netns del "$NS_CT" 2> /dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" -eq 0 ] || { echo "soak: run as root" >&2; exit 1; }
for f in "$SKBTRACE" "$STORMGEN" "$TESTGEN"; do
	[ -x "$f" ] || { echo "soak: $f missing (build first)" >&2; exit 1; }
done
for tool in nft curl flock; do
	command -v "$tool" > /dev/null || { echo "soak: $tool missing" >&2; exit 1; }
done
[ "$MINUTES" -gt "$WARMUP" ] || { echo "soak: --minutes must exceed --warmup" >&2; exit 1; }

soak_netns() { # soak_netns NAME RULESET
	ip netns add "$1"
	ip -n "$1" link set lo up
	ip netns exec "$1" nft -f - <<< "$2"
}
soak_netns "$NS" 'table inet soak { chain out { type filter hook output priority 0; udp dport 9999 drop; }; }'
soak_netns "$NS_CT" 'table inet soak { chain in { type filter hook input priority 0; ct state new accept; }; }'

cp "$SRC/config/skbtrace.json" "$TMP/shipped.json"
sed 's/"sample_one_in": 1024/"sample_one_in": 512/' "$SRC/config/skbtrace.json" > "$TMP/variant.json"
cmp -s "$TMP/shipped.json" "$TMP/variant.json" && { echo "soak: variant equals the shipped config" >&2; exit 1; }
cp "$TMP/shipped.json" "$TMP/config.json"

: > "$TMP/daemon.log"
"$SKBTRACE" --config "$TMP/config.json" --listen 127.0.0.1:0 2> "$TMP/daemon.log" &
DAEMON_PID=$!
PORT=
for _ in $(seq 1 200); do
	PORT=$(sed -n 's|.*serving metrics on http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$TMP/daemon.log" | head -n1)
	[ -n "$PORT" ] && curl -sf -o /dev/null "http://127.0.0.1:$PORT/metrics" && break
	kill -0 "$DAEMON_PID" 2> /dev/null || { cat "$TMP/daemon.log" >&2; exit 1; }
	sleep 0.1
done
[ -n "$PORT" ] || { echo "soak: the daemon did not answer" >&2; exit 1; }

# One scrape a second; failures are counted, not fatal, so that the report says how many.
(
	ok=0 bad=0
	while :; do
		if curl -sf -m 5 -o /dev/null "http://127.0.0.1:$PORT/metrics"; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
		echo "$ok $bad" > "$TMP/scrapes"
		sleep 1
	done
) &
LOAD_PIDS+=($!)

ct_burst() { # the conntrack table-full burst, only while nobody else holds the lock
	flock -n 9 || return 1
	local old
	old=$(cat "$CT_MAX")
	ip netns exec "$NS_CT" "$TESTGEN" listen 127.0.0.1 7777 128 3 > /dev/null &
	local listener=$!
	sleep 0.3
	echo 8 > "$CT_MAX"
	ip netns exec "$NS_CT" "$TESTGEN" tcp-connect 127.0.0.1 7777 20 300 > /dev/null || true
	echo "$old" > "$CT_MAX"
	kill "$listener" 2> /dev/null
	wait "$listener" 2> /dev/null
	return 0
} 9> "$LOCK"

(
	round=0 bursts=0 skipped=0
	while :; do
		ip netns exec "$NS" "$STORMGEN" 127.0.0.1 9999 0.5 8888 300 > /dev/null
		ip netns exec "$NS" "$TESTGEN" tcp-connect 127.0.0.1 7 20 100 > /dev/null || true
		round=$((round + 1))
		if [ $((round % (60 / STORM_PERIOD))) -eq 0 ]; then
			if ct_burst; then bursts=$((bursts + 1)); else skipped=$((skipped + 1)); fi
		fi
		echo "$round $bursts $skipped" > "$TMP/storms"
		sleep "$STORM_PERIOD"
	done
) &
LOAD_PIDS+=($!)

# Prints "VMRSS_KIB ANON_KIB FILE_KIB FDS"; the fewest fds of five reads, 0.2 s apart, so that
# a scrape's connection that happens to be open does not count.
sample() {
	local fds n
	fds=$(ls "/proc/$DAEMON_PID/fd" | wc -l)
	for _ in 1 2 3 4; do
		sleep 0.2
		n=$(ls "/proc/$DAEMON_PID/fd" | wc -l)
		[ "$n" -lt "$fds" ] && fds=$n
	done
	echo "$(awk '$1 ~ /^(VmRSS|RssAnon|RssFile):$/ { printf "%s ", $2 }' "/proc/$DAEMON_PID/status")$fds"
}

# A reload in the middle of every RELOAD_EVERY-th minute, so that no sample
# sees the memory a reload uses while it loads the kernel's BTF and objects.
RELOADS=0
reload() {
	local src=shipped
	[ $((RELOADS % 2)) -eq 0 ] && src=variant
	cp "$TMP/$src.json" "$TMP/config.json"
	kill -HUP "$DAEMON_PID"
	RELOADS=$((RELOADS + 1))
}

echo "soak: daemon $DAEMON_PID on port $PORT, $MINUTES minutes, warm-up $WARMUP minutes"
echo "minute vmrss_kib rssanon_kib rssfile_kib fds"
declare -a RSS ANON FILE FDS
for ((m = 0; m <= MINUTES; m++)); do
	if [ "$m" -gt 0 ]; then
		sleep 30
		[ $((m % RELOAD_EVERY)) -eq 0 ] && reload
		sleep 29
	fi
	kill -0 "$DAEMON_PID" 2> /dev/null || { echo "soak: FAIL: the daemon died" >&2; tail "$TMP/daemon.log" >&2; exit 1; }
	read -r "RSS[m]" "ANON[m]" "FILE[m]" "FDS[m]" < <(sample)
	echo "$m ${RSS[m]} ${ANON[m]} ${FILE[m]} ${FDS[m]}"
done

max_rss=0 max_anon=0 max_fds=0
for ((m = 0; m <= MINUTES; m++)); do
	[ "${RSS[m]}" -gt "$max_rss" ] && max_rss=${RSS[m]}
	[ "${ANON[m]}" -gt "$max_anon" ] && max_anon=${ANON[m]}
	[ "${FDS[m]}" -gt "$max_fds" ] && max_fds=${FDS[m]}
done
rss_delta=$((RSS[MINUTES] - RSS[WARMUP]))
anon_delta=$((ANON[MINUTES] - ANON[WARMUP]))
fd_delta=$((FDS[MINUTES] - FDS[WARMUP]))
read -r scrapes_ok scrapes_bad < "$TMP/scrapes"
read -r storms bursts skipped < "$TMP/storms"
reloads=$RELOADS
echo "vmrss_kib first ${RSS[0]} at_warmup ${RSS[WARMUP]} last ${RSS[MINUTES]} max $max_rss delta_after_warmup $rss_delta (rssfile ${FILE[WARMUP]} -> ${FILE[MINUTES]})"
echo "rssanon_kib first ${ANON[0]} at_warmup ${ANON[WARMUP]} last ${ANON[MINUTES]} max $max_anon delta_after_warmup $anon_delta"
echo "fds first ${FDS[0]} at_warmup ${FDS[WARMUP]} last ${FDS[MINUTES]} max $max_fds delta_after_warmup $fd_delta"
echo "scrapes ok $scrapes_ok failed $scrapes_bad; storm rounds $storms; conntrack bursts $bursts (skipped, lock busy: $skipped); reloads $reloads"
curl -sf "http://127.0.0.1:$PORT/metrics" > "$TMP/final"
[ -z "${SOAK_FINAL:-}" ] || cp "$TMP/final" "$SOAK_FINAL"
grep -E '^skbtrace_(drops|tcp_resets|conntrack_table_full_drops)_total' "$TMP/final" |
	awk '{ split($1, a, "{"); s[a[1]] += $2 } END { for (k in s) printf "total %s %.0f\n", k, s[k] }' | sort
if [ "$anon_delta" -le 1024 ] && [ "$fd_delta" -eq 0 ] && [ "$scrapes_bad" -eq 0 ]; then
	echo "soak: PASS (RssAnon $anon_delta KiB <= +1024 KiB, fds +$fd_delta, after a $WARMUP-minute warm-up; VmRSS $rss_delta KiB)"
else
	echo "soak: FAIL (RssAnon $anon_delta KiB, fds +$fd_delta, failed scrapes $scrapes_bad; VmRSS $rss_delta KiB)"
	exit 1
fi
