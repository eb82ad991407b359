#!/usr/bin/env bash
# Prints the path of a minimal Debian rootfs that boots under systemd-nspawn
# and holds skbtrace's runtime libraries.  debootstrap takes minutes, so the
# tree is cached and only rebuilt when absent; it is built beside the cache
# and renamed into place so that an interrupted build never looks complete.
#   nspawn_rootfs.sh [CACHE_DIR]
set -euo pipefail

SUITE=bookworm
CACHE=${1:-/var/cache/skbtrace-test}
# Bump when PACKAGES changes, so stale caches are rebuilt; the stamp is in
# the path, so that branches with other package lists do not rebuild each
# other's tree.  procps: the unit's ExecReload= runs /bin/kill; man-db: the
# package test reads its man pages; libcurl3-gnutls: `skbtrace top`'s client;
# libdw1: source lines (daemon/symbols).  apt installs offline
# (--private-network), so every library the package depends on is here.
STAMP="v6"
ROOTFS=$CACHE/rootfs-$SUITE-$STAMP
PACKAGES=systemd,systemd-sysv,dbus,procps,man-db,libbpf1,libelf1,libmicrohttpd12,libsystemd0,libcjson1,libcurl3-gnutls,libdw1,curl,bpftool

mkdir -p "$CACHE"
exec 9> "$CACHE/.lock"
flock 9

if [ "$(cat "$ROOTFS/.skbtrace-rootfs" 2>/dev/null)" = "$STAMP" ]; then
	echo "$ROOTFS"
	exit 0
fi

# The machine's own mirror: the first URIs line of its deb822 sources.
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
mirror=${mirror:-http://deb.debian.org/debian}

tmp=$(mktemp -d "$CACHE/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "nspawn_rootfs: debootstrap $SUITE from $mirror (a few minutes, cached afterwards)" >&2
debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$tmp/rootfs" "$mirror" \
	> "$tmp/debootstrap.log" 2>&1 || {
	tail -n 20 "$tmp/debootstrap.log" >&2
	exit 1
}
rm -rf "$tmp/rootfs/var/cache/apt/archives/"*.deb
# No console login: with no terminal on the console, systemd's forked child
# for the getty blocks before exec and holds copies of PID 1's fds, among
# them a socket unit's listener, so that restarting the socket fails with
# EADDRINUSE.
for unit in console-getty.service container-getty@.service; do
	ln -sf /dev/null "$tmp/rootfs/etc/systemd/system/$unit"
done
echo "$STAMP" > "$tmp/rootfs/.skbtrace-rootfs"
rm -rf "$ROOTFS"
mv "$tmp/rootfs" "$ROOTFS"
echo "$ROOTFS"
