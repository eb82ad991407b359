#!/bin/bash
# docs/metrics.md holds, for every probe, the table of its series, and for
# every section of the daemon's own families their table, each between
#   <!-- BEGIN generated: series of PROBE ... -->   (or families of SECTION)
#   <!-- END generated -->
# as tests/helpers/metrics_md.c prints it from the series descriptors and
# daemon/expo/self_metrics.c.  This fails when a table differs or one is
# missing; with --write it puts the tables in place instead
# (cmake --build build --target docs-metrics).
# Usage: metrics_md.sh HELPER [SRCDIR] [--write]
set -u
helper=$1
src=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
write=${3:-}
md=$src/docs/metrics.md
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp".*' EXIT
tables=$(${SKBTRACE_EMULATOR:-} "$helper" --list) || exit 1
[ -n "$tables" ] || { echo "$helper lists no table"; exit 1; }
fail=0
while read -r kind name; do
	grep -q "^<!-- BEGIN generated: $kind of $name " "$md" ||
		{ echo "docs/metrics.md: no generated table of the $kind of $name"; fail=1; }
	${SKBTRACE_EMULATOR:-} "$helper" "$kind" "$name" >"$tmp.$kind.$name" || exit 1
done <<<"$tables"
# Each block's body is replaced by the helper's table for its probe.
awk -v dir="$tmp" '
	/^<!-- BEGIN generated: (series|families) of / {
		print; file = dir "." $4 "." $6
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
[ "$fail" -eq 0 ] && echo "docs/metrics.md: its $(wc -l <<<"$tables") generated tables match the code"
exit "$fail"
