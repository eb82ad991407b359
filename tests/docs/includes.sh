#!/bin/bash
# The rooms of daemon/ (daemon/ROOMS, lowest first) stay rooms: every
# #include "x.h" resolves to the header the compiler would find (the
# including file's folder first, then daemon/ and the rooms), and a header
# of a room higher than the including file's fails.  Headers outside
# daemon/ (bpf/, skeletons, version.h) are beneath every room; daemon/main.c
# is above them all.  Also: every room has a README.md, no folder of daemon/
# holds more than 20 files and no source more than 600 lines.
# Usage: includes.sh [SRCDIR]
set -u
src=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$src/daemon" || exit 1

declare -A rank
n=0
while read -r room; do
	case $room in '' | '#'*) continue ;; esac
	rank[$room]=$n
	n=$((n + 1))
	[ -d "$room" ] || { echo "daemon/ROOMS names $room, which is not a folder of daemon/"; fail=1; }
	[ -f "$room/README.md" ] || { echo "daemon/$room has no README.md saying what lives there"; fail=1; }
done <ROOMS
top=$n
fail=${fail:-0}

for d in */; do
	d=${d%/}
	[ -n "${rank[$d]+x}" ] || { echo "daemon/$d is not in daemon/ROOMS"; fail=1; }
	c=$(find "$d" -maxdepth 1 -type f | wc -l)
	[ "$c" -le 20 ] || { echo "daemon/$d holds $c files, more than 20"; fail=1; }
done
for f in $(find . -name '*.[ch]' | sort); do
	l=$(wc -l <"$f")
	[ "$l" -le 600 ] || { echo "daemon/${f#./} has $l lines, more than 600"; fail=1; }
done

# room_of PATH: the rank of the room a file under daemon/ lives in.
room_of() {
	case $1 in
	*/*) echo "${rank[${1%%/*}]}" ;;
	*) echo "$top" ;;
	esac
}

# resolve FROMDIR NAME: the header's path under daemon/, or nothing.
resolve() {
	local dir=$1 name=$2 r hits=()
	if [ "$dir" != . ] && [ -f "$dir/$name" ]; then
		echo "$dir/$name"
		return
	fi
	[ -f "$name" ] && hits+=("$name")
	for r in "${!rank[@]}"; do
		[ -f "$r/$name" ] && hits+=("$r/$name")
	done
	if [ "${#hits[@]}" -gt 1 ]; then
		echo "AMBIGUOUS ${hits[*]}"
		return
	fi
	[ "${#hits[@]}" -eq 1 ] && echo "${hits[0]}"
}

checked=0
for f in $(find . -name '*.[ch]' | sort); do
	f=${f#./}
	dir=$(dirname "$f")
	from=$(room_of "$f")
	while IFS= read -r inc; do
		h=$(resolve "$dir" "$inc")
		[ -n "$h" ] || continue
		case $h in AMBIGUOUS*) echo "daemon/$f: \"$inc\" names several headers: ${h#AMBIGUOUS }"; fail=1; continue ;; esac
		to=$(room_of "$h")
		checked=$((checked + 1))
		if [ "$to" -gt "$from" ]; then
			echo "daemon/$f includes daemon/$h: an upward include (daemon/ROOMS)"
			fail=1
		fi
	done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
done
[ "$checked" -gt 0 ] || { echo "no include of daemon/ found: is $src the source tree?"; exit 1; }
[ "$fail" -eq 0 ] && echo "$checked includes between rooms point down or sideways"
exit "$fail"
