#!/usr/bin/env bash
# The daemon's source lines when the only debug file is of another build:
# Debian's 6.1 vmlinux placed as this kernel's (SKBTRACE_DEBUG_ROOT).  Its
# build id is not the running kernel's (/sys/kernel/notes), so it is never
# used: no skbtrace_location_info, no "sources" in /stacks, the mismatch
# logged once and counted once, and the drops counted exactly as ever.
# (Lines that match are checked against addr2line in test_symbolize.sh.)
source "$(dirname "$0")/lib.sh"
# shellcheck source=../vm/lib/debuginfo.sh
source "$SRCDIR/tests/vm/lib/debuginfo.sh"

root=$(kernel_dbg_fetch 6.1) || fail "cannot fetch the 6.1 kernel's debug info"
vmlinux=$(compgen -G "$root/usr/lib/debug/boot/vmlinux-*") || fail "no vmlinux in $root"
vid=$(readelf -n "$vmlinux" | awk '/Build ID:/ { print $3; exit }')
host_id=$(python3 -c '
import struct, sys
b = open("/sys/kernel/notes", "rb").read()
o = 0
while o + 12 <= len(b):
    nsz, dsz, t = struct.unpack_from("<III", b, o)
    d = o + 12 + (nsz + 3) // 4 * 4
    if t == 3 and b[o + 12:o + 12 + nsz] == b"GNU\0":
        print(b[d:d + dsz].hex()); sys.exit(0)
    o = d + (dsz + 3) // 4 * 4
sys.exit(1)') || fail "no build id in /sys/kernel/notes"
[ "$vid" != "$host_id" ] || test_na "this kernel is Debian's $(basename "$vmlinux") itself"
mkdir -p "$TMP/debug/usr/lib/debug/boot"
ln -s "$vmlinux" "$TMP/debug/usr/lib/debug/boot/vmlinux-$(uname -r)"

N=20
ns=$(netns_create srclines)
inode=$(netns_inode "$ns")
read -ra sel <<< "$(drop_select NO_SOCKET __udp4_lib_rcv)"
write_config "$TMP/config.json" '{ "name": "drop" }'
SKBTRACE_DEBUG_ROOT=$TMP/debug daemon_start "$TMP/config.json"

in_ns "$ns" "$TESTGEN" udp 127.0.0.1 8888 $N > /dev/null
scrape > "$TMP/m1"
scrape /stacks > "$TMP/stacks1"
in_ns "$ns" "$TESTGEN" udp 127.0.0.1 8888 $N > /dev/null
scrape > "$TMP/m2"
scrape /stacks > "$TMP/stacks2"

assert_eq "$N" "$(metric_sum "$TMP/m1" skbtrace_drops_total "${sel[@]}" netns="$inode")" \
	"drops after the first $N datagrams"
assert_eq "$((2 * N))" "$(metric_sum "$TMP/m2" skbtrace_drops_total "${sel[@]}" netns="$inode")" \
	"drops after $((2 * N))"
for m in m1 m2; do
	assert_eq 1 "$(metric_sum "$TMP/$m" skbtrace_debuginfo_build_id_mismatches_total)" \
		"build id mismatches counted at scrape $m"
	assert_eq 0 "$(grep -c '^skbtrace_location_info' "$TMP/$m" || true)" \
		"skbtrace_location_info series at scrape $m"
done
for s in stacks1 stacks2; do
	assert_eq 1 "$(jq '[.stacks[] | select(.frames | length > 0)] | length > 0' "$TMP/$s" | grep -c true)" \
		"/stacks ($s) lists stacks with frames"
	assert_eq 0 "$(jq '[.stacks[] | select(has("sources"))] | length' "$TMP/$s")" \
		"stacks with sources in $s"
done
assert_eq 1 "$(grep -c "has build id $vid, but vmlinux's is $host_id: not used" "$DAEMON_LOG")" \
	"log lines about the mismatching vmlinux"
promtool_check "$TMP/m2"
test_done
