#!/bin/bash
# docs/metrics.md holds, for every probe, the table of its series between
#   <!-- BEGIN generated: series of PROBE ... -->  and  <!-- END generated -->
# as tests/helpers/metrics_md.c prints it from the series descriptors.  This
# fails when a table differs or a probe has none; with --write it puts the
# tables in place instead (cmake --build build --target docs-metrics).
# Usage: metrics_md.sh HELPER [SRCDIR] [--write]
set -u
helper=$1
src=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
write=${3:-}
md=$src/docs/metrics.md
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp".*' EXIT
probes=$("$helper" --list) || exit 1
[ -n "$probes" ] || { echo "$helper lists no probe"; exit 1; }
fail=0
for p in $probes; do
	grep -q "^<!-- BEGIN generated: series of $p " "$md" ||
		{ echo "docs/metrics.md: no generated table for probe $p"; fail=1; }
	"$helper" "$p" >"$tmp.$p" || exit 1
done
# Each block's body is replaced by the helper's table for its probe.
awk -v dir="$tmp" '
	/^<!-- BEGIN generated: series of / {
		print; probe = $6; file = dir "." probe
		while ((getline line < file) > 0) print line
		close(file); skip = 1; next
	}
	/^<!-- END generated -->/ { skip = 0 }
	!skip { print }
' "$md" >"$tmp"
if [ "$write" = --write ]; then
	cp "$tmp" "$md"
	exit 0
fi
if ! diff -u "$md" "$tmp"; then
	echo "docs/metrics.md is stale: cmake --build build --target docs-metrics"
	fail=1
fi
[ "$fail" -eq 0 ] && echo "docs/metrics.md: the series tables of $(echo $probes) match their descriptors"
exit "$fail"
