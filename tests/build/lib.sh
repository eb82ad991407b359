# Helpers for the build tests: a clean copy of the source tree to build.
# shellcheck shell=bash
set -euo pipefail

: "${SRCDIR:?source directory}"
TEST_NAME=$(basename "$0" .sh)
TMP=$(mktemp -d "/tmp/skbtrace-${TEST_NAME}.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

log() { printf '# %s\n' "$*"; }
fail() {
	printf 'FAIL: %s: %s\n' "$TEST_NAME" "$*" >&2
	exit 1
}

# clean_copy DIR: the files a clone would have (tracked, and new files git
# does not ignore), so no build directory or cache of the developer's leaks in.
clean_copy() {
	local dst=$1
	mkdir -p "$dst"
	if git -C "$SRCDIR" rev-parse --is-inside-work-tree > /dev/null 2>&1; then
		(cd "$SRCDIR" && git ls-files -z --cached --others --exclude-standard |
			xargs -0 -I{} sh -c '[ -e "$1" ] && printf "%s\0" "$1"' _ {} |
			tar --null -T - -cf -) | tar -C "$dst" -xf -
	else
		tar -C "$SRCDIR" --exclude='./build*' -cf - . | tar -C "$dst" -xf -
	fi
}
