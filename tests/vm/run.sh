#!/usr/bin/env bash
# The VM stage: the integration tests inside QEMU on Debian's stock cloud
# kernels, where kprobes, fentry and older struct layouts exist that the
# host (6.18, tracepoints only) cannot show.
#   run.sh --build DIR --kernel VERSION [--only TEST[,TEST...]]
#       boots one kernel (5.10, 6.1 or 6.12), runs the tests, fails if any
#       test fails in the guest; leaves DIR/vm/results-VERSION.txt
#   run.sh --build DIR --host
#       the same runner on the host, for the matrix's host column
#   run.sh --build DIR --matrix [--write-doc FILE]
#       the probe x kernel table from the results files
# Kernels and initramfs parts are cached in /var/cache/skbtrace-test/vm
# (SKBTRACE_VM_CACHE); only the build outputs are packed on every run.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
# shellcheck source=lib/kernels.sh
source "$here/lib/kernels.sh"
# shellcheck source=lib/initramfs.sh
source "$here/lib/initramfs.sh"
# shellcheck source=lib/matrix.sh
source "$here/lib/matrix.sh"

SKIP_RC=77
# A TCG guest runs the whole suite in a few minutes; this bounds a hang.
BOOT_TIMEOUT=${SKBTRACE_VM_TIMEOUT:-600}
# -cpu max, as MACHINE.md found, boots all three, but 6.12 then dies
# within seconds (double fault or NULL write in kmem_cache_alloc, also a
# GPF in do_sync_core at boot), with or without the daemon: this QEMU's
# TCG mis-emulates the cmpxchg16b that 6.12's SLUB uses per CPU.  Without
# CX16 the kernel takes its locked slow path, and every kernel runs the
# whole suite; kprobes, fentry and the BPF JIT need none of the newer
# features.
VM_CPU=${SKBTRACE_VM_CPU:-qemu64,-cx16}
VM_SMP=${SKBTRACE_VM_SMP:-2}
VM_APPEND=${SKBTRACE_VM_APPEND:-}

build= kernel= only= mode= doc=
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$(cd "$2" && pwd); shift 2 ;;
	--kernel) kernel=$2; mode=vm; shift 2 ;;
	--only) only=$2; shift 2 ;;
	--host) mode=host; shift ;;
	--matrix) mode=matrix; shift ;;
	--write-doc) doc=$2; shift 2 ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -n "$build" ] && [ -n "$mode" ] || { sed -n '5,13s/^# //p' "$0" >&2; exit 2; }
out=$build/vm
mkdir -p "$out"

run_vm() {
	local v=$1
	[ -n "${KERNEL_SUITE[$v]:-}" ] || { echo "run.sh: unknown kernel $v" >&2; exit 2; }
	if ! command -v qemu-system-x86_64 > /dev/null || [ ! -x /bin/busybox ]; then
		echo "run.sh: qemu-system-x86 or busybox-static missing (packaging/deps.sh --test): skipped"
		exit "$SKIP_RC"
	fi
	local t0 kdir config comp vmlinuz initrd
	t0=$(date +%s)
	kdir=$(kernel_fetch "$v")
	config=$(compgen -G "$kdir/boot/config-*")
	vmlinuz=$(compgen -G "$kdir/boot/vmlinuz-*")
	comp=$(initramfs_comp "$config")
	initrd=$out/initrd-$v
	build_part "$build" "$src" "$comp" "$out/build-$v.cpio"
	cat "$(base_part "$comp" "$build/skbtrace" "$build/tests/skbtrace-testgen")" \
		"$(modules_part "$kdir" "$comp")" "$out/build-$v.cpio" > "$initrd"
	echo "# kernel $(basename "$kdir"), initramfs $(du -h "$initrd" | cut -f1) ($comp)," \
		"prepared in $(($(date +%s) - t0))s"

	# -accel tcg: KVM guests hang at boot on these machines (MACHINE.md).
	# No disk and no NIC: the tests only need namespaces and loopback.
	local console=$out/console-$v.log t1 rc=0
	t1=$(date +%s)
	timeout "$BOOT_TIMEOUT" qemu-system-x86_64 -accel tcg -cpu "$VM_CPU" -m 1536 -smp "$VM_SMP" \
		-nographic -no-reboot -nodefaults -serial stdio -net none \
		-kernel "$vmlinuz" -initrd "$initrd" \
		-append "console=ttyS0 quiet panic=-1 $VM_APPEND ${only:+skbtrace.only=$only}" \
		< /dev/null > "$console" 2>&1 || rc=$?
	tr -d '\r' < "$console" | grep -v '^SKBTRACE-' || true
	tr -d '\r' < "$console" | grep '^SKBTRACE-' > "$out/results-$v.txt" || true
	echo "SKBTRACE-SECONDS $(($(date +%s) - t1))" >> "$out/results-$v.txt"
	echo "# guest ran for $(($(date +%s) - t1))s (qemu exit $rc), total $(($(date +%s) - t0))s"
	cat "$out/results-$v.txt"
	results_ok "$out/results-$v.txt"
}

run_host() {
	local t1 rc=0
	t1=$(date +%s)
	SKBTRACE=$build/skbtrace TESTGEN=$build/tests/skbtrace-testgen SRCDIR=$src \
		"$here/run-tests.sh" ${only:+--only "$only"} > "$out/console-host.log" 2>&1 || rc=$?
	grep '^SKBTRACE-' "$out/console-host.log" > "$out/results-host.txt" || true
	echo "SKBTRACE-SECONDS $(($(date +%s) - t1))" >> "$out/results-host.txt"
	grep -v '^SKBTRACE-' "$out/console-host.log" || true
	cat "$out/results-host.txt"
	results_ok "$out/results-host.txt"
}

case $mode in
vm) run_vm "$kernel" ;;
host) run_host ;;
matrix)
	matrix_markdown "$out" host "${VM_KERNELS[@]}" > "$out/kernel-matrix.md"
	cat "$out/kernel-matrix.md"
	[ -z "$doc" ] || cp "$out/kernel-matrix.md" "$doc"
	;;
esac
