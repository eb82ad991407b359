#!/usr/bin/env bash
# The build reads nothing from the build host's kernel: a clean copy of the
# tree builds completely while /sys/kernel/btf is an empty tmpfs, in a
# private mount namespace so that the host keeps its BTF.
source "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for a mount namespace"; exit 77; }
clean_copy "$TMP/src"
[ -f "$TMP/src/CMakeLists.txt" ] || fail "the clean copy has no CMakeLists.txt"

log "building $TMP/src with /sys/kernel/btf hidden"
rc=0
unshare --mount --propagation private bash -euc '
	mount -t tmpfs -o ro,mode=0555 skbtrace-no-btf /sys/kernel/btf
	if [ -e /sys/kernel/btf/vmlinux ]; then
		echo "the BTF is still visible" >&2
		exit 1
	fi
	cmake -S "$1/src" -B "$1/build" > "$1/configure.log"
	cmake --build "$1/build" -j"$(nproc)" > "$1/build.log" 2>&1
' _ "$TMP" || rc=$?
if [ "$rc" -ne 0 ]; then
	tail -n 30 "$TMP/configure.log" "$TMP/build.log" 2> /dev/null >&2 || true
	fail "the build failed without the host's BTF (exit $rc)"
fi
for f in skbtrace bpf/drop.bpf.o bpf/reset.bpf.o bpf/conntrack.bpf.o bpf/drop.skel.h; do
	[ -s "$TMP/build/$f" ] || fail "the build made no $f"
done
# The host's BTF was back outside the namespace all along.
[ -e /sys/kernel/btf/vmlinux ] || fail "/sys/kernel/btf/vmlinux is gone on the host"
"$TMP/build/skbtrace" --version > /dev/null || fail "the built daemon does not run"
echo "PASS: $TEST_NAME: built without /sys/kernel/btf"
