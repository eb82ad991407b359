#!/usr/bin/env bash
# The Debian package in a clean Debian 12: packaging/build-deb.sh builds it
# twice (a release and a higher-versioned rebuild), apt installs the first
# into a fresh copy of the cached debootstrapped rootfs, which then boots
# under systemd-nspawn; package_check.sh checks the service from inside,
# upgrades and purges.  The assertions here read what it recorded.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/nspawn_lib.sh"

for tool in systemd-nspawn debootstrap dpkg-buildpackage lintian bpftool; do
	command -v "$tool" > /dev/null ||
		fail "$tool is missing: run packaging/deps.sh --test"
done
debs=$TMP/debs
R=$TMP/results
root=$TMP/root
mkdir -p "$debs" "$R"
on_exit "rm -rf /tmp/skbtrace-test_debian_package.last; cp -a '$R' /tmp/skbtrace-test_debian_package.last"

# Build: the .deb's path is the last line; lintian has failed it on errors.
release=$(dpkg-parsechangelog -l "$SRCDIR/packaging/debian/changelog" -S Version)
upgrade=$release+test1
log "building $release and $upgrade"
deb1=$("$SRCDIR/packaging/build-deb.sh" --out "$debs" 2> "$TMP/build1.log" | tail -n1) ||
	{ tail -n 30 "$TMP/build1.log" >&2; fail "build-deb.sh failed"; }
deb2=$("$SRCDIR/packaging/build-deb.sh" --out "$debs" --version "$upgrade" --no-lintian \
	2> "$TMP/build2.log" | tail -n1) ||
	{ tail -n 30 "$TMP/build2.log" >&2; fail "build-deb.sh --version failed"; }
assert_eq "$debs/skbtrace_${release}_amd64.deb" "$deb1" "build-deb.sh prints the .deb last"
assert_eq "$debs/skbtrace_${upgrade}_amd64.deb" "$deb2" "build-deb.sh --version"
assert_eq "" "$(grep '^E:' "$debs"/lintian-*.log || true)" "lintian: no errors"
# Every warning left is explained in docs/packaging.md.
for tag in $(sed -n 's/^W: skbtrace[^:]*: \([a-z0-9-]*\).*/\1/p' "$debs"/lintian-*.log | sort -u); do
	grep -q "\`$tag\`" "$SRCDIR/docs/packaging.md" ||
		fail "lintian warning $tag is not explained in docs/packaging.md"
done
basename "$deb2" > "$debs/upgrade"

# What the package holds.
contents=$(dpkg-deb -c "$deb1" | awk '{ print $6 }')
for f in ./usr/sbin/skbtrace ./lib/systemd/system/skbtrace.service \
	./lib/systemd/system/skbtrace.socket ./etc/skbtrace/skbtrace.json \
	./usr/share/man/man8/skbtrace.8.gz ./usr/share/man/man5/skbtrace.json.5.gz \
	./usr/share/skbtrace/skbtrace-alerts.yml ./usr/share/skbtrace/grafana/skbtrace-dashboard.json \
	./usr/share/skbtrace/grafana/provisioning/alerting/skbtrace-alerts.yaml \
	./usr/share/skbtrace/grafana/provisioning/datasources/skbtrace-prometheus.yaml \
	./usr/share/skbtrace/grafana/provisioning/dashboards/skbtrace.yaml \
	./usr/share/doc/skbtrace/copyright; do
	grep -qxF "$f" <<< "$contents" || fail "the package lacks ${f#.}"
done
# dh_compress gzips docs over 4 KiB, so a doc may end in .gz.
for f in README.md config.md runbooks.md grafana.md diagnosis.md; do
	grep -q "^./usr/share/doc/skbtrace/$f" <<< "$contents" || fail "the package lacks the doc $f"
done
assert_contains "$(dpkg-deb -f "$deb1" Depends)" "libbpf1" "Depends from \${shlibs:Depends}"
assert_contains "$(dpkg-deb -f "$deb1" Depends)" "libcurl3-gnutls" "Depends: libcurl (GnuTLS) for skbtrace top"

# Install with apt into a fresh Debian 12 where no systemd runs (nspawn
# without --boot): the units are enabled, nothing is started.
ROOTFS=$("$SRCDIR/tests/integration/nspawn_rootfs.sh") || fail "cannot build the test rootfs"
cp -a --reflink=auto "$ROOTFS" "$root"
cat > "$root/install.sh" <<EOF_INSTALL
set -x
cd /debs && DEBIAN_FRONTEND=noninteractive apt-get install -y ./$(basename "$deb1") < /dev/null
echo "apt \$?" > /results/install.rc
pgrep -x skbtrace > /results/install.pgrep
dpkg-query -W -f '\${Conffiles}' skbtrace > /results/conffiles
ls /etc/systemd/system/multi-user.target.wants /etc/systemd/system/sockets.target.wants \
	> /results/wants 2>&1
EOF_INSTALL
systemd-nspawn --quiet --directory="$root" --register=no --keep-unit --private-network \
	--bind-ro="$debs:/debs" --bind="$R:/results" bash /install.sh > "$TMP/install.log" 2>&1 ||
	{ tail -n 30 "$TMP/install.log" >&2; fail "installing in the container failed"; }
assert_eq "apt 0" "$(cat "$R/install.rc")" "apt-get install ./$(basename "$deb1")"
assert_eq "" "$(cat "$R/install.pgrep")" "no systemd: the service is not started"
assert_contains "$(cat "$R/conffiles")" "/etc/skbtrace/skbtrace.json" "the config is a conffile"
assert_contains "$(cat "$R/wants")" "skbtrace.service" "service enabled"
assert_contains "$(cat "$R/wants")" "skbtrace.socket" "socket enabled"

# Boot it: systemd starts the enabled units, package_check.sh does the rest.
nspawn_install_checks "$root" "$SRCDIR/tests/integration/package_check.sh"
nspawn_boot "$root" "$R" --bind-ro="$debs:/debs"

# Installed and booted: active, with its Status= line; socket and service enabled.
assert_eq 0 "$(cat "$R/start.rc")" "skbtrace.service active and /metrics answers"
assert_contains "$(cat "$R/status.start")" "Active: active (running)" "systemctl status: running"
assert_contains "$(cat "$R/status.start")" "Status: \"3/3 probes attached" \
	"systemctl status: Status= line with the shipped config's three probes"
assert_eq "enabled
enabled" "$(cat "$R/enabled")" "service and socket enabled"
assert_eq active "$(cat "$R/socket.active")" "socket started"
assert_contains "$(cat "$R/status.start")" "TriggeredBy: ● skbtrace.socket" \
	"the service serves the socket systemd holds"
assert_contains "$(cat "$R/metrics.start")" "skbtrace_build_info" "/metrics answers"
[ -s "$R/prog_ids.v1" ] || fail "no BPF program in the daemon's fds"

# Manual pages.
assert_eq 0 "$(cat "$R/man.8.rc")" "man skbtrace"
assert_contains "$(cat "$R/man.8")" "--check-config" "man skbtrace renders the options"
assert_eq 0 "$(cat "$R/man.5.rc")" "man 5 skbtrace.json"
assert_contains "$(cat "$R/man.5")" "max_series" "man 5 skbtrace.json renders the keys"

# Reload.
assert_eq 0 "$(cat "$R/reload.rc")" "systemctl reload skbtrace"
read -r pid0 pid1 < "$R/reload.pids"
assert_eq "$pid0" "$pid1" "reload: same process"
assert_contains "$(cat "$R/journal")" "configuration reloaded from /etc/skbtrace/skbtrace.json" \
	"reload: the daemon read its config again"
assert_contains "$(cat "$R/status.reload")" "Active: active (running)" "reload: still running"
assert_eq 0 "$(cat "$R/metrics.reload.rc")" "reload: /metrics answers"

# Upgrade.
assert_eq 0 "$(cat "$R/upgrade.rc")" "apt-get install ./$(basename "$deb2")"
assert_eq "$upgrade" "$(cat "$R/version")" "upgraded to the rebuilt package"
assert_eq "$(cat "$R/config.edited")" "$(cat "$R/config.after")" \
	"upgrade keeps the locally edited conffile"
grep -q '"max_series": 4000' "$R/config.after" || fail "the local edit is not in the config"
assert_eq 0 "$(cat "$R/upgrade.up.rc")" "upgrade: the service runs again"
read -r pid0 pid1 < "$R/upgrade.pids"
[ "$pid0" != "$pid1" ] || fail "upgrade: the daemon was not restarted (pid $pid0)"
assert_eq 0 "$(cat "$R/metrics.upgrade.rc")" "upgrade: /metrics answers"

# Purge: stopped, gone, and the host's kernel holds none of its programs.
assert_eq 0 "$(cat "$R/purge.rc")" "apt-get purge -y skbtrace"
assert_eq "inactive
inactive" "$(cat "$R/purge.active")" "purge: service and socket stopped"
assert_eq "" "$(cat "$R/purge.pgrep")" "purge: no skbtrace process"
assert_eq "" "$(cat "$R/purge.left")" "purge: config, unit, binary and enablement removed"
assert_eq 1 "$(cat "$R/purge.dpkg.rc")" "purge: dpkg knows the package no more"
# A closed link frees its program after an RCU grace period.
progs_left() {
	for id in $(cat "$R/prog_ids.v1" "$R/prog_ids.v2"); do
		bpftool prog show id "$id" 2> /dev/null
	done
}
no_progs_left() { [ -z "$(progs_left)" ]; }
poll 10 no_progs_left || true
assert_eq "" "$(progs_left)" "purge: no BPF program of skbtrace left on the host"
test_done
