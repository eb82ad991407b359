#!/usr/bin/env bash
# The BPF programs compile against an older kernel's types, not only
# against the vendored (recent) vmlinux.h: what older kernels lack is
# declared as CO-RE flavours (bpf/lib/compat.bpf.h).  The types come from
# the BTF inside the stock Debian kernel the VM stage boots, and the
# project's own build rules compile every program (SKBTRACE_VMLINUX_BTF).
#   test_bpf_older_kernel_types.sh --kernel 5.10|6.1|6.12
source "$(dirname "$0")/lib.sh"
# shellcheck source=../vm/lib/kernels.sh
source "$SRCDIR/tests/vm/lib/kernels.sh"

[ "${1:-}" = --kernel ] && [ -n "${2:-}" ] || fail "usage: $0 --kernel VERSION"
version=$2
command -v lz4 > /dev/null || fail "lz4 is missing: run packaging/deps.sh --test"

kdir=$(kernel_fetch "$version") || fail "cannot fetch kernel $version"
vmlinuz=$(compgen -G "$kdir/boot/vmlinuz-*") || fail "no vmlinuz in $kdir"
grep -q '^CONFIG_KERNEL_LZ4=y' "$kdir"/boot/config-* ||
	fail "$(basename "$vmlinuz") is not LZ4-compressed: extend the extraction"

# The compressed ELF vmlinux starts at the first LZ4 legacy-frame magic;
# lz4 stops at the end of the frame and may complain of what follows.
offset=$(grep -abo -m1 -P '\x02\x21\x4c\x18' "$vmlinuz" | cut -d: -f1)
[ -n "$offset" ] || fail "no LZ4 frame in $vmlinuz"
tail -c +$((offset + 1)) "$vmlinuz" | lz4 -dc > "$TMP/vmlinux" 2> /dev/null || true
[ "$(head -c 4 "$TMP/vmlinux" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] ||
	fail "no ELF image in $vmlinuz at offset $offset"
log "types of $(basename "$vmlinuz"), from its .BTF section"

clean_copy "$TMP/src"
cmake -S "$TMP/src" -B "$TMP/build" -DSKBTRACE_VMLINUX_BTF="$TMP/vmlinux" \
	> "$TMP/configure.log" || { cat "$TMP/configure.log" >&2; fail "cmake failed"; }
if ! cmake --build "$TMP/build" --target bpf_skeletons bench_skeletons -j"$(nproc)" \
	> "$TMP/build.log" 2>&1; then
	grep -E 'error|Error' "$TMP/build.log" | head -n 20 >&2
	fail "the BPF programs do not compile against the types of $version"
fi
for probe in drop reset conntrack; do
	[ -s "$TMP/build/bpf/$probe.skel.h" ] || fail "no $probe skeleton"
done
echo "PASS: $TEST_NAME: every BPF program compiles against the types of $version"
