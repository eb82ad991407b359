#!/usr/bin/env bash
# The arm64 Debian package, cross-built on this machine:
# packaging/build-deb.sh --arch arm64 (dpkg-buildpackage -aarm64) prints
# skbtrace_<version>_arm64.deb last; the package is Architecture: arm64,
# holds an AArch64 daemon that runs (under qemu-user) and links the arm64
# libraries, and lintian finds no errors in it.  Installing and running it
# under systemd is the amd64 package's test (test_debian_package): the
# package's files and scripts are the same.
source "$(dirname "$0")/lib.sh"

for tool in dpkg-buildpackage lintian aarch64-linux-gnu-gcc qemu-aarch64; do
	command -v "$tool" > /dev/null || fail "no $tool: run packaging/deps.sh --test"
done
release=$(dpkg-parsechangelog -l "$SRCDIR/packaging/debian/changelog" -S Version)

start=$SECONDS
deb=$("$SRCDIR/packaging/build-deb.sh" --arch arm64 --out "$TMP/debs" 2> "$TMP/build.log" |
	tail -n1) || { tail -n 30 "$TMP/build.log" >&2; fail "build-deb.sh --arch arm64 failed"; }
log "built and checked by lintian in $((SECONDS - start)) s"
[ "$deb" = "$TMP/debs/skbtrace_${release}_arm64.deb" ] ||
	fail "build-deb.sh printed '$deb' last, not $TMP/debs/skbtrace_${release}_arm64.deb"
[ "$(dpkg-deb -f "$deb" Architecture)" = arm64 ] || fail "$deb is not Architecture: arm64"
errors=$(grep '^E:' "$TMP"/debs/lintian-*.log || true)
[ -z "$errors" ] || fail "lintian errors: $errors"

dpkg-deb -x "$deb" "$TMP/root"
machine=$(readelf -h "$TMP/root/usr/sbin/skbtrace" | sed -n 's/^ *Machine: *//p')
[ "$machine" = AArch64 ] || fail "usr/sbin/skbtrace is an ELF for '$machine', not AArch64"
# dpkg-shlibdeps found the arm64 libraries: the daemon's own ones are there.
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libbpf1 libmicrohttpd12 libsystemd0 libcjson1; do
	grep -q "$lib" <<< "$depends" || fail "Depends lacks $lib: $depends"
done
version=$(qemu-aarch64 "$TMP/root/usr/sbin/skbtrace" --version) ||
	fail "the packaged daemon does not run under qemu-aarch64"
echo "PASS: $TEST_NAME: $(basename "$deb"): AArch64 daemon ($version), lintian without errors"
