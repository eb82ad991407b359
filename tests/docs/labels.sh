#!/bin/bash
# The README's table of test labels names exactly the labels that the tests
# of BUILDDIR carry, and the README tells how to run all but the VM stage.
# Usage: labels.sh BUILDDIR [SRCDIR]
set -u
build=$1
src=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
readme=$src/README.md
have=$(ctest --test-dir "$build" --print-labels | sed -n 's/^  *\([a-z0-9_-][a-z0-9_-]*\)$/\1/p' | sort)
[ -n "$have" ] || { echo "ctest in $build lists no label"; exit 1; }
# Only the rows of the label table: names that are labels or were meant to be.
told=$(sed -n '/^| label | what | needs |$/,/^$/p' "$readme" | sed -n 's/^| `\([a-z0-9_-]*\)` |.*/\1/p' | sort)
fail=0
for l in $have; do
	grep -qx "$l" <<<"$told" || { echo "README.md: the label table lacks $l"; fail=1; }
done
for l in $told; do
	grep -qx "$l" <<<"$have" || { echo "README.md: the label table names $l, which no test has"; fail=1; }
done
grep -q -- 'ctest --test-dir build -LE vm' "$readme" || { echo "README.md: no ctest -LE vm line"; fail=1; }
[ "$fail" -eq 0 ] && echo "README.md names the $(wc -w <<<"$have") labels: $(echo $have)"
exit "$fail"
