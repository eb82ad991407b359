# Host side of the tests that boot a Debian rootfs under systemd-nspawn
# (test_systemd.sh, test_debian_package.sh), sourced after lib.sh.
# shellcheck shell=bash

# nspawn_install_checks ROOT SCRIPT: SCRIPT runs once as a oneshot unit
# after boot, as /usr/local/bin/skbtrace-check; it sources
# /usr/local/lib/skbtrace-check/check_lib.sh, which sources poll_lib.sh beside it.
nspawn_install_checks() {
	local root=$1 script=$2 lib
	install -m 755 "$script" "$root/usr/local/bin/skbtrace-check"
	for lib in check_lib.sh poll_lib.sh; do
		install -D -m 644 "$SRCDIR/tests/integration/$lib" "$root/usr/local/lib/skbtrace-check/$lib"
	done
	cat > "$root/etc/systemd/system/skbtrace-check.service" <<'EOF_UNIT'
[Unit]
Description=skbtrace checks
After=multi-user.target

[Service]
Type=oneshot
ExecStart=/usr/local/bin/skbtrace-check
EOF_UNIT
	ln -sf ../skbtrace-check.service "$root/etc/systemd/system/multi-user.target.wants/"
}

# nspawn_boot ROOT RESULTS [nspawn args]: boots ROOT until the checks power
# it off, RESULTS bound at /results; fails unless they wrote RESULTS/done.
# --capability=all and --system-call-filter: nspawn drops the capabilities
# BPF needs and its seccomp filter refuses bpf() and perf_event_open(); the
# container shares the host kernel.  A private network keeps port 9820 and
# the drops it makes apart from other tests on the host.
nspawn_boot() {
	local root=$1 results=$2 rc=0
	shift 2
	log "booting the container"
	timeout 300 systemd-nspawn --quiet --boot --directory="$root" --machine="skbt-$$" \
		--register=no --keep-unit --capability=all --system-call-filter="bpf perf_event_open" \
		--private-network --bind="$results:/results" "$@" \
		> "$TMP/nspawn.log" 2>&1 || rc=$?
	DAEMON_LOG=$results/journal
	[ -f "$results/done" ] || {
		tail -n 20 "$TMP/nspawn.log" "$results/check.log" >&2
		fail "the checks inside the container did not finish (nspawn exit $rc)"
	}
}
