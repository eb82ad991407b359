# The debug info of the VM stage's stock kernels: Debian's
# linux-image-<release>-dbg, the same release as the guest boots, with only
# the files the tests read unpacked into the cache (vmlinux alone is 590 MB).
# shellcheck shell=bash
# shellcheck source=kernels.sh
source "$(dirname "${BASH_SOURCE[0]}")/kernels.sh"

# The module debug files the tests resolve lines in.
DEBUGINFO_MODULES=(net/netfilter/nf_tables.ko net/netfilter/nf_conntrack.ko)

# kernel_dbg_fetch VERSION: prints the directory whose usr/lib/debug holds
# vmlinux and DEBUGINFO_MODULES of that kernel, downloading (about 280 MB,
# kept in the cache's debs/) and unpacking only what the cache lacks.
kernel_dbg_fetch() {
	local v=$1 pkg dbg dir debs=$VM_CACHE/debs
	vm_apt_update || echo "apt-get update failed, using the cached index" >&2
	pkg=$(kernel_package "$v") || true
	[ -n "$pkg" ] || { echo "no package for kernel $v in ${KERNEL_SUITE[$v]}" >&2; return 1; }
	dbg=${pkg%-unsigned}-dbg
	dir=$VM_CACHE/debug/$dbg
	mkdir -p "$VM_CACHE/debug" "$debs"
	# Two tests (or the VM stage) may want it at once: one fetch.
	(
		flock 9
		[ -e "$dir/.complete" ] && exit 0
		if ! compgen -G "$debs/${dbg}_*.deb" > /dev/null; then
			(cd "$debs" && vm_apt download "$dbg" >&2) || exit 1
		fi
		rm -rf "$dir"
		mkdir -p "$dir"
		local patterns=('./usr/lib/debug/boot/vmlinux-*')
		local m
		for m in "${DEBUGINFO_MODULES[@]}"; do
			patterns+=("./usr/lib/debug/lib/modules/*/kernel/$m")
		done
		dpkg-deb --fsys-tarfile "$(compgen -G "$debs/${dbg}_*.deb" | sort -V | tail -n1)" |
			tar -x -C "$dir" --wildcards "${patterns[@]}" || exit 1
		touch "$dir/.complete"
	) 9> "$VM_CACHE/debug/.lock" || return 1
	echo "$dir"
}
