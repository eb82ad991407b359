# Builds the guest's initramfs from three parts, each a compressed newc
# cpio archive; the kernel unpacks concatenated archives in order, so the
# slow-changing parts are cached and only the build outputs are packed on
# every run:
#   base     busybox and the userland the tests call, with their libraries
#   modules  one kernel's modules the tests need, decompressed, in load order
#   build    the daemon, the test helper, the tests and /init
# shellcheck shell=bash

# Real binaries where busybox's applets differ or are missing (ip netns,
# nft, curl, nstat, ss, setpriv, bash, strace, bpftool's BTF dump, jq);
# busybox provides the rest at boot.  promtool is 48 MB (12 MB packed, a
# second to unpack): cheaper than making the tests that check the
# exposition with it skip that check in the guests.
VM_TOOLS=(bash ip nft tc curl nstat ss setpriv strace bpftool jq promtool)

# Modules the tests' nft rulesets and namespaces need, by name; what is
# built in or absent on a kernel is skipped (nft_counter is a module only
# before 6.0, the reject and conntrack pieces are modules everywhere).
VM_MODULES=(veth nf_tables nft_counter nft_ct nf_conntrack nft_reject_inet
	nft_reject_ipv4 nft_reject_ipv6 nft_limit nft_log nft_nat nft_chain_nat
	nft_masq nft_fib_inet sch_prio sch_netem)

# A newc archive of directory $1, compressed with $2, into file $3; the
# parts packed on every run ask for speed ($4 = fast) over size.
pack_dir() {
	local dir=$1 comp=$2 out=$3 level=19
	[ "${4:-}" != fast ] || level=3
	(cd "$dir" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
		cpio --null --create --format=newc --owner=0:0 --quiet) |
		case $comp in
		zstd) zstd -q -"$level" -T2 ;;
		*) gzip -"$((level > 9 ? 9 : level))"n ;;
		esac > "$out.tmp"
	mv "$out.tmp" "$out"
}

# copy_libs ROOT FILE: every shared library FILE needs (the dynamic loader
# included) at the same path under ROOT.
copy_libs() {
	local root=$1 f=$2 lib
	while read -r lib; do
		[ -e "$root$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
	done < <(ldd "$f" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
}

copy_elf() {
	install -D -m 0755 "$2" "$1$2"
	copy_libs "$1" "$2"
}

# The compressor this kernel unpacks: zstd is smaller and faster to unpack
# under TCG, gzip every kernel since forever understands.
initramfs_comp() {
	local config=$1
	if grep -qx 'CONFIG_RD_ZSTD=y' "$config" && command -v zstd > /dev/null; then
		echo zstd
	else
		echo gzip
	fi
}

# pack_base ROOT COMP OUT: the files every guest userland needs, then the
# base archive of ROOT (either architecture's).
pack_base() {
	echo 'root:x:0:0:root:/root:/bin/sh' > "$1/etc/passwd"
	echo 'nogroup:x:65534:' > "$1/etc/group"
	printf '127.0.0.1 localhost\n' > "$1/etc/hosts"
	mkdir -p "$(dirname "$3")"
	pack_dir "$1" "$2" "$3"
}

# base_part COMP [ELF ...]: the cached base archive, with the libraries the
# given ELF files (the daemon, the helper) need but not the files: those
# change with every build, their libraries rarely.  The key covers the
# tools' and libraries' identities, so a package upgrade rebuilds it.
base_part() {
	local comp=$1 key paths=() t
	shift
	local extra=("$@")
	for t in "${VM_TOOLS[@]}"; do
		paths+=("$(command -v "$t")") || { echo "missing tool $t" >&2; return 1; }
	done
	paths+=(/bin/busybox)
	# The extra ELFs' libraries are in the key, the ELFs not: a daemon that
	# links a new library (libcurl, libdw) gets a base that has it.
	key=$( ({ for t in "${paths[@]}"; do
		ldd "$t" 2>/dev/null | awk '$3 ~ /^\// { print $3 }'
		echo "$t"
	done
		for t in "${extra[@]}"; do
			ldd "$t" 2>/dev/null | awk '$3 ~ /^\// { print $3 }'
		done; } | sort -u | xargs stat -L -c '%n %s %Y'
		declare -f copy_libs pack_dir
		echo "${VM_TOOLS[*]}") | sha256sum | cut -c1-16)
	local out=$VM_CACHE/initramfs/base-$key.cpio.$comp
	if [ ! -e "$out" ]; then
		local root
		root=$(mktemp -d)
		mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib,proc,sys,dev,run,tmp,etc,root}
		mkdir -p "$root/var" && ln -s ../run "$root/var/run"
		install -m 0755 /bin/busybox "$root/bin/busybox"
		# For the scripts' "#!/usr/bin/env bash" before /init installs applets.
		ln -s /bin/busybox "$root/usr/bin/env"
		for t in "${paths[@]}"; do
			[ "$t" = /bin/busybox ] || copy_elf "$root" "$t"
		done
		for t in "${extra[@]}"; do
			copy_libs "$root" "$t"
		done
		pack_base "$root" "$comp" "$out"
		rm -rf "$root"
	fi
	echo "$out"
}

# modules_part KERNELDIR COMP: that kernel's modules the tests need with
# everything they depend on (modules.dep), decompressed so busybox insmod
# loads them, and /etc/modules.load listing them dependencies first.
modules_part() {
	local kdir=$1 comp=$2 kver
	kver=$(basename "$(compgen -G "$kdir/lib/modules/*" | head -n1)")
	local out
	out=$VM_CACHE/initramfs/modules-$kver-$(echo "${VM_MODULES[*]}" | sha256sum | cut -c1-8).cpio.$comp
	if [ ! -e "$out" ]; then
		local mdir=$kdir/lib/modules/$kver root
		[ -s "$mdir/modules.dep" ] || { echo "no $mdir/modules.dep" >&2; return 1; }
		root=$(mktemp -d)
		mkdir -p "$root/lib/modules/$kver" "$root/etc"
		# modules.dep lines: "path: dep1 dep2 ..." with deps listed so that
		# each depends only on later ones; load in reverse, skip repeats.
		local m line f order=()
		declare -A seen=()
		for m in "${VM_MODULES[@]}"; do
			line=$(grep -E "(^|/)${m}\.ko(\.[a-z]+)?:" "$mdir/modules.dep" || true)
			[ -n "$line" ] || continue
			local deps
			read -ra deps <<< "${line/:/}"
			for ((i = ${#deps[@]} - 1; i >= 0; i--)); do
				f=${deps[i]}
				[ -z "${seen[$f]:-}" ] || continue
				seen[$f]=1
				order+=("$f")
			done
		done
		local dst
		for f in "${order[@]}"; do
			dst=$root/lib/modules/$kver/$(basename "${f%.ko*}").ko
			case $f in
			*.xz) xz -dc "$mdir/$f" > "$dst" ;;
			*.zst) zstd -qdc "$mdir/$f" > "$dst" ;;
			*.gz) gzip -dc "$mdir/$f" > "$dst" ;;
			*) cp "$mdir/$f" "$dst" ;;
			esac
			echo "/lib/modules/$kver/$(basename "$dst")" >> "$root/etc/modules.load"
		done
		mkdir -p "$(dirname "$out")"
		pack_dir "$root" "$comp" "$out"
		rm -rf "$root"
	fi
	echo "$out"
}

# build_part BUILDDIR SRCDIR COMP OUT: the daemon and helper (their
# libraries are in the base), the integration tests and /init.
build_part() {
	local build=$1 src=$2 comp=$3 out=$4 root
	root=$(mktemp -d)
	mkdir -p "$root/skbtrace/tests" "$root/skbtrace/daemon"
	install -m 0755 "$build/skbtrace" "$build/tests/skbtrace-testgen" "$root/skbtrace/"
	# SRCDIR in the guest: what the tests and the runner read from it.
	cp -r "$src/tests/integration" "$src/tests/vm" "$src/tests/configs" "$root/skbtrace/tests/"
	cp -r "$src/config" "$root/skbtrace/"
	cp -r "$src/daemon/probes" "$root/skbtrace/daemon/"
	install -m 0755 "$src/tests/vm/guest-init.sh" "$root/init"
	pack_dir "$root" "$comp" "$out" fast
	rm -rf "$root"
}

# --- A foreign architecture's userland (run.sh --arch arm64) ---------------
# The host's tools and libraries are x86_64: the same tools come from the
# archive as VM_ARCH .debs (vm_apt, cached in VM_CACHE/debs-ARCH), unpacked
# into a scratch sysroot, and each ELF takes its libraries from there by
# its DT_NEEDED entries, as ld.so would.  Which packages: those that hold
# the tools and their libraries on the host, the same Debian release.

# host_pkgs PATH...: the packages that hold those paths on the host, in
# one dpkg call (usrmerge moves files between /lib and /usr/lib; dpkg
# knows the packaged path, so both spellings are asked).
host_pkgs() {
	local p args=()
	for p in "$@"; do
		args+=("$p" "/usr${p#/usr}" "${p#/usr}")
	done
	# dpkg fails for the spellings it does not know: only its output counts.
	{ dpkg -S "${args[@]}" 2> /dev/null || true; } | sed -n 's/^\([^:,]*\)[:,].*/\1/p' | sort -u
}

# foreign_tuple: the multiarch directory of VM_ARCH's libraries.
foreign_tuple() { dpkg-architecture -a "$VM_ARCH" -qDEB_HOST_MULTIARCH 2> /dev/null; }

# needed ELF: its DT_NEEDED sonames, read without running it.
needed() { readelf -d "$1" 2> /dev/null | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'; }

# foreign_packages ELF...: the packages of the tools, of the libraries the
# host's tools load, and of the host's copies of the libraries the given
# foreign ELFs (the cross-built daemon and helper) need.
foreign_packages() {
	local t p lib paths=()
	for t in "${VM_TOOLS[@]}"; do
		p=$(readlink -f "$(command -v "$t")") || { echo "missing tool $t" >&2; return 1; }
		paths+=("$p")
		mapfile -t -O "${#paths[@]}" paths < <(ldd "$p" 2> /dev/null | awk '$3 ~ /^\// { print $3 }')
	done
	for t in "$@"; do
		for lib in $(needed "$t"); do
			p=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64/ && !p { print $NF; p = 1 }')
			[ -n "$p" ] || continue
			# What that library loads in turn, by the host copy's ldd.
			paths+=("$p")
			mapfile -t -O "${#paths[@]}" paths < <(ldd "$p" 2> /dev/null | awk '$3 ~ /^\// { print $3 }')
		done
	done
	{ echo busybox-static; host_pkgs "${paths[@]}"; } | sort -u
}

# foreign_debs PACKAGE...: the cached VM_ARCH .deb of each, downloading
# the missing ones; prints their paths.
foreign_debs() {
	local debs=$VM_CACHE/debs-$VM_ARCH p missing=()
	mkdir -p "$debs"
	for p in "$@"; do
		compgen -G "$debs/${p}_*.deb" > /dev/null || missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		vm_apt_update || echo "run.sh: apt-get update failed, using the cached index" >&2
		(cd "$debs" && vm_apt download "${missing[@]/%/:$VM_ARCH}" >&2) || return 1
	fi
	for p in "$@"; do
		compgen -G "$debs/${p}_*.deb" | sort -V | tail -n1
	done
}

# sysroot_path SYSROOT PATH: PATH inside SYSROOT with its symlinks
# followed inside SYSROOT (an absolute link means SYSROOT's root).
sysroot_path() {
	local root=$1 p=$2 l
	for _ in 1 2 3 4 5 6 7 8; do
		[ -L "$root$p" ] || break
		l=$(readlink "$root$p")
		case $l in
		/*) p=$l ;;
		*) p=$(dirname "$p")/$l ;;
		esac
	done
	[ -e "$root$p" ] && [ ! -L "$root$p" ] && echo "$root$p"
}

# copy_libs_foreign ROOT SYSROOT FILE: the interpreter and every library
# FILE needs, recursively, from SYSROOT (else the host's multiarch copies
# that the cross build linked against), into ROOT's multiarch directory.
copy_libs_foreign() {
	local root=$1 sysroot=$2 f=$3 tuple interp lib dir found
	tuple=$(foreign_tuple)
	interp=$(readelf -l "$f" 2> /dev/null | sed -n 's/.*program interpreter: \(.*\)]$/\1/p')
	if [ -n "$interp" ] && [ ! -e "$root$interp" ]; then
		found=$(sysroot_path "$sysroot" "$interp") || { echo "no $interp in the $VM_ARCH packages" >&2; return 1; }
		install -D -m 0755 "$found" "$root$interp"
	fi
	for lib in $(needed "$f"); do
		[ ! -e "$root/usr/lib/$tuple/$lib" ] || continue
		found=''
		for dir in "/lib/$tuple" "/usr/lib/$tuple"; do
			found=$(sysroot_path "$sysroot" "$dir/$lib") && break
			found=$(sysroot_path / "$dir/$lib") && break
		done
		[ -n "$found" ] || { echo "no $VM_ARCH $lib (for $(basename "$f"))" >&2; return 1; }
		install -D -m 0755 "$found" "$root/usr/lib/$tuple/$lib"
		copy_libs_foreign "$root" "$sysroot" "$root/usr/lib/$tuple/$lib" || return 1
	done
}

# base_part_foreign COMP [ELF ...]: base_part for VM_ARCH.  The key covers
# the .debs (name and version) and the libraries the ELFs ask for.
base_part_foreign() {
	local comp=$1 key t debs=() pkgs
	shift
	local extra=("$@")
	pkgs=$(foreign_packages "${extra[@]}") || return 1
	# shellcheck disable=SC2086 # one package name per word
	mapfile -t debs < <(foreign_debs $pkgs) || return 1
	key=$( (printf '%s\n' "${debs[@]##*/}"
		for t in "${extra[@]}"; do needed "$t"; done
		declare -f base_part_foreign copy_libs_foreign sysroot_path pack_dir
		echo "${VM_TOOLS[*]}") | sha256sum | cut -c1-16)
	local out=$VM_CACHE/initramfs/base-$VM_ARCH-$key.cpio.$comp
	if [ ! -e "$out" ]; then
		local root sysroot d p f
		root=$(mktemp -d) sysroot=$(mktemp -d)
		for d in "${debs[@]}"; do
			dpkg-deb -x "$d" "$sysroot"
		done
		mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib,proc,sys,dev,run,tmp,etc,root}
		mkdir -p "$root/var" && ln -s ../run "$root/var/run"
		install -m 0755 "$sysroot/bin/busybox" "$root/bin/busybox"
		ln -s /bin/busybox "$root/usr/bin/env"
		for t in "${VM_TOOLS[@]}"; do
			# A link such as /sbin/ip -> /bin/ip names the sysroot's file,
			# never the host's.  Each lands where the host has it
			# (/init's "#!/usr/bin/bash"), as base_part puts it.
			f=''
			for d in /usr/sbin /usr/bin /sbin /bin; do
				f=$(sysroot_path "$sysroot" "$d/$t") && break
			done
			[ -n "$f" ] || { echo "no $t in the $VM_ARCH packages" >&2; rm -rf "$root" "$sysroot"; return 1; }
			p=$(command -v "$t")
			install -D -m 0755 "$f" "$root$p"
			copy_libs_foreign "$root" "$sysroot" "$root$p" || { rm -rf "$root" "$sysroot"; return 1; }
		done
		for t in "${extra[@]}"; do
			copy_libs_foreign "$root" "$sysroot" "$t" || { rm -rf "$root" "$sysroot"; return 1; }
		done
		pack_base "$root" "$comp" "$out"
		rm -rf "$root" "$sysroot"
	fi
	echo "$out"
}
