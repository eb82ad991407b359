#!/usr/bin/env bash
# Runs every integration test and reports each probe's attach method, as
# machine-readable lines on stdout:
#   SKBTRACE-KERNEL <uname -r>
#   SKBTRACE-ATTACH <probe> <method>|none <why>
#   SKBTRACE-RESULT <test> PASS|FAIL|NA|XFAIL <seconds>s <reason>  (XFAIL: tests/vm/known-failures)
#   SKBTRACE-DONE <passed> <failed> <na>
# The same runner serves the VM guests (from /init) and the host column of
# the kernel matrix, so both are measured the same way.  Test output goes
# to stdout too, prefixed with "| ", for the console log.
#   run-tests.sh [--host-only FILE] [--only NAME[,NAME...]] [--from NAME] [--boot-check]
# --from NAME starts at test NAME, without the attach checks (run.sh
# resuming a guest that died mid-run; the first boot made them).
# --boot-check prints the first line only and stops (run.sh --boots).
# Environment: SKBTRACE, TESTGEN, SRCDIR as for the integration tests.
set -euo pipefail

: "${SKBTRACE:?}" "${TESTGEN:?}" "${SRCDIR:?}"
export SKBTRACE TESTGEN SRCDIR
host_only=/dev/null
only=
from=
boot_check=
while [ $# -gt 0 ]; do
	case $1 in
	--host-only) host_only=$2; shift 2 ;;
	--only) only=,$2,; shift 2 ;;
	--from) from=$2; shift 2 ;;
	--boot-check) boot_check=1; shift ;;
	*) echo "run-tests.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

# Exit status of a test that does not apply to this kernel (lib.sh test_na).
NA_RC=77
TEST_TIMEOUT=${SKBTRACE_TEST_TIMEOUT:-300}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "SKBTRACE-KERNEL $(uname -r)"
[ -z "$boot_check" ] || exit 0

# The method "auto" picks, per probe, each probe alone so that one that
# cannot attach at all does not hide the others.  The daemon lists its own
# probes, so a new probe joins the kernel matrix without touching this.
probes=
[ -n "$from" ] || probes=$("$SKBTRACE" --list-probes) || { echo "skbtrace --list-probes failed" >&2; exit 1; }
while IFS="$(printf '\t')" read -r probe _; do
	[ -n "$probe" ] || continue
	printf '{ "listen": "127.0.0.1:0", "probes": [ { "name": "%s" } ] }\n' "$probe" > "$tmp/attach.json"
	: > "$tmp/attach.log"
	"$SKBTRACE" --config "$tmp/attach.json" --listen 127.0.0.1:0 2> "$tmp/attach.log" &
	pid=$!
	for _ in $(seq 1 300); do
		grep -q 'serving metrics' "$tmp/attach.log" && break
		kill -0 "$pid" 2> /dev/null || break
		sleep 0.1
	done
	kill "$pid" 2> /dev/null || true
	wait "$pid" 2> /dev/null || true
	sed 's/^/| /' "$tmp/attach.log"
	method=$(sed -n "s/.*probe $probe: attached with \([a-z_]*\).*/\1/p" "$tmp/attach.log" | head -n1)
	if [ -n "$method" ]; then
		echo "SKBTRACE-ATTACH $probe $method"
	else
		# A probe that may stay unattached leaves the daemon serving: its why is not the last line.
		why=$(grep 'cannot attach' "$tmp/attach.log" | tail -n1 || true)
		echo "SKBTRACE-ATTACH $probe none ${why:-$(tail -n1 "$tmp/attach.log")}"
	fi
done <<EOF
$probes
EOF

known_failures="$SRCDIR/tests/vm/known-failures"
kernel=$(uname -r)
pass=0 fail=0 na=0 xfail=0
for script in "$SRCDIR"/tests/integration/test_*.sh; do
	name=$(basename "$script" .sh)
	[ -z "$from" ] || [[ ! "$name" < "$from" ]] || continue
	case $only in ,,|"") ;; *",$name,"*) ;; *) continue ;; esac
	reason=$(awk -v t="$name" '$1 == t { $1 = ""; sub(/^ /, ""); print }' "$host_only")
	if [ -n "$reason" ]; then
		echo "SKBTRACE-RESULT $name NA 0s not applicable in guest: $reason"
		na=$((na + 1))
		continue
	fi
	start=$(date +%s)
	rc=0
	timeout "$TEST_TIMEOUT" bash "$script" > "$tmp/out" 2>&1 || rc=$?
	secs=$(($(date +%s) - start))
	sed 's/^/| /' "$tmp/out"
	case $rc in
	0)
		echo "SKBTRACE-RESULT $name PASS ${secs}s"
		pass=$((pass + 1))
		;;
	"$NA_RC")
		echo "SKBTRACE-RESULT $name NA ${secs}s $(sed -n 's/^NA: [^:]*: //p' "$tmp/out" | tail -n1)"
		na=$((na + 1))
		;;
	*)
		why=$(grep '^FAIL: ' "$tmp/out" | tail -n1 || true)
		[ "$rc" -ne 124 ] || why="timed out after ${TEST_TIMEOUT}s"
		known=$(awk -v k="$kernel" -v t="$name" '!/^#/ && index(k, $1) == 1 && $2 == t {
			$1 = $2 = ""; sub(/^ +/, ""); print }' "$known_failures")
		if [ -n "$known" ]; then
			echo "SKBTRACE-RESULT $name XFAIL ${secs}s known failure on $kernel: ${why:-exit status $rc}"
			xfail=$((xfail + 1))
		else
			echo "SKBTRACE-RESULT $name FAIL ${secs}s ${why:-exit status $rc}"
			fail=$((fail + 1))
		fi
		;;
	esac
done
echo "SKBTRACE-DONE $pass $fail $na $xfail"
