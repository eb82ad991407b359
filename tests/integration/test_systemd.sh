#!/usr/bin/env bash
# skbtrace under a real systemd: a cached Debian rootfs boots with
# systemd-nspawn, the installed units run the daemon, and systemd_check.sh
# drives it from inside (start, reload, watchdog, stop, socket activation).
# The assertions here read what it recorded.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/nspawn_lib.sh"

for tool in systemd-nspawn debootstrap cmake; do
	command -v "$tool" > /dev/null ||
		fail "$tool is missing: run packaging/deps.sh --test"
done
BUILD=$(dirname "$SKBTRACE")
[ -f "$BUILD/cmake_install.cmake" ] || fail "$BUILD is not a CMake build directory"

ROOTFS=$("$SRCDIR/tests/integration/nspawn_rootfs.sh") || fail "cannot build the test rootfs"
root=$TMP/root
R=$TMP/results
# A copy per run keeps the cached tree clean.
cp -a --reflink=auto "$ROOTFS" "$root"
mkdir -p "$R"
# What the container recorded outlives $TMP, for a look after a failure.
on_exit "rm -rf /tmp/skbtrace-test_systemd.last; cp -a '$R' /tmp/skbtrace-test_systemd.last"

# Install as a user would, so the install rules are tested too.
DESTDIR=$root cmake --install "$BUILD" --prefix /usr/local > "$TMP/install.log" ||
	fail "cmake --install failed"
for f in usr/local/sbin/skbtrace usr/local/lib/systemd/system/skbtrace.service \
	usr/local/lib/systemd/system/skbtrace.socket usr/local/etc/skbtrace/skbtrace.json; do
	[ -f "$root/$f" ] || fail "cmake --install did not install /$f"
done
install -m 755 "$TESTGEN" "$root/usr/local/bin/skbtrace-testgen"
mkdir -p "$root/etc/systemd/system/skbtrace.service.d"
# A short watchdog, so that the SIGSTOP check takes seconds, not a minute.
cat > "$root/etc/systemd/system/skbtrace.service.d/test.conf" <<'EOF_UNIT'
[Service]
WatchdogSec=4s
RestartSec=1s
EOF_UNIT
nspawn_install_checks "$root" "$SRCDIR/tests/integration/systemd_check.sh"
nspawn_boot "$root" "$R"
inode=$(cat "$R/netns")
drops() { metric_sum "$R/$1" skbtrace_drops_total reason=NO_SOCKET netns="$inode"; }

# Start-up, status line, capabilities.
assert_eq 0 "$(cat "$R/start.rc")" "skbtrace.service active and /metrics answers"
assert_contains "$(cat "$R/status.start")" "Active: active (running)" "systemctl status: running"
assert_contains "$(cat "$R/status.start")" "Status: \"3/3 probes attached; drop (tp_btf)" \
	"systemctl status: Status= line"
# CAP_SYSLOG (38 = perfmon, 39 = bpf, 34 = syslog): 0xc400000000.
assert_contains "$(cat "$R/caps")" "CapEff:	000000c400000000" "effective: bpf, perfmon, syslog"
# The unit bounds the daemon to exactly those.
assert_contains "$(cat "$R/caps")" "CapBnd:	000000c400000000" "bounding: bpf, perfmon, syslog"
assert_contains "$(cat "$R/caps")" "NoNewPrivs:	1" "no_new_privs"
assert_contains "$(cat "$R/journal")" "capabilities kept for reload: cap_syslog,cap_perfmon,cap_bpf" \
	"the daemon logs what it kept"
# With the conntrack probe, whose per-namespace reader needs nothing more.
assert_contains "$(cat "$R/journal")" "conntrack: namespace reader loaded" \
	"the conntrack namespace reader runs inside the unit's sandbox"

# A PrivateNetwork= service: its drops counted exactly in its own namespace,
# which skbtrace_netns_info names by the unit; gone once the unit stopped.
private=$(cat "$R/private.netns")
[ -n "$private" ] && [ "$private" != "$inode" ] || fail "no private namespace recorded ($private)"
assert_eq 5 "$(metric_sum "$R/metrics.private" skbtrace_drops_total reason=NO_SOCKET netns="$private")" \
	"PrivateNetwork unit: its 5 drops in its namespace"
assert_eq 1 "$(metric_sum "$R/metrics.private" skbtrace_netns_info netns="$private" kind=unit \
	name=skbtrace-private.service)" "PrivateNetwork unit: skbtrace_netns_info kind=unit, its name"
assert_eq 0 "$(grep -c "netns=\"$private\"" "$R/metrics.private.gone")" \
	"PrivateNetwork unit stopped: no series of its namespace left"

# Broken config.
assert_contains "$(cat "$R/status.bad")" "Active: active (running)" "bad reload: still running"
assert_contains "$(cat "$R/status.bad")" "reload failed, old config kept:" "bad reload: Status= says so"
assert_contains "$(cat "$R/journal")" "reload failed, still running the previous configuration" \
	"bad reload: logged"
assert_eq 0 "$(cat "$R/metrics.bad.rc")" "bad reload: /metrics answers"

# Unchanged probe across a reload.
before=$(drops metrics.same.before)
[ "$before" -ge 20 ] || fail "no drops counted before the reload ($before)"
assert_eq 7 "$(($(drops metrics.same.after) - before))" "unchanged probe: counters continue"
assert_contains "$(cat "$R/journal")" "probe drop: unchanged, counters continue" \
	"unchanged probe: logged"
# The reset probe attaches at start, anew at the reload that changed its
# filter, and after the watchdog restart; at the reload that changed only the
# drop probe it stays as it is.
assert_eq 3 "$(grep -c 'probe reset: attached with' "$R/journal")" \
	"changed reset probe next to the unchanged drop probe: attached anew"
assert_eq 1 "$(grep -c 'probe reset: unchanged, counters continue' "$R/journal")" \
	"reset probe unchanged when only the drop probe changed"
assert_contains "$(cat "$R/journal")" "a new listen address takes effect only after a restart" \
	"listen change: needs a restart, logged"
# Symbolized locations prove CAP_SYSLOG and a readable /proc/kallsyms in the sandbox.
grep -q 'reason="NO_SOCKET",location="__udp4_lib_rcv+' "$R/metrics.same.after" ||
	fail "drop location not symbolized: $(grep NO_SOCKET "$R/metrics.same.after")"

# Changed probe: new method and filter, new maps; the old instance's final
# counts are carried over, so the counter continues from where it was.
assert_eq 1 "$(metric_sum "$R/metrics.changed" skbtrace_probe_attached probe=drop method=raw_tp)" \
	"changed probe: re-attached with raw_tp"
assert_eq 7 "$(($(drops metrics.changed) - $(drops metrics.same.after)))" \
	"changed probe: new filter applied, counter continued across the replacement"
assert_contains "$(cat "$R/status.reloaded")" "drop (raw_tp)" "changed probe: Status= line"

# Watchdog.
read -r n0 n1 pid0 pid1 < "$R/watchdog"
assert_eq 1 "$((n1 - n0))" "watchdog: NRestarts rose by one"
[ "$pid0" != "$pid1" ] || fail "watchdog: the stopped daemon (pid $pid0) still runs"
assert_contains "$(cat "$R/journal")" "Watchdog timeout" "watchdog: systemd logged the timeout"
assert_eq 0 "$(cat "$R/metrics.watchdog.rc")" "watchdog: /metrics answers after the restart"

# Stop.
[ -s "$R/prog_ids" ] || fail "no BPF program found in the daemon's fds"
grep -q "name drop_" "$R/progs.running" || fail "no drop_ program while running"
assert_eq "" "$(cat "$R/prog_ids.left")" "stop: every program of the daemon is gone"
assert_eq "inactive success" "$(cat "$R/stopped")" "stop: clean exit"

# Socket activation.
assert_eq inactive "$(cat "$R/socket.before")" "socket: service not started by the socket alone"
assert_eq 0 "$(cat "$R/metrics.socket.rc")" "socket: the first scrape starts the daemon"
assert_contains "$(cat "$R/status.socket")" "TriggeredBy: ● skbtrace.socket" "socket: triggered by"
assert_contains "$(grep 'serving metrics on' "$R/journal" | tail -n1)" \
	"http://127.0.0.1:9820/metrics" "socket: serves systemd's socket, not its config's 9830"
grep -q ' 3 -> socket:' "$R/socket.fds" || fail "socket: fd 3 is not a socket"

# Exposure, recorded in docs/systemd.md.
score=$(sed -n 's/.*Overall exposure level for skbtrace.service: \([0-9.]*\).*/\1/p' "$R/security")
log "systemd-analyze security: $score"
awk -v s="$score" 'BEGIN { exit !(s != "" && s < 5.0) }' ||
	fail "exposure $score is not below 5.0"
test_done
