#!/usr/bin/env bash
# The VM stage: the integration tests inside QEMU on Debian's stock cloud
# kernels, where kprobes, fentry and older struct layouts exist that the
# host (6.18, tracepoints only) cannot show.
#   run.sh --build DIR [--arch arm64] --kernel VERSION [--only TEST[,TEST...]]
#       boots one kernel (5.10, 6.1 or 6.12; arm64: 6.1 or 6.12), runs the
#       tests, fails if any test fails in the guest; leaves
#       DIR/vm/results-VERSION.txt (arm64: results-arm64-VERSION.txt)
#   run.sh --build DIR --kernel VERSION --boots N
#       the boot-loop check, a measurement and not a ctest test: N boots
#       that stop right after the harness's first line; prints ok, retried
#       or failed per boot and a SKBTRACE-BOOTS summary, fails if any failed
#   run.sh --build DIR --host
#       the same runner on the host, for the matrix's host column
#   run.sh --build DIR --matrix [--write-doc FILE]
#       the probe x kernel table from the results files
# A guest that dies before its first harness line (a TCG boot flake) is
# booted once more and the run reported SKBTRACE-RETRIED; one that fails
# after the harness started is never retried.  See tests/vm/README.md.
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
# It is the budget of both boots together when the first is retried.
BOOT_TIMEOUT=${SKBTRACE_VM_TIMEOUT:-1000}
# A boot that has printed no harness line by then is taken as dead before
# the harness and retried, so a hang in early boot costs this much and not
# the whole budget.  Measured with --boots over 110 boots of the three
# kernels: the first line comes 4-11 s after QEMU starts (kernel,
# initramfs unpacking, module loads); the margin is for a loaded machine.
FIRST_LINE_TIMEOUT=${SKBTRACE_VM_FIRST_LINE_TIMEOUT:-120}
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
# Test hook for the retry path only: kernel parameters for the first boot
# of a run and not its retry, e.g. "rdinit=/nonexistent" (dies before the
# harness: retried) or "rdinit=/usr/bin/bash" (an idle shell on the console,
# a hang before the harness: cut at FIRST_LINE_TIMEOUT, retried).
VM_FIRST_APPEND=${SKBTRACE_VM_FIRST_APPEND:-}

build='' kernel='' only='' mode='' doc='' boots=''
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$(cd "$2" && pwd); shift 2 ;;
	--arch) VM_ARCH=$2; shift 2 ;;
	--kernel) kernel=$2; mode=vm; shift 2 ;;
	--only) only=$2; shift 2 ;;
	--boots) boots=$2; shift 2 ;;
	--host) mode=host; shift ;;
	--matrix) mode=matrix; shift ;;
	--write-doc) doc=$2; shift 2 ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
# --boots needs --kernel and a count, and no --only: a boot check runs no test.
if [ -n "$boots" ]; then
	if [ "$mode" = vm ] && [ -z "$only" ] && [ "$boots" -gt 0 ] 2> /dev/null; then
		mode=boots
	else
		mode=''
	fi
fi
case $VM_ARCH in
amd64 | arm64) ;;
*) mode='' ;;
esac
if [ -z "$build" ] || [ -z "$mode" ]; then
	sed -n '5,15s/^# //p' "$0" >&2
	exit 2
fi
out=$build/vm
mkdir -p "$out"

# The QEMU of the boot under way, for the EXIT trap: a run.sh stopped by
# ctest's timeout or ^C leaves no guest behind.
qemu_pid=''
trap '[ -z "$qemu_pid" ] || kill "$qemu_pid" 2> /dev/null || true' EXIT

# The QEMU of each architecture; arm64 is the virt board with every CPU
# feature TCG emulates (pointer authentication with QEMU's own cheap
# algorithm rather than the architected one, which costs TCG dearly and
# which no test looks at).
declare -A QEMU=([amd64]=qemu-system-x86_64 [arm64]=qemu-system-aarch64)
declare -A QEMU_PKG=([amd64]=qemu-system-x86 [arm64]=qemu-system-arm)
VM_ARM64_CPU=${SKBTRACE_VM_ARM64_CPU:-max,pauth-impdef=on}
# What the arm64 guests run without --only: the exactness tests, the
# attach-method tests, the address-leak test and the netfilter probe's
# chains (kprobe and fexit registers), which are what depends on the
# architecture (BPF JIT, kprobe registers, struct layouts).  The whole
# suite does not fit CI's budget under TCG; tests/vm/README.md has the
# numbers and which tests run where.
ARM64_TESTS=test_drop_netfilter,test_drop_no_socket,test_reset_closed_port,test_reset_linger
ARM64_TESTS+=,test_reset_listen_overflow,test_conntrack_table_full,test_tcp_retransmit
ARM64_TESTS+=,test_drop_attach_methods,test_reset_attach_methods,test_conntrack_attach_methods
ARM64_TESTS+=,test_no_address_leak,test_netfilter_chains
# SKBTRACE_VM_ARM64_TESTS=all runs the whole suite there (the measurement
# in the README); a list replaces the set.
ARM64_TESTS=${SKBTRACE_VM_ARM64_TESTS:-$ARM64_TESTS}
[ "$ARM64_TESTS" != all ] || ARM64_TESTS=''

# The kernels of VM_ARCH, and the name of a run: the version for amd64
# (the names it always had), arm64-VERSION for arm64.
arch_kernels() {
	if [ "$VM_ARCH" = amd64 ]; then echo "${VM_KERNELS[@]}"; else echo "${VM_ARM64_KERNELS[@]}"; fi
}
run_name() {
	if [ "$VM_ARCH" = amd64 ]; then echo "$1"; else echo "$VM_ARCH-$1"; fi
}

# bin_dir: where the daemon and helper for VM_ARCH are (skbtrace,
# tests/skbtrace-testgen): SKBTRACE_VM_BIN if set, else BUILD for amd64
# and for arm64 the cross build in BUILD/arm64, configured and brought up
# to date here so that ctest needs nothing but the README's command.
bin_dir() {
	if [ -n "${SKBTRACE_VM_BIN:-}" ]; then
		(cd "$SKBTRACE_VM_BIN" && pwd)
		return
	fi
	if [ "$VM_ARCH" = amd64 ]; then
		echo "$build"
		return
	fi
	local xbuild=$build/arm64 toolchain=$src/cmake/aarch64-linux-gnu.cmake
	if [ ! -e "$toolchain" ] || ! command -v aarch64-linux-gnu-gcc > /dev/null; then
		echo "run.sh: no arm64 cross build ($toolchain, crossbuild-essential-arm64:" \
			"packaging/deps.sh --test): skipped" >&2
		exit "$SKIP_RC"
	fi
	# Configured every time (cheap once configured): a configure that failed
	# before, say for a library missing then, leaves a cache but no Makefile.
	cmake -S "$src" -B "$xbuild" --toolchain "$toolchain" > "$out/arm64-configure.log" 2>&1 ||
		{ tail -n 30 "$out/arm64-configure.log" >&2; echo "run.sh: configuring the arm64 build failed" >&2; exit 1; }
	cmake --build "$xbuild" -j2 --target skbtrace skbtrace-testgen > "$out/arm64-build.log" 2>&1 ||
		{ tail -n 30 "$out/arm64-build.log" >&2; echo "run.sh: the arm64 build failed" >&2; exit 1; }
	echo "$xbuild"
}

# vm_prepare VERSION: sets vmlinuz and initrd for that kernel, fetching
# the kernel and packing the initramfs as needed.
vmlinuz='' initrd=''
vm_prepare() {
	local v=$1 name
	name=$(run_name "$v")
	[[ " $(arch_kernels) " == *" $v "* ]] || { echo "run.sh: unknown $VM_ARCH kernel $v" >&2; exit 2; }
	if ! command -v "${QEMU[$VM_ARCH]}" > /dev/null || [ ! -x /bin/busybox ]; then
		echo "run.sh: ${QEMU_PKG[$VM_ARCH]} or busybox-static missing (packaging/deps.sh --test): skipped"
		exit "$SKIP_RC"
	fi
	local t0 kdir config comp bin base
	t0=$(date +%s)
	# A missing cross toolchain skips (77) from inside the substitution.
	bin=$(bin_dir) || exit $?
	kdir=$(kernel_fetch "$v")
	config=$(compgen -G "$kdir/boot/config-*")
	# Debian's arm64 vmlinuz (6.1 and 6.12 alike) is the plain Image, not
	# an EFI zboot one (CONFIG_EFI_ZBOOT is off): QEMU loads it as it is.
	vmlinuz=$(compgen -G "$kdir/boot/vmlinuz-*")
	comp=$(initramfs_comp "$config")
	initrd=$out/initrd-$name
	build_part "$bin" "$src" "$comp" "$out/build-$name.cpio"
	if [ "$VM_ARCH" = amd64 ]; then
		base=$(base_part "$comp" "$bin/skbtrace" "$bin/tests/skbtrace-testgen")
	else
		base=$(base_part_foreign "$comp" "$bin/skbtrace" "$bin/tests/skbtrace-testgen")
	fi
	cat "$base" "$(modules_part "$kdir" "$comp")" "$out/build-$name.cpio" > "$initrd"
	echo "# kernel $(basename "$kdir"), initramfs $(du -h "$initrd" | cut -f1) ($comp)," \
		"prepared in $(($(date +%s) - t0))s"
}

# vm_boot CONSOLE APPEND SECONDS: one boot of the prepared kernel, its
# serial console into CONSOLE, stopped after SECONDS, or after
# FIRST_LINE_TIMEOUT if no harness line came by then.  Sets boot_rc (QEMU's
# exit status), boot_secs, boot_first (seconds to the first harness line,
# empty if none came) and boot_cut (why it was stopped, empty if it ended
# by itself).
boot_rc='' boot_secs='' boot_first='' boot_cut=''
vm_boot() {
	local console=$1 append=$2 limit=$3 t0 now
	boot_rc=0 boot_first='' boot_cut=''
	t0=$(date +%s)
	# -accel tcg: KVM guests hang at boot on these machines (MACHINE.md).
	# No disk and no NIC: the tests only need namespaces and loopback.
	local machine=(-cpu "$VM_CPU" -m 1536) tty=ttyS0
	[ "$VM_ARCH" = amd64 ] || machine=(-machine virt -cpu "$VM_ARM64_CPU" -m 1024) tty=ttyAMA0
	timeout "$limit" "${QEMU[$VM_ARCH]}" -accel tcg "${machine[@]}" -smp "$VM_SMP" \
		-nographic -no-reboot -nodefaults -serial stdio -net none \
		-kernel "$vmlinuz" -initrd "$initrd" \
		-append "console=$tty quiet panic=-1 $VM_APPEND $append" \
		< /dev/null > "$console" 2>&1 &
	qemu_pid=$!
	# Any SKBTRACE- line is the harness's (guest-init.sh, run-tests.sh):
	# once one is there, the boot runs to its end or to the time limit.
	while kill -0 "$qemu_pid" 2> /dev/null; do
		now=$(($(date +%s) - t0))
		if grep -q 'SKBTRACE-' "$console"; then
			boot_first=$now
			break
		fi
		if [ "$now" -ge "$FIRST_LINE_TIMEOUT" ]; then
			boot_cut="printed no harness line within ${FIRST_LINE_TIMEOUT}s"
			kill "$qemu_pid" 2> /dev/null || true
			break
		fi
		sleep 0.5
	done
	wait "$qemu_pid" || boot_rc=$?
	qemu_pid=''
	boot_secs=$(($(date +%s) - t0))
	# It may have printed its first line and powered off between two looks.
	if [ -z "$boot_first" ] && [ -z "$boot_cut" ] && grep -q 'SKBTRACE-' "$console"; then
		boot_first=$boot_secs
	fi
	[ "$boot_rc" -ne 124 ] || boot_cut="timed out after ${limit}s"
}

# died_why CONSOLE: one line on how a boot that never reached the harness
# ended, with the console's most telling line: the first Oops, BUG or
# panic line and the first RIP line (the function it died in), else the
# last line it printed.
died_why() {
	local console=$1 text line rip
	# Without timestamps, the terminal's escape codes and QEMU's own word
	# on the signal that vm_boot sent.
	text=$(tr -d '\r' < "$console" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g;
		s/\[ *[0-9]*\.[0-9]*\] //g; s/qemu-system-[a-z0-9_]*: terminating on signal.*//')
	line=$(grep -m1 -o -E '(Oops|BUG:|Kernel panic|general protection|double fault|Internal error).*' <<< "$text" || true)
	# x86_64 names the function in "RIP: ", arm64 in "pc : ".
	rip=$(grep -m1 -o -E '(RIP: |^pc : ).*' <<< "$text" || true)
	[ -z "$line" ] || [ -z "$rip" ] || line="$line, $rip"
	[ -n "$line" ] || line=$(grep -v '^[[:space:]]*$' <<< "$text" | tail -n1 || true)
	echo "${boot_cut:-died after ${boot_secs}s, qemu exit $boot_rc}: ${line:-console empty}"
}

# next_test CONSOLE: the test that was running when the guest died: the
# first tests/integration test after the last one with a result line, or
# nothing if no test had one yet (or the last had).
next_test() {
	local last
	last=$(tr -d '\r' < "$1" | grep -o 'SKBTRACE-RESULT [^ ]*' | tail -n1 | cut -d' ' -f2)
	[ -n "$last" ] || return 0
	# The guest's runner goes through them in the C locale's order.
	find "$src/tests/integration" -maxdepth 1 -name 'test_*.sh' -printf '%f\n' |
		sed 's/\.sh$//' | LC_ALL=C sort |
		awk -v last="$last" 'seen { print; exit } $0 == last { seen = 1 }'
}

# vm_guest CONSOLE APPEND RESULTS [resume]: boots the guest and writes the
# result lines of the run to RESULTS.  A guest that died before its first
# harness line is booted once more.  With "resume", so is one that died
# (QEMU exited, with no SKBTRACE-EXIT line) after its harness had started:
# the second boot runs the test that was running and those after it, and
# RESULTS holds the first boot's result lines, then the second's.  Either
# retry keeps the first console in CONSOLE-without-.log.try1.log and puts a
# SKBTRACE-RETRIED line with the reason first in RESULTS.  Both boots share
# BOOT_TIMEOUT.
vm_guest() {
	local console=$1 append=$2 results=$3 resume=${4:-} try1=${1%.log}.try1.log
	local retried='' from='' t0 left verdict
	t0=$(date +%s)
	rm -f "$try1"
	vm_boot "$console" "$append $VM_FIRST_APPEND" "$BOOT_TIMEOUT"
	left=$((BOOT_TIMEOUT - ($(date +%s) - t0)))
	if [ -z "$boot_first" ] && [ "$left" -gt 0 ]; then
		retried="$(died_why "$console"); first console $(basename "$try1")"
		mv "$console" "$try1"
		echo "# first boot died before the harness ($retried): booting once more"
		vm_boot "$console" "$append" "$left"
	elif [ -n "$resume" ] && [ -z "$boot_cut" ] && [ "$left" -gt 0 ] &&
		! grep -q 'SKBTRACE-EXIT ' "$console"; then
		# TCG has killed guests mid-run too (6.12, once, during
		# test_reload_storm; the same test passed in every boot since).
		# Only a death is resumed, never a failure or a hang, and only
		# once: a second death in the same run fails it.
		from=$(next_test "$console")
		retried="$(died_why "$console") during ${from:-the attach checks}; first console $(basename "$try1")"
		mv "$console" "$try1"
		echo "# the guest died after its harness started ($retried): booting once more${from:+ from $from}"
		vm_boot "$console" "$append${from:+ skbtrace.from=$from}" "$left"
	fi
	{
		[ -z "$retried" ] || echo "SKBTRACE-RETRIED $retried"
		# A line may start with the console's escape codes: match anywhere.
		if [ -n "$from" ]; then
			# grep -v fails when it keeps nothing: a second boot that died early.
			harness_lines "$try1" | grep -v -e '^SKBTRACE-DONE ' -e '^SKBTRACE-EXIT ' || true
			harness_lines "$console" | grep -v -e '^SKBTRACE-KERNEL ' -e '^SKBTRACE-DONE ' || true
		else
			harness_lines "$console"
		fi
	} > "$results"
	# The counts of both boots, once the second has finished.
	if [ -n "$from" ] && grep -q 'SKBTRACE-DONE ' "$console"; then
		local c=()
		for verdict in PASS FAIL NA XFAIL; do
			c+=("$(grep -c "^SKBTRACE-RESULT [^ ]* $verdict " "$results" || true)")
		done
		echo "SKBTRACE-DONE ${c[*]}" >> "$results"
	fi
	echo "SKBTRACE-SECONDS $boot_secs" >> "$results"
}

harness_lines() { tr -d '\r' < "$1" | grep -o 'SKBTRACE-[A-Z]* .*' || true; }

run_vm() {
	local v=$1 t0 name
	name=$(run_name "$v")
	local console=$out/console-$name.log results=$out/results-$name.txt
	t0=$(date +%s)
	vm_prepare "$v"
	local tests=$only
	[ -n "$tests" ] || [ "$VM_ARCH" = amd64 ] || tests=$ARM64_TESTS
	vm_guest "$console" "${tests:+skbtrace.only=$tests}" "$results" resume
	if [ -e "${console%.log}.try1.log" ]; then
		echo "# first boot's console (${console%.log}.try1.log), last 20 lines:"
		tr -d '\r' < "${console%.log}.try1.log" | tail -n 20
		echo "# second boot's console:"
	fi
	tr -d '\r' < "$console" | grep -v '^SKBTRACE-' || true
	echo "# guest ran for ${boot_secs}s (qemu exit $boot_rc${boot_cut:+, $boot_cut})," \
		"total $(($(date +%s) - t0))s"
	cat "$results"
	if ! grep -q '^SKBTRACE-DONE ' "$results"; then
		# The tail of the log is what a CI summary keeps: the end of the guest goes last.
		echo "# the guest ended before its last test: $(died_why "$console")"
		echo "# its console's last 40 lines:"
		tr -d '\r' < "$console" | tail -n 40
	fi
	results_ok "$results"
}

# run_boots VERSION N: the boot-loop check.  Each boot stops right after
# the harness's first line (skbtrace.bootcheck=1: /init loads the modules,
# run-tests.sh prints SKBTRACE-KERNEL and stops, /init powers off), with
# the same retry as a real run.  A boot is ok, retried (its first boot
# died before the harness, the second went through) or failed.
run_boots() {
	local v=$1 n=$2 i t verdict
	local dir
	dir=$out/boots-$(run_name "$v")
	local ok=0 retried=0 failed=0 secs=() firsts=()
	vm_prepare "$v"
	rm -rf "$dir"
	mkdir -p "$dir"
	for ((i = 1; i <= n; i++)); do
		t=$(date +%s)
		vm_guest "$dir/console-$i.log" skbtrace.bootcheck=1 "$dir/results-$i.txt" > /dev/null
		secs+=("$(($(date +%s) - t))")
		if [ -z "$boot_first" ] && [ -e "$dir/console-$i.try1.log" ]; then
			verdict="failed (the retry too: $(died_why "$dir/console-$i.log"))"
			failed=$((failed + 1))
		elif [ -z "$boot_first" ]; then
			verdict="failed (no time left for a retry: $(died_why "$dir/console-$i.log"))"
			failed=$((failed + 1))
		elif ! grep -q '^SKBTRACE-KERNEL ' "$dir/results-$i.txt" ||
			! grep -qx 'SKBTRACE-EXIT 0' "$dir/results-$i.txt" || [ "$boot_rc" -ne 0 ]; then
			verdict="failed (after the harness started: qemu exit $boot_rc${boot_cut:+, $boot_cut})"
			failed=$((failed + 1))
		elif grep -q '^SKBTRACE-RETRIED ' "$dir/results-$i.txt"; then
			verdict="retried ($(sed -n 's/^SKBTRACE-RETRIED //p' "$dir/results-$i.txt"))"
			retried=$((retried + 1))
		else
			verdict=ok
			ok=$((ok + 1))
		fi
		[ -z "$boot_first" ] || firsts+=("$boot_first")
		echo "boot $i/$n $(run_name "$v"): $verdict, ${secs[-1]}s, harness line at ${boot_first:-never}${boot_first:+s}," \
			"console $dir/console-$i.log"
	done
	echo "SKBTRACE-BOOTS $(run_name "$v") boots=$n ok=$ok retried=$retried failed=$failed" \
		"seconds-per-boot=$(min_med_max "${secs[@]}")" \
		"first-harness-line-seconds=$(min_med_max "${firsts[@]}")"
	[ "$failed" -eq 0 ]
}

# min_med_max NUMBER...: "min/median/max", or "-" for none.
min_med_max() {
	[ $# -gt 0 ] || { echo -; return; }
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[1] "/" v[int((NR + 1) / 2)] "/" v[NR] }'
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
	# The integration/* ctest tests own the host's verdict; this run only
	# fills the matrix, so it fails only when the runner itself broke.
	results_ok "$out/results-host.txt" ||
		grep -q '^SKBTRACE-DONE ' "$out/results-host.txt"
}

case $mode in
vm) run_vm "$kernel" ;;
boots) run_boots "$kernel" "$boots" ;;
host) run_host ;;
matrix)
	{
		sed -n 's/^#@ \{0,1\}//p' "$0"
		echo "Generated by \`tests/vm/run.sh --matrix\` on $(date -u +%Y-%m-%d) from a real run."
		echo
		matrix_markdown "$out" host "${VM_KERNELS[@]}" "${VM_ARM64_KERNELS[@]/#/arm64-}"
	} > "$out/kernel-matrix.md"
	cat "$out/kernel-matrix.md"
	[ -z "$doc" ] || cp "$out/kernel-matrix.md" "$doc"
	;;
esac

# Head of docs/kernel-matrix.md (the lines starting with "#@").
#@ # Kernel support matrix
#@
#@ Which attach method each probe chooses with `"attach": "auto"` (and the
#@ default stacks mode), and how the integration tests
#@ (`tests/integration/test_*.sh`) fare, on the development host and on
#@ Debian's stock cloud kernels booted under QEMU, x86_64 and arm64
#@ (`ctest --test-dir build -L vm`; harness in `tests/vm/`).  The arm64
#@ guests run the exactness, attach-method and address-leak tests only
#@ (CI's time budget; tests/vm/README.md): `-` there means not run.  NA means the
#@ test cannot apply there, with the reason.  Kernels without drop reasons
#@ (before 5.17) report reason `unknown`: the drop tests then count by
#@ netns and drop location instead, as exactly.  Wall time is the guest's
#@ whole run, boot to power-off, under TCG on two cores.
#@ `test_drop_attach_methods` forces each of the drop probe's methods
#@ (tp_btf, raw_tp, tracepoint) in turn, and checks that `auto` picks the
#@ classic tracepoint when stacks are exact and unfiltered: a PASS there
#@ means all three attach, count exactly and give the same stable stack id
#@ on that kernel.  arm64 before 6.4 has no ftrace direct calls, so its
#@ kernel refuses fentry on a traced function (ENOTSUPP): `auto` takes
#@ kprobe there, and `test_reset_attach_methods` checks that it does.
#@
#@ A guest that dies before its first harness line (a TCG boot flake, such
#@ as 6.12's `Oops: int3` in `sched_clock_cpu`) is booted once more; the
#@ table then has a `boot retried` row with how the first boot ended.  A
#@ failure after the harness started is never retried.  `tests/vm/run.sh
#@ --kernel V --boots N` measures how often that happens (tests/vm/README.md).
#@
#@ The `netfilter` probe (off in the shipped config) has no tracepoint
#@ method: it attaches with `fentry` (fexit of `nft_do_chain`) or `kprobe`,
#@ both reading nf_tables' types from its module BTF (5.11 and later), and
#@ only once nf_tables is loaded. Where neither works it stays unattached and the
#@ daemon runs on: on the 6.18 host (no fexit, no kprobes), where
#@ `test_netfilter_unattached` checks that and `test_netfilter_chains` is NA;
#@ on 5.10, without module BTF, CO-RE cannot find nf_tables' types.
#@ Before 6.8 the verdict NF_DROP comes before the free in `nf_hook_slow`;
#@ from 6.8 `nft_do_chain` frees the packet and returns NF_STOLEN; the probe
#@ counts both (docs/netfilter-probe.md). On 2026-12-07 `test_netfilter_chains`
#@ passed on 6.1 (17 s) and 6.12 (21 s) with fentry and with kprobe forced,
#@ and was NA on 5.10 (no BTF for nf_tables), where `test_netfilter_unattached`
#@ passed, and on the host.
#@
