# The one way the tests wait for something, on the host (lib.sh) and inside
# the nspawn containers (check_lib.sh, installed beside it): no side effects,
# so that both can source it.
# shellcheck shell=bash

# poll SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds, then
# returns 0; once SECONDS of wall-clock time have passed (a slow machine
# gets fewer tries, not a later deadline), returns 1 and says on stderr what
# it waited for.  COMMAND runs at least once, in this shell: a function can
# set variables for the caller, and fail or exit in it end the script.  It
# runs without errexit (it is a condition), so it must return non-zero itself.
poll() {
	local secs=$1 deadline
	shift
	case $secs in
	'' | *[!0-9]*)
		echo "poll: SECONDS must be a whole number, got '$secs'" >&2
		return 2
		;;
	esac
	poll_now
	deadline=$((POLL_NOW + secs * 1000000))
	while :; do
		"$@" && return 0
		poll_now
		[ "$POLL_NOW" -lt "$deadline" ] || break
		sleep 0.1
	done
	echo "poll: still failing after $secs s: $*" >&2
	return 1
}

# poll_now: POLL_NOW, the time in microseconds (no fork with bash 5's EPOCHREALTIME,
# whose decimal point follows the locale).
poll_now() {
	local t=${EPOCHREALTIME:-$(date +%s.%6N)}
	POLL_NOW=${t//[!0-9]/}
}
