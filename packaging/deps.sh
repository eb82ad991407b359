#!/bin/sh
# Installs what skbtrace needs on Debian 12 (bookworm), only if it is missing.
#   packaging/deps.sh          build and run
#   packaging/deps.sh --test   build, run and the whole test suite
#   packaging/deps.sh --bench  all that and the benchmarks (bpftrace)
#   packaging/deps.sh --deb    build the Debian package (packaging/build-deb.sh)
#   packaging/deps.sh [...] --arch arm64   and cross-build for arm64 (Debian
#                              multiarch: adds the architecture to dpkg)
set -eu

# GnuTLS (libmicrohttpd's TLS library) checks the certificates and client
# certificates; libxcrypt's crypt_rn() checks bcrypt passwords.
# libcurl is `skbtrace top`'s HTTP(S) client; its GnuTLS flavour, so that top
# and the daemon share one TLS library (and the test CA loads the same in both).
# elfutils' libdw reads source lines from the kernel's debug info (daemon/symbols).
BUILD="build-essential cmake pkg-config clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev
	libmicrohttpd-dev libsystemd-dev libcjson-dev libcap-dev scdoc libgnutls28-dev libcrypt-dev
	libcurl4-gnutls-dev libdw-dev"
# The VM stage (tests/vm) boots stock x86_64 and arm64 kernels under QEMU from a busybox
# initramfs; kmod's depmod and xz/zstd unpack the kernels' modules, lz4/zstd their
# vmlinux for its BTF (tests/build).
# python3 and its yaml module regenerate the Grafana dashboard and alert rules
# (packaging/grafana), which the dashboard test compares with the tree.
# openssl makes the CA and certificates of the TLS test (test_web_tls).
# chromium (headless screenshots) and libxml2-utils (xmllint) check the
# landing page and the flame graphs as a browser and an XML parser see them
# (test_landing_page).
# tmux gives `skbtrace top` a real 80x24 terminal (test_top).
# podman builds the container image and plays the Kubernetes pod spec
# (test_container); runc, because crun refuses this machine's cgroup v1
# controllers, and catatonit, from which `podman kube play` builds its pause image.
# libclang-rt-dev: libFuzzer and the sanitizer runtimes of clang, for the fuzz
# tests (tests/fuzz); clang only recommends it.
TEST="iproute2 nftables curl prometheus util-linux strace systemd-container debootstrap jq
	qemu-system-x86 qemu-system-arm busybox-static cpio zstd xz-utils kmod lz4 python3 python3-yaml openssl
	libclang-rt-dev chromium libxml2-utils tmux podman runc catatonit"
BENCH="bpftrace"
# dpkg-buildpackage and the checks of its result; the test suite builds the
# package too (tests/integration/test_debian_package.sh).
DEB="debhelper dpkg-dev lintian"
# The cross build (cmake/aarch64-linux-gnu.cmake): Debian's cross compiler
# and the target's libraries, headers and pkg-config beside the host's;
# clang, bpftool and scdoc stay the host's.  The build tests cross-build
# too (tests/build), so --test installs these for arm64, and qemu-user,
# which runs the arm64 daemon and unit tests on this machine.
cross() {
	echo "crossbuild-essential-$1 pkg-config:$1 libbpf-dev:$1 libelf-dev:$1 zlib1g-dev:$1
		libmicrohttpd-dev:$1 libsystemd-dev:$1 libcjson-dev:$1 libcap-dev:$1
		libgnutls28-dev:$1 libcrypt-dev:$1 libdw-dev:$1 libcurl4-gnutls-dev:$1"
}
CROSS_TEST="$(cross arm64) qemu-user"

pkgs=$BUILD
arches=
while [ $# -gt 0 ]; do
	case $1 in
	--test) pkgs="$pkgs $TEST $DEB $CROSS_TEST"; arches="$arches arm64" ;;
	--bench) pkgs="$pkgs $TEST $DEB $BENCH $CROSS_TEST"; arches="$arches arm64" ;;
	--deb) pkgs="$pkgs $DEB" ;;
	--arch)
		case ${2:-} in
		arm64) pkgs="$pkgs $(cross arm64)"; arches="$arches arm64" ;;
		amd64) ;;
		*) echo "deps.sh: --arch takes arm64 or amd64, not '${2:-}'" >&2; exit 2 ;;
		esac
		shift
		;;
	*) echo "deps.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages:$missing; run as root to install them" >&2
	exit 1
fi
echo "deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
for a in $arches; do
	[ "$a" = "$(dpkg --print-architecture)" ] && continue
	dpkg --print-foreign-architectures | grep -qx "$a" && continue
	echo "deps.sh: adding the architecture $a to dpkg (multiarch)"
	dpkg --add-architecture "$a"
done
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
