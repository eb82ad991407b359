# Shared helpers for the integration tests.  Each test sources this file,
# creates what it needs through these helpers and gets it removed on exit,
# whether the test passes, fails or is interrupted.
# shellcheck shell=bash

set -euo pipefail

: "${SKBTRACE:?path to the skbtrace binary}"
: "${TESTGEN:?path to skbtrace-testgen}"
: "${SRCDIR:?source directory}"
# shellcheck source=poll_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/poll_lib.sh"

TEST_NAME=$(basename "$0" .sh)
TMP=$(mktemp -d "/tmp/skbtrace-${TEST_NAME}.XXXXXX")
NETNS_LIST=()
PIDS=()
CLEANUP_CMDS=()
DAEMON_PID=
DAEMON_PORT=
DAEMON_LOG=
# DAEMON_CURL: curl arguments for a daemon serving HTTPS or asking for a
# password (--cacert, --cert, -u), used by daemon_start and scrape.
DAEMON_CURL=()
DAEMON_SCHEME=http
CHECKS=0

log() { printf '# %s\n' "$*"; }

fail() {
	printf 'FAIL: %s: %s\n' "$TEST_NAME" "$*" >&2
	if [ -n "$DAEMON_LOG" ] && [ -f "$DAEMON_LOG" ]; then
		echo "--- daemon log ---" >&2
		tail -n 30 "$DAEMON_LOG" >&2
	fi
	# In a subshell ($(...), a pipeline, a background job) exit ends only the
	# subshell, and its caller may go on: errexit ignores a failed $(...) in
	# a command's arguments, and "$(($(f) > 0))" with f failing merely skips
	# the command.  The test's own shell exits at the USR1 trap below.
	[ "$BASHPID" = "$$" ] || kill -USR1 "$$"
	exit 1
}

cleanup() {
	local rc=$?
	set +e
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	# netns_create runs in $(...), so NETNS_LIST stays empty in this shell:
	# find this test's namespaces by their name instead.
	for ns in "${NETNS_LIST[@]}" \
		$(ip netns list | awk -v p="skbt-$$-" 'index($1, p) == 1 { print $1 }'); do
		ip netns del "$ns" 2>/dev/null
	done
	for ((i = ${#CLEANUP_CMDS[@]} - 1; i >= 0; i--)); do
		eval "${CLEANUP_CMDS[i]}"
	done
	rm -rf "$TMP"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'exit 1' USR1

on_exit() { CLEANUP_CMDS+=("$*"); }

require_root() {
	[ "$(id -u)" -eq 0 ] || fail "integration tests need root"
}

# netns_create SUFFIX → prints the namespace name; lo is up.
netns_create() {
	local ns="skbt-$$-$1"
	ip netns add "$ns" || fail "cannot create netns $ns"
	NETNS_LIST+=("$ns")
	ip -n "$ns" link set lo up
	echo "$ns"
}

netns_inode() { stat -L -c %i "/run/netns/$1"; }

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# write_config FILE [probe JSON ...]: a config with the given probes; the
# limits are the daemon's defaults (daemon/config/defaults.h), not repeated.
write_config() {
	local file=$1; shift
	local probes
	probes=$(IFS=,; echo "$*")
	cat > "$file" <<JSON
{
	"listen": "127.0.0.1:0",
	"probes": [ $probes ]
}
JSON
}

# daemon_log_port LOG: the port of the "serving metrics on http(s)://..." line.
daemon_log_port() {
	sed -n 's|.*serving metrics on https*://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$1" | head -n1
}

# daemon_log_scheme LOG: http, or https when the daemon said so.
daemon_log_scheme() {
	if grep -q 'serving metrics on https://' "$1"; then echo https; else echo http; fi
}

# DAEMON_START_SECONDS: how long a daemon may take to start serving (BPF
# verification under TCG in the VM guests is slow).
DAEMON_START_SECONDS=30

# daemon_start CONFIG [extra args]: starts skbtrace on an ephemeral port and
# waits until /metrics answers (with DAEMON_CURL's arguments).  Sets
# DAEMON_PID, DAEMON_PORT, DAEMON_LOG, DAEMON_SCHEME.
daemon_start() {
	local config=$1; shift
	DAEMON_LOG="$TMP/daemon.$RANDOM.log"
	# The shell opens the redirection in the child: made here, the first read never races it.
	: > "$DAEMON_LOG"
	"$SKBTRACE" --config "$config" --listen 127.0.0.1:0 "$@" 2> "$DAEMON_LOG" &
	DAEMON_PID=$!
	PIDS+=("$DAEMON_PID")
	poll "$DAEMON_START_SECONDS" daemon_answers ||
		fail "daemon did not answer on /metrics within $DAEMON_START_SECONDS s"
}

# daemon_answers: whether the daemon started by daemon_start serves /metrics
# yet (sets DAEMON_PORT and DAEMON_SCHEME from its log); fails the test once
# it exited.
daemon_answers() {
	DAEMON_PORT=$(daemon_log_port "$DAEMON_LOG")
	DAEMON_SCHEME=$(daemon_log_scheme "$DAEMON_LOG")
	if [ -n "$DAEMON_PORT" ] && curl -sf "${DAEMON_CURL[@]}" -o /dev/null \
		"$DAEMON_SCHEME://127.0.0.1:$DAEMON_PORT/metrics"; then
		return 0
	fi
	kill -0 "$DAEMON_PID" 2>/dev/null || fail "daemon exited during start-up"
	return 1
}

# daemon_try_start CONFIG: for a config the kernel may refuse.  Returns 0
# with the daemon serving (DAEMON_* set, as daemon_start), or 1 once it
# exited, with its status in DAEMON_RC and its log in DAEMON_LOG.
daemon_try_start() {
	DAEMON_LOG="$TMP/daemon.$RANDOM.log"
	: > "$DAEMON_LOG"
	"$SKBTRACE" --config "$1" --listen 127.0.0.1:0 2> "$DAEMON_LOG" &
	local pid=$!
	PIDS+=("$pid")
	poll "$DAEMON_START_SECONDS" daemon_settled "$pid" ||
		fail "daemon neither served nor exited within $DAEMON_START_SECONDS s"
	if ! grep -q 'serving metrics' "$DAEMON_LOG"; then
		DAEMON_RC=0
		wait "$pid" || DAEMON_RC=$?
		return 1
	fi
	DAEMON_PID=$pid
	DAEMON_PORT=$(daemon_log_port "$DAEMON_LOG")
	DAEMON_SCHEME=$(daemon_log_scheme "$DAEMON_LOG")
}

# daemon_settled PID: the daemon serves, or has exited.
daemon_settled() { grep -q 'serving metrics' "$DAEMON_LOG" || ! kill -0 "$1" 2> /dev/null; }

daemon_stop() {
	[ -n "$DAEMON_PID" ] || return 0
	kill -TERM "$DAEMON_PID" 2>/dev/null || true
	wait "$DAEMON_PID" 2>/dev/null || true
	DAEMON_PID=
}

scrape() { curl -sf "${DAEMON_CURL[@]}" "$DAEMON_SCHEME://127.0.0.1:$DAEMON_PORT${1:-/metrics}"; }

# metric_sum FILE NAME [label=value ...]: sum of the samples of NAME whose
# labels include every given pair; a value ending in "*" matches every
# value with that prefix.  No such sample fails the test (see fail: also
# from within $(...)), so that a misspelt name or label never reads as 0.
metric_sum() {
	local filter
	metric_sum_awk "$@" && return 0
	[ $# -lt 3 ] || filter="{$(IFS=,; echo "${*:3}")}"
	fail "metric_sum: no sample of $2${filter:-} in $1"
}

# metric_sum_or_zero FILE NAME [label=value ...]: as metric_sum, but 0 when
# no sample matches: for a series that appears with its first event, read
# before that event or where the event must not happen.
metric_sum_or_zero() { metric_sum_awk "$@" || echo 0; }

# metric_sum_awk FILE NAME [label=value ...]: prints the sum, or fails
# (printing nothing) when no sample matches.
metric_sum_awk() {
	local file=$1 name=$2; shift 2
	awk -v name="$name" -v want="$*" '
		BEGIN { n = split(want, pairs, " ") }
		$0 ~ "^" name "[{ ]" {
			for (i = 1; i <= n; i++) {
				split(pairs[i], kv, "=")
				pat = kv[1] "=\"" kv[2] "\""
				if (kv[2] ~ /\*$/) pat = kv[1] "=\"" substr(kv[2], 1, length(kv[2]) - 1)
				if (index($0, pat) == 0) next
			}
			sum += $NF
			found = 1
		}
		END { if (!found) exit 1; printf "%.0f\n", sum }' "$file"
}

assert_eq() {
	CHECKS=$((CHECKS + 1))
	[ "$1" = "$2" ] || fail "$3: expected $1, got $2"
	log "ok: $3 ($2)"
}

assert_contains() {
	CHECKS=$((CHECKS + 1))
	grep -qF -- "$2" <<< "$1" || fail "$3: \"$2\" not found"
	log "ok: $3"
}

# nft_drop_udp_port NETNS PORT: an output rule that drops, and counts, UDP to PORT
# (table inet skbtrace_test, chain out); its drops have reason NETFILTER_DROP.
nft_drop_udp_port() {
	in_ns "$1" nft -f - <<NFT
table inet skbtrace_test {
	chain out {
		type filter hook output priority 0;
		udp dport $2 counter drop
	}
}
NFT
}

# nft_counter NETNS FAMILY TABLE CHAIN: packets counted by the chain's rule.
nft_counter() {
	in_ns "$1" nft list chain "$2" "$3" "$4" | sed -n 's/.*counter packets \([0-9]*\).*/\1/p' | head -n1
}

# wait_for_line FILE TEXT: waits up to 10 s until a background helper wrote TEXT to FILE.
wait_for_line() { wait_for_count "$1" "$2" 1 10; }

# wait_for_count FILE TEXT N SECONDS: waits until N lines of FILE hold TEXT
# (a grep pattern), e.g. until the daemon logged its Nth reload; fails the
# test if they do not within SECONDS.
wait_for_count() {
	poll "$4" lines_at_least "$1" "$2" "$3" ||
		fail "fewer than $3 lines with \"$2\" in $1 within $4 s"
}

# lines_at_least FILE TEXT N: at least N lines of FILE hold TEXT.
lines_at_least() {
	local n
	n=$(grep -c -- "$2" "$1" 2>/dev/null) || true
	[ "${n:-0}" -ge "$3" ]
}

# free_port: a loopback TCP port nobody listens on now, below the ephemeral
# range, so that no outgoing connection can take it before its user binds it.
free_port() {
	local p low _high
	read -r low _high < /proc/sys/net/ipv4/ip_local_port_range
	[ "$low" -gt 11024 ] || low=61000
	for _ in $(seq 1 100); do
		p=$((10000 + RANDOM % (low - 11000)))
		[ -z "$(ss -Hltn "sport = :$p")" ] && { echo "$p"; return 0; }
	done
	fail "no free TCP port"
}

# promtool_check FILE: Prometheus's own linter has nothing to say about FILE.
promtool_check() {
	local out
	command -v promtool > /dev/null || fail "promtool missing (Debian package prometheus)"
	out=$(promtool check metrics < "$1" 2>&1) || fail "promtool failed on $1: $out"
	assert_eq "" "$out" "promtool check metrics prints nothing for $(basename "$1")"
}

test_done() { echo "PASS: $TEST_NAME ($CHECKS checks)"; }

# test_na REASON: this kernel cannot show what the test is about.  Exit
# status 77 is ctest's SKIP_RETURN_CODE and the VM harness's "NA".
test_na() {
	echo "NA: $TEST_NAME: $*"
	exit 77
}

# Whether kfree_skb passes a drop reason (5.17+): the kernel's BTF then has
# enum skb_drop_reason, which is where the daemon reads the names from.
# The enumerator names sit verbatim in BTF's string section.
has_drop_reasons() {
	grep -qa SKB_DROP_REASON_NOT_SPECIFIED /sys/kernel/btf/vmlinux
}

# Whether TCP resets carry a reason (6.10+, enum sk_rst_reason); before, the
# daemon labels every reset reason="unknown".
has_rst_reasons() {
	grep -qa SK_RST_REASON_NOT_SPECIFIED /sys/kernel/btf/vmlinux
}

# kernel_at_least MAJOR MINOR: the running kernel is MAJOR.MINOR or later.
kernel_at_least() {
	local major minor
	IFS=. read -r major minor _ <<< "$(uname -r)"
	minor=${minor%%[!0-9]*}
	[ "$major" -gt "$1" ] || { [ "$major" -eq "$1" ] && [ "${minor:-0}" -ge "$2" ]; }
}

# Whether the kernel can run the daemon's BPF task iterator (5.8+, with
# BTF): its context type is then in the kernel's BTF.
has_task_iter() {
	grep -qa bpf_iter__task /sys/kernel/btf/vmlinux 2> /dev/null
}

# drop_select NAME FUNCTION: metric_sum label pairs for drops the kernel
# frees with reason NAME in FUNCTION.  Before 5.17 every free is "unknown",
# including unix-socket frees that are no drops (nstat's connect attempt
# to its daemon): the drop's location then tells them apart.
drop_select() {
	if has_drop_reasons; then echo "reason=$1"; else echo "reason=unknown location=$2+*"; fi
}

# drop_reason NAME: the reason label the daemon gives drops the kernel
# frees with reason NAME: NAME itself, or "unknown" on a kernel whose
# kfree_skb has no reason; tests filter by netns, so counts stay exact.
drop_reason() {
	if has_drop_reasons; then echo "$1"; else echo unknown; fi
}

require_root
