# Stock Debian cloud kernels for the VM stage: which ones, where they come
# from, and how they are fetched and unpacked into the cache.
# shellcheck shell=bash

# Cache outside the repository so a clean clone or `git clean` keeps the
# downloads; override for CI runners that cache elsewhere.
VM_CACHE=${SKBTRACE_VM_CACHE:-/var/cache/skbtrace-test/vm}

# KERNEL_SUITE[version] and KERNEL_PATTERN[version]: the suite that carries
# the kernel and a regex for its package name.  The ABI number (-32, -50,
# +deb12) moves with every point release, so the newest match is taken from
# the suite's index instead of hard-coding a name that disappears.
declare -A KERNEL_SUITE=(
	[5.10]=bullseye
	[6.1]=bookworm
	[6.12]=bookworm-backports
)
# ARCH stands for the Debian architecture of the run (VM_ARCH).
declare -A KERNEL_PATTERN=(
	[5.10]='^linux-image-5\.10\.0-[0-9]+-cloud-ARCH$'
	[6.1]='^linux-image-6\.1\.0-[0-9]+-cloud-ARCH-unsigned$'
	[6.12]='^linux-image-6\.12\.[0-9.]+\+bpo-cloud-ARCH-unsigned$|^linux-image-6\.12\.[0-9.]+\+deb12-cloud-ARCH(-unsigned)?$'
)
# The Debian architecture of the guests: amd64 (the default) or arm64,
# set by run.sh --arch.  Each has its own apt state and kernels.
VM_ARCH=${VM_ARCH:-amd64}
# shellcheck disable=SC2034 # used by run.sh
VM_KERNELS=(5.10 6.1 6.12)
# arm64 runs the kernels a Graviton or Ampere node runs today; 5.10 is
# left to amd64, which covers the kernels without drop reasons.
# shellcheck disable=SC2034 # used by run.sh and lib/matrix.sh
VM_ARM64_KERNELS=(6.1 6.12)

# The machine's own mirror, so the extra suites come from the same archive
# (the only one reachable) as the host's packages.
vm_mirror() {
	local uri
	uri=$(awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }' \
		/etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
	[ -n "$uri" ] || uri=$(awk '/^deb / && $0 !~ /security/ { print $2; exit }' \
		/etc/apt/sources.list 2>/dev/null || true)
	echo "${uri:-http://deb.debian.org/debian}"
}

# apt with a private sources list and state: the host's apt configuration
# and package lists are never touched by the VM stage.
vm_apt() {
	local dir
	dir=$(vm_apt_dir)
	apt-get -q \
		-o Dir::Etc::SourceList="$dir/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$dir/lists" \
		-o Dir::Cache::Archives="$dir/archives" \
		-o Dir::State::Status=/dev/null \
		-o APT::Architecture="$VM_ARCH" "$@"
}

# The private apt state of VM_ARCH: amd64 keeps the directory it always had.
vm_apt_dir() {
	if [ "$VM_ARCH" = amd64 ]; then
		echo "$VM_CACHE/apt"
	else
		echo "$VM_CACHE/apt-$VM_ARCH"
	fi
}

# The index is refreshed at most once a day: the kernel names change only
# with point releases, and every apt-get update downloads 17 MB.
vm_apt_update() {
	local dir suite
	dir=$(vm_apt_dir)
	mkdir -p "$dir/lists/partial" "$dir/archives/partial"
	local mirror
	mirror=$(vm_mirror)
	if [ "$VM_ARCH" = amd64 ]; then
		for suite in bullseye bookworm bookworm-backports; do
			echo "deb $mirror $suite main"
		done > "$dir/sources.list.new"
	else
		# Only the suites of this architecture's kernels; the guests'
		# userland comes from bookworm, like the host's.
		for suite in bookworm bookworm-backports; do
			echo "deb [arch=$VM_ARCH] $mirror $suite main"
		done > "$dir/sources.list.new"
	fi
	if cmp -s "$dir/sources.list.new" "$dir/sources.list" &&
		[ -n "$(find "$dir/lists" -name '*Packages*' -mtime -1 -print -quit)" ]; then
		rm -f "$dir/sources.list.new"
		return 0
	fi
	mv "$dir/sources.list.new" "$dir/sources.list"
	vm_apt update >&2
}

# kernel_package VERSION: newest package name for that kernel in its suite.
kernel_package() {
	local v=$1 suite=${KERNEL_SUITE[$1]}
	local lists
	lists=$(vm_apt_dir)/lists
	# Only that suite's index: the same name may exist in several suites.
	local files=("$lists"/*_dists_"${suite}"_main_binary-"${VM_ARCH}"_Packages*)
	[ -e "${files[0]}" ] || return 1
	/usr/lib/apt/apt-helper cat-file "${files[@]}" 2>/dev/null |
		sed -n 's/^Package: //p' | grep -E "${KERNEL_PATTERN[$v]//ARCH/$VM_ARCH}" |
		sort -V | tail -n1
}

# kernel_fetch VERSION: prints the directory with the unpacked kernel
# (boot/vmlinuz-*, lib/modules/*), downloading and unpacking only what the
# cache lacks.  The unpacked tree is keyed by package name, so a new ABI
# number fetches anew and an old one stays usable offline.
kernel_fetch() {
	local v=$1 pkg dir
	# A stale index only costs the newest ABI number: keep going offline.
	vm_apt_update || echo "run.sh: apt-get update failed, using the cached index" >&2
	pkg=$(kernel_package "$v") || true
	[ -n "$pkg" ] || { echo "no package for kernel $v in ${KERNEL_SUITE[$v]}" >&2; return 1; }
	dir=$VM_CACHE/kernels/$pkg
	if [ ! -e "$dir/.complete" ]; then
		local debs=$VM_CACHE/debs
		mkdir -p "$debs"
		if ! compgen -G "$debs/${pkg}_*.deb" > /dev/null; then
			(cd "$debs" && vm_apt download "$pkg" >&2)
		fi
		rm -rf "$dir"
		mkdir -p "$dir"
		dpkg-deb -x "$(compgen -G "$debs/${pkg}_*.deb" | sort -V | tail -n1)" "$dir"
		# The package leaves modules.dep to its postinst: make it here.
		local kver
		kver=$(basename "$(compgen -G "$dir/lib/modules/*" | head -n1)")
		depmod -b "$dir" "$kver"
		touch "$dir/.complete"
	fi
	echo "$dir"
}
