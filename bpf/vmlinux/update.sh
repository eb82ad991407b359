#!/bin/sh
# Regenerates the vendored bpf/vmlinux/<arch>/vmlinux.h from a kernel's BTF.
#   bpf/vmlinux/update.sh ARCH [FILE]
#   bpf/vmlinux/update.sh ARCH --debian SUITE
# ARCH is the kernel's name for the architecture, as libbpf's bpf_tracing.h
# spells it (x86, arm64).  FILE is raw BTF (default /sys/kernel/btf/vmlinux,
# the running kernel's), an ELF vmlinux (bpftool reads its .BTF section) or
# a kernel image (boot/vmlinuz-*) that holds the BTF.  --debian takes the
# newest cloud kernel of ARCH in SUITE (bookworm, bookworm-backports) from
# the Debian archive the machine's apt uses, through a private apt setup, so
# no machine of that architecture is needed:
#   bpf/vmlinux/update.sh arm64 --debian bookworm-backports
#   bpf/vmlinux/update.sh x86                 (on an x86_64 machine)
# The header only names types for CO-RE: the offsets are relocated against
# the running kernel's BTF at load time, so one header serves every kernel.
# Take a recent kernel (it knows the newest fields); what older kernels lack
# is declared as CO-RE flavours in bpf/lib/compat.bpf.h, not taken from here.
set -eu

usage() {
	echo "usage: update.sh ARCH [BTF|VMLINUX|VMLINUZ] | update.sh ARCH --debian SUITE" >&2
	exit 2
}
arch=${1:-}
[ -n "$arch" ] || usage
dir=$(cd "$(dirname "$0")" && pwd)/$arch
work=$(mktemp -d /tmp/skbtrace-vmlinux.XXXXXX)
trap 'rm -rf "$work"' EXIT

# debian_kernel SUITE: downloads and unpacks the newest linux-image-*-cloud-*
# of ARCH in SUITE into $work/kernel and prints the package's name and
# version.  apt's sources, lists and caches are private to $work: the
# machine's apt setup, and the architectures dpkg knows, stay untouched.
debian_kernel() {
	suite=$1
	case $arch in
	x86) darch=amd64 ;;
	arm64) darch=arm64 ;;
	*) echo "update.sh: no Debian architecture known for $arch" >&2; exit 2 ;;
	esac
	mirror=$(awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }' \
		/etc/apt/sources.list.d/debian.sources 2> /dev/null || true)
	[ -n "$mirror" ] || mirror=$(awk '/^deb / && $0 !~ /security/ { print $2; exit }' \
		/etc/apt/sources.list 2> /dev/null || true)
	mkdir -p "$work/apt/lists/partial" "$work/apt/archives/partial"
	echo "deb [arch=$darch] ${mirror:-http://deb.debian.org/debian} $suite main" > "$work/apt/sources.list"
	set -- -q -o Dir::Etc::SourceList="$work/apt/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$work/apt/lists" \
		-o Dir::Cache::Archives="$work/apt/archives" -o Dir::State::Status=/dev/null \
		-o APT::Architecture="$darch" -o APT::Architectures="$darch"
	apt-get "$@" update >&2
	if ! ls "$work"/apt/lists/*_binary-"${darch}"_Packages* > /dev/null 2>&1; then
		echo "update.sh: apt-get update got no $darch index of $suite from $mirror" >&2
		exit 1
	fi
	# The ABI number moves with every point release: take the newest; the
	# -unsigned image (same kernel, no signature) where both exist.
	pkg=$(/usr/lib/apt/apt-helper cat-file "$work"/apt/lists/*_binary-"${darch}"_Packages* |
		sed -n 's/^Package: //p' | grep -E "^linux-image-[0-9][^ ]*-cloud-$darch(-unsigned)?\$" |
		sort -V | tail -n1)
	[ -n "$pkg" ] || { echo "update.sh: no cloud kernel for $darch in $suite" >&2; exit 1; }
	(cd "$work" && apt-get "$@" download "$pkg:$darch" >&2)
	deb=$(ls "$work"/"${pkg}"_*.deb)
	dpkg-deb -x "$deb" "$work/kernel"
	echo "$pkg $(dpkg-deb -f "$deb" Version)"
}

# raw_btf IMAGE OUT: the kernel's BTF blob from a kernel image.  An arm64
# Image is the kernel's memory image, not an ELF file: its .BTF section is
# there as is, starting with the BTF header (magic 0xeb9f, version 1, 24
# bytes long).  Types then strings follow the header (how pahole lays them
# out), which gives the blob's length.  For Debian's arm64 6.1 and 6.12
# cloud kernels the blob is byte for byte the booted kernel's
# /sys/kernel/btf/vmlinux (same sha256, checked under qemu-system-aarch64).
# Compressed images (x86's bzImage, a gzip'd Image) are unpacked first.
raw_btf() {
	img=$1 out=$2
	case $(od -An -tx1 -N4 "$img" | tr -d ' \n') in
	1f8b08*) gzip -dc "$img" > "$work/image"; img=$work/image ;;
	esac
	# shellcheck disable=SC2013 # byte offsets, one word each
	for off in $(LC_ALL=C grep -obUaP '\x9f\xeb\x01\x00\x18\x00\x00\x00' "$img" | cut -d: -f1); do
		# shellcheck disable=SC2046
		set -- $(od -An -tu4 -j "$off" -N 24 "$img")
		if [ "$#" -ne 6 ] || [ "$3" -ne 0 ] || [ "$5" -ne "$4" ]; then
			continue
		fi
		tail -c +$((off + 1)) "$img" | head -c $((24 + $5 + $6)) > "$out"
		bpftool btf dump file "$out" > /dev/null 2>&1 && return 0
	done
	# bzImage: the ELF vmlinux is compressed; unpack from the first frame.
	for m in '\x02\x21\x4c\x18:lz4 -dc' '\x28\xb5\x2f\xfd:zstd -dcq' \
		'\xfd\x37\x7a\x58\x5a\x00:xz -dcq' '\x1f\x8b\x08:gzip -dcq'; do
		unpack=${m#*:}
		off=$(LC_ALL=C grep -obUaP -m1 "${m%%:*}" "$img" | head -n1 | cut -d: -f1)
		[ -n "$off" ] || continue
		command -v "${unpack%% *}" > /dev/null || { echo "update.sh: needs ${unpack%% *}" >&2; continue; }
		# The decompressor stops at the end of the frame and may complain of what follows.
		tail -c +$((off + 1)) "$img" | $unpack > "$out" 2> /dev/null || true
		[ "$(od -An -tx1 -N4 "$out" | tr -d ' \n')" = 7f454c46 ] && return 0
	done
	echo "update.sh: found no BTF in $1" >&2
	return 1
}

if [ "${2:-}" = --debian ]; then
	[ -n "${3:-}" ] || usage
	kernel=$(debian_kernel "$3")
	# shellcheck disable=SC2086 # the package's name and version
	set -- $kernel
	release=$(basename "$(ls -d "$work"/kernel/lib/modules/*)")
	from="Linux $release (Debian's $1 $2)"
	raw_btf "$work/kernel/boot/vmlinuz-$release" "$work/btf"
	btf=$work/btf
else
	btf=${2:-/sys/kernel/btf/vmlinux}
	if [ "$btf" = /sys/kernel/btf/vmlinux ]; then
		from="Linux $(uname -r)"
	else
		from=$(basename "$btf")
		case $(od -An -tx1 -N4 "$btf" | tr -d ' \n') in
		9feb01* | 7f454c46) ;;
		*)
			raw_btf "$btf" "$work/btf" || exit 1
			btf=$work/btf
			;;
		esac
	fi
fi

mkdir -p "$dir"
{
	echo "/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */"
	echo "/*"
	echo " * Kernel types for the BPF programs (CO-RE), $arch, generated from the BTF"
	echo " * of $from"
	echo " * by $(bpftool version | head -n1)."
	echo " * Do not edit: regenerate with bpf/vmlinux/update.sh (see its header)."
	echo " */"
	bpftool btf dump file "$btf" format c
} > "$dir/vmlinux.h.tmp"
mv "$dir/vmlinux.h.tmp" "$dir/vmlinux.h"
echo "wrote $dir/vmlinux.h"
