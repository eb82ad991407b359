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

# clean_copy DIR: the tree as a clone would have it (packaging/copy-tree.sh).
clean_copy() { "$SRCDIR/packaging/copy-tree.sh" "$1"; }
