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

kdir=$(kernel_fetch "$version") || fail "cannot fetch kernel $version"
vmlinuz=$(compgen -G "$kdir/boot/vmlinuz-*") || fail "no vmlinuz in $kdir"

# The compressed ELF vmlinux starts at the first frame magic of the
# kernel's compression; the decompressor stops at the end of the frame and
# may complain of what follows.  Debian's cloud kernels: LZ4 (5.10, 6.1),
# zstd (6.12).
case $(grep -oE '^CONFIG_KERNEL_(LZ4|ZSTD|XZ|GZIP|LZMA|LZO|BZIP2)=y' "$kdir"/boot/config-*) in
CONFIG_KERNEL_LZ4=y) magic='\x02\x21\x4c\x18' unpack="lz4 -dc" ;;
CONFIG_KERNEL_ZSTD=y) magic='\x28\xb5\x2f\xfd' unpack="zstd -dcq" ;;
CONFIG_KERNEL_XZ=y) magic='\xfd\x37\x7a\x58\x5a\x00' unpack="xz -dcq" ;;
CONFIG_KERNEL_GZIP=y) magic='\x1f\x8b\x08' unpack="gzip -dcq" ;;
*) fail "$(basename "$vmlinuz"): unknown compression, extend the extraction" ;;
esac
command -v "${unpack%% *}" > /dev/null || fail "${unpack%% *} is missing: run packaging/deps.sh --test"
offset=$(LC_ALL=C grep -abo -m1 -P "$magic" "$vmlinuz" | cut -d: -f1)
[ -n "$offset" ] || fail "no ${unpack%% *} frame in $vmlinuz"
tail -c +$((offset + 1)) "$vmlinuz" | $unpack > "$TMP/vmlinux" 2> /dev/null || true
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
