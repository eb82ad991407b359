#!/usr/bin/env bash
# The build reads nothing from the build host's kernel: a clean copy of the
# tree builds completely while /sys/kernel/btf is an empty tmpfs, in a
# private mount namespace so that the host keeps its BTF.  Nor from the
# host's architecture: --arch arm64 cross-builds with
# cmake/aarch64-linux-gnu.cmake, and the daemon, the test helpers and the
# BPF programs must come out for arm64.
#   test_build_without_host_btf.sh [--arch arm64]
source "$(dirname "$0")/lib.sh"

arch=native
if [ "${1:-}" = --arch ]; then
	arch=${2:-}
	[ "$arch" = arm64 ] || fail "usage: $0 [--arch arm64]"
fi
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for a mount namespace"; exit 77; }
cmake_args=()
run=()
if [ "$arch" = arm64 ]; then
	for tool in aarch64-linux-gnu-gcc aarch64-linux-gnu-pkg-config qemu-aarch64; do
		command -v "$tool" > /dev/null || fail "no $tool: run packaging/deps.sh --test"
	done
	cmake_args=(--toolchain cmake/aarch64-linux-gnu.cmake)
	run=(qemu-aarch64)
fi
clean_copy "$TMP/src"
[ -f "$TMP/src/CMakeLists.txt" ] || fail "the clean copy has no CMakeLists.txt"

log "building $TMP/src ($arch) with /sys/kernel/btf hidden"
rc=0
start=$SECONDS
unshare --mount --propagation private bash -euc '
	mount -t tmpfs -o ro,mode=0555 skbtrace-no-btf /sys/kernel/btf
	if [ -e /sys/kernel/btf/vmlinux ]; then
		echo "the BTF is still visible" >&2
		exit 1
	fi
	dir=$1
	shift
	cd "$dir/src"
	cmake -S . -B "$dir/build" "$@" > "$dir/configure.log"
	cmake --build "$dir/build" -j"$(nproc)" > "$dir/build.log" 2>&1
' _ "$TMP" "${cmake_args[@]}" || rc=$?
if [ "$rc" -ne 0 ]; then
	tail -n 30 "$TMP/configure.log" "$TMP/build.log" 2> /dev/null >&2 || true
	fail "the $arch build failed without the host's BTF (exit $rc)"
fi
log "built in $((SECONDS - start)) s"
for f in skbtrace tests/skbtrace-testgen bpf/drop.bpf.o bpf/reset.bpf.o bpf/conntrack.bpf.o \
	bpf/drop.skel.h; do
	[ -s "$TMP/build/$f" ] || fail "the build made no $f"
done
# The host's BTF was back outside the namespace all along.
[ -e /sys/kernel/btf/vmlinux ] || fail "/sys/kernel/btf/vmlinux is gone on the host"

machine() { readelf -h "$1" | sed -n 's/^ *Machine: *//p'; }
if [ "$arch" = arm64 ]; then
	want_elf=AArch64
	# BPF_KPROBE reads the arguments from struct user_pt_regs (regs[0..]) on
	# arm64; x86's struct pt_regs is 168 bytes.  Both come from the
	# vendored vmlinux.h of the target, bpf/vmlinux/arm64.
	want_regs="STRUCT 'user_pt_regs' size=272 "
	wrong_regs="STRUCT 'pt_regs' size=168 "
else
	want_elf=$(machine "$(command -v bash)")
	want_regs="STRUCT 'pt_regs' size=168 "
	wrong_regs="STRUCT 'user_pt_regs' "
fi
for f in skbtrace tests/skbtrace-testgen; do
	m=$(machine "$TMP/build/$f")
	[ "$m" = "$want_elf" ] || fail "$f is an ELF for '$m', not $want_elf"
done
for obj in "$TMP"/build/bpf/*.bpf.o; do
	m=$(machine "$obj")
	[ "$m" = "Linux BPF" ] || fail "$(basename "$obj") is an ELF for '$m', not Linux BPF"
done
# The kprobe programs of the reset and conntrack probes.
for probe in reset conntrack; do
	btf=$(bpftool btf dump file "$TMP/build/bpf/$probe.bpf.o")
	grep -qF "$want_regs" <<< "$btf" ||
		fail "$probe.bpf.o: its kprobe programs do not read $want_regs"
	! grep -qF "$wrong_regs" <<< "$btf" || fail "$probe.bpf.o names $wrong_regs"
done
"${run[@]}" "$TMP/build/skbtrace" --version > /dev/null || fail "the built daemon does not run"
echo "PASS: $TEST_NAME: $arch build without /sys/kernel/btf: $want_elf ELFs, kprobes read ${want_regs% }"
