#!/bin/bash
# Every default of daemon/config/defaults.h (printed by DEFAULTS_LIST) is the
# value that config/skbtrace.json gives the key, wherever the file has it, the
# Default column of its row in docs/config.md, and the "default" of its entry
# in skbtrace.json(5).  Needs jq.  Usage: defaults.sh DEFAULTS_LIST [SRCDIR]
set -u
list=$1
src=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
json=$src/config/skbtrace.json md=$src/docs/config.md man=$src/packaging/man/skbtrace.json.5.scd
command -v jq >/dev/null || { echo "jq is missing (packaging/deps.sh --test)"; exit 77; }
fail=0 n=0
# A probe the file ships off ("enabled": false) says so by choice, not as a
# default: docs/config.md names it on its "Shipped off" line.
shipped_off=$(grep -E '^Shipped off in `config/skbtrace.json`:' "$md")
for name in $(jq -r '.probes[] | select(.enabled == false) | .name' "$json"); do
	grep -qF "\`$name\`" <<<"$shipped_off" ||
		{ echo "docs/config.md: probe $name is shipped off but not on the \"Shipped off\" line"; fail=1; }
done
out=$(${SKBTRACE_EMULATOR:-} "$list") || { echo "$list failed"; exit 1; }
[ -n "$out" ] || { echo "$list printed no default"; exit 1; }
while read -r path value; do
	n=$((n + 1))
	# config/skbtrace.json: every probe entry, and the key where it is given.
	jpath=$(sed 's/\[\]/[]?/g; s/^/./' <<<"$path")
	[ "$path" = "probes[].enabled" ] && jpath='.probes[]? | select(.enabled != false) | .enabled'
	while IFS= read -r got; do
		[ "$got" = null ] && continue
		[ "$got" = "$value" ] || { echo "config/skbtrace.json: $path is $got, the default is $value"; fail=1; }
	done < <(jq -c "$jpath" "$json")
	# docs/config.md: the row of the key's last name; its Default column.
	key=${path##*.}
	rows=$(grep -E "^\| *\`$key\` *\|" "$md")
	[ -n "$rows" ] || { echo "docs/config.md: no row for $key ($path)"; fail=1; }
	while IFS= read -r row; do
		[ -n "$row" ] || continue
		got=$(awk -F'|' '{ print $4 }' <<<"$row" | tr -d '` ')
		[ "$got" = "$value" ] || { echo "docs/config.md: $key's default is $got, the code's is $value"; fail=1; }
	done <<<"$rows"
	# skbtrace.json(5): "*path* (type, default VALUE" followed by , or ).
	entry=$(grep -F "*$path* (" "$man")
	[ -n "$entry" ] || { echo "skbtrace.json.5.scd: no entry for $path"; fail=1; continue; }
	grep -qF -e "default $value," -e "default $value)" <<<"$entry" ||
		{ echo "skbtrace.json.5.scd: $entry: the default is $value"; fail=1; }
done <<<"$out"
[ "$fail" -eq 0 ] && echo "$n defaults agree in config/skbtrace.json, docs/config.md and skbtrace.json(5)"
exit "$fail"
