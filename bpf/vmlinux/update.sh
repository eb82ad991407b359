#!/bin/sh
# Regenerates the vendored bpf/vmlinux/<arch>/vmlinux.h from a kernel's BTF.
#   bpf/vmlinux/update.sh ARCH [BTF]      (BTF: default /sys/kernel/btf/vmlinux)
# The header only names types for CO-RE: the offsets are relocated against
# the running kernel's BTF at load time, so one header serves every kernel.
# Take a recent kernel (it knows the newest fields); what older kernels lack
# is declared as CO-RE flavours in bpf/lib/compat.bpf.h, not taken from here.
# A vmlinux image works as BTF too (bpftool reads its .BTF section).
set -eu

arch=${1:?usage: update.sh ARCH [BTF]}
btf=${2:-/sys/kernel/btf/vmlinux}
dir=$(dirname "$0")/$arch
mkdir -p "$dir"
release=$(uname -r)
[ "$btf" = /sys/kernel/btf/vmlinux ] || release="from $(basename "$btf")"
{
	echo "/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */"
	echo "/*"
	echo " * Kernel types for the BPF programs (CO-RE), $arch, generated from the BTF"
	echo " * of Linux $release by $(bpftool version | head -n1)."
	echo " * Do not edit: regenerate with bpf/vmlinux/update.sh $arch [BTF]."
	echo " */"
	bpftool btf dump file "$btf" format c
} > "$dir/vmlinux.h.tmp"
mv "$dir/vmlinux.h.tmp" "$dir/vmlinux.h"
echo "wrote $dir/vmlinux.h"
