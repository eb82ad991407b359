#!/bin/sh
# Builds the Debian package from a clean copy of this tree (what git tracks,
# and new files it does not ignore) and prints the .deb's path last.
#   packaging/build-deb.sh [--arch ARCH] [--version VERSION] [--out DIR] [--no-lintian]
# --arch arm64 cross-builds the arm64 package on this (x86_64) machine with
# dpkg-buildpackage -aarm64 (Debian multiarch, cmake/aarch64-linux-gnu.cmake).
# --version adds a changelog entry, e.g. to build an upgrade of an installed
# package; the default is the newest entry of packaging/debian/changelog.
# Installs missing build dependencies (packaging/debian/control) itself.
# lintian runs on the result and fails the build on any error.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
out=$src/build-deb
version=
lintian=yes
arch=$(dpkg --print-architecture)
while [ $# -gt 0 ]; do
	case $1 in
	--version) version=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--arch) arch=$2; shift 2 ;;
	--no-lintian) lintian=no; shift ;;
	*) echo "build-deb.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

cross=
if [ "$arch" != "$(dpkg --print-architecture)" ]; then
	cross="-a$arch"
	"$src/packaging/deps.sh" --deb --arch "$arch" >&2
else
	"$src/packaging/deps.sh" --deb >&2
fi
work=$(mktemp -d /tmp/skbtrace-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
tree=$work/skbtrace
"$src/packaging/copy-tree.sh" "$tree"
# dpkg-buildpackage wants debian/ at the top of the source tree.
cp -a "$src/packaging/debian" "$tree/debian"

if [ -n "$version" ]; then
	{
		printf 'skbtrace (%s) bookworm; urgency=medium\n\n' "$version"
		printf '  * Rebuilt by packaging/build-deb.sh --version.\n\n'
		printf ' -- %s  %s\n\n' "$(sed -n 's/^Maintainer: //p' "$tree/debian/control")" \
			"$(date -R)"
		cat "$tree/debian/changelog"
	} > "$work/changelog"
	mv "$work/changelog" "$tree/debian/changelog"
fi

# shellcheck disable=SC2086 # $cross: empty or one word
if ! (cd "$tree" && dpkg-checkbuilddeps $cross) > /dev/null 2>&1; then
	if [ "$(id -u)" -ne 0 ]; then
		(cd "$tree" && dpkg-checkbuilddeps $cross) || true
		echo "build-deb.sh: run as root to install the build dependencies" >&2
		exit 1
	fi
	echo "build-deb.sh: installing the build dependencies" >&2
	if [ -n "$cross" ]; then
		# apt resolves each dependency for the right architecture
		# (the libraries :arm64, clang:native the build machine's).
		DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -q --no-install-recommends \
			"$cross" "$tree" >&2
	else
		# shellcheck disable=SC2046
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			$(cd "$tree" && dpkg-checkbuilddeps 2>&1 |
				sed -n 's/.*Unmet build dependencies: //p' | sed 's/([^)]*)//g') >&2
	fi
fi

# shellcheck disable=SC2086
(cd "$tree" && dpkg-buildpackage -b -us -uc $cross) > "$work/build.log" 2>&1 || {
	tail -n 40 "$work/build.log" >&2
	echo "build-deb.sh: dpkg-buildpackage failed" >&2
	exit 1
}
changes=$(ls "$work"/skbtrace_*_"$arch".changes)
deb=$(ls "$work"/skbtrace_*_"$arch".deb)
if [ "$lintian" = yes ]; then
	# Warnings are listed with their reasons in docs/packaging.md.
	lintian --fail-on error --info "$changes" > "$work/lintian.log" 2>&1 || {
		cat "$work/lintian.log" >&2
		echo "build-deb.sh: lintian reports errors" >&2
		exit 1
	}
	cat "$work/lintian.log" >&2
fi
mkdir -p "$out"
cp "$deb" "$changes" "$work"/skbtrace_*_"$arch".buildinfo "$out/"
[ "$lintian" = no ] || cp "$work/lintian.log" "$out/lintian-$(basename "$deb" .deb).log"
echo "$out/$(basename "$deb")"
