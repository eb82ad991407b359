#!/bin/bash
# Keeps the man pages from drifting: the configuration keys of
# packaging/man/skbtrace.json.5.scd must be those of docs/config.md, and the
# options of packaging/man/skbtrace.8.scd those of `skbtrace --help`.
#   tests/docs/man_keys.sh [SKBTRACE]   (default: $SKBTRACE)
# SKBTRACE_EMULATOR (qemu-aarch64) runs a cross-built daemon.
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-${SKBTRACE:-}}
[ -n "$bin" ] || { echo "usage: $0 SKBTRACE (or set SKBTRACE)" >&2; exit 2; }
[ -x "$bin" ] || { echo "$0: $bin: not an executable" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# docs/config.md, by the convention stated there above "Top level": rows of
# "Key" tables, prefixed with the backticked word of each enclosing heading.
doc_keys() {
	awk -F'|' '
	/^```/ { fence = !fence; next }
	fence { next }
	/^#+ / {
		level = length($0) - length(substr($0, index($0, " ")))
		name[level] = match($0, /`[^`]+`/) ? substr($0, RSTART + 1, RLENGTH - 2) : ""
		for (l = level + 1; l <= 6; l++) name[l] = ""
		prefix = ""
		for (l = 1; l <= level; l++) if (name[l] != "") prefix = prefix name[l] "."
		table = 0; next
	}
	!/^\|/ { table = 0; next }
	$2 ~ /^ *Key *$/ { table = 1; next }
	table && match($2, /^ *`[^`]+` *$/) {
		key = $2; gsub(/[ `]/, "", key); print prefix key
		if ($3 ~ /^ *object with/)
			for (rest = $3; match(rest, /`[^`]+`/); rest = substr(rest, RSTART + RLENGTH))
				print prefix key "." substr(rest, RSTART + 1, RLENGTH - 2)
	}' "$1"
}

# skbtrace.json.5.scd: a key is an unindented "*dotted.path* (type...)" line.
man_keys() {
	sed -nE 's/^\*([a-z_]+(\[\])?(\.[a-z_]+(\[\])?)*)\* \(.*/\1/p' "$1"
}

# `skbtrace --help`: "  -c, --config FILE  ..." becomes "-c --config FILE".
help_options() {
	${SKBTRACE_EMULATOR:-} "$bin" --help | awk '/^ +-/ {
		i = 1; out = ""
		if ($1 ~ /^-[A-Za-z],$/) { out = substr($1, 1, 2) " "; i = 2 }
		if ($i !~ /^--/) next
		out = out $i
		if ($(i + 1) ~ /^[A-Z][A-Z:]*$/) out = out " " $(i + 1)
		print out
	}'
}

# skbtrace.8.scd: unindented "*-c*, *--config* _FILE_" lines under OPTIONS.
man_options() {
	awk '/^# / { opts = ($0 == "# OPTIONS"); next }
	opts && /^\*-/ { gsub(/[*_,]/, ""); print }' "$1"
}

failed=0
# compare WHAT LEFT-NAME LEFT-FILE RIGHT-NAME RIGHT-FILE
# Empty sets would match each other, so an extraction that finds nothing fails.
compare() {
	local what=$1 ln=$2 lf=$3 rn=$4 rf=$5 d ok=1
	[ -s "$lf" ] || { echo "FAIL: no $what found in $ln"; failed=1; return; }
	[ -s "$rf" ] || { echo "FAIL: no $what found in $rn"; failed=1; return; }
	d=$(LC_ALL=C comm -23 "$lf" "$rf" | sed 's/^/  /')
	[ -z "$d" ] || { printf 'FAIL: %s in %s but not in %s:\n%s\n' "$what" "$ln" "$rn" "$d"; ok=0; }
	d=$(LC_ALL=C comm -13 "$lf" "$rf" | sed 's/^/  /')
	[ -z "$d" ] || { printf 'FAIL: %s in %s but not in %s:\n%s\n' "$what" "$rn" "$ln" "$d"; ok=0; }
	if [ "$ok" = 1 ]; then echo "ok: $(wc -l <"$lf") $what match ($ln, $rn)"; else failed=1; fi
}

doc_keys "$src/docs/config.md" | LC_ALL=C sort -u >"$tmp/docs.md"
man_keys "$src/packaging/man/skbtrace.json.5.scd" | LC_ALL=C sort -u >"$tmp/skbtrace.json.5.scd"
compare "configuration keys" docs/config.md "$tmp/docs.md" \
	skbtrace.json.5.scd "$tmp/skbtrace.json.5.scd"

help_options | LC_ALL=C sort -u >"$tmp/help"
man_options "$src/packaging/man/skbtrace.8.scd" | LC_ALL=C sort -u >"$tmp/skbtrace.8.scd"
compare "options" "skbtrace --help" "$tmp/help" skbtrace.8.scd "$tmp/skbtrace.8.scd"
exit "$failed"
