#!/bin/sh
# Copies the source tree as a clone would have it into DIR: what git tracks,
# and new files it does not ignore, so that no build directory or cache of a
# developer's work tree leaks into a package or a build test.
#   packaging/copy-tree.sh DIR
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
dst=${1:?usage: copy-tree.sh DIR}
mkdir -p "$dst"
if git -C "$src" rev-parse --is-inside-work-tree > /dev/null 2>&1; then
	# A tracked file deleted in the work tree is left out, as a commit would.
	(cd "$src" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' _ |
		tar --null -T - -cf -) | tar -C "$dst" -xf -
else
	tar -C "$src" --exclude='./build*' -cf - . | tar -C "$dst" -xf -
fi
