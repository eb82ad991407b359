#!/usr/bin/env bash
# `skbtrace symbolize` against an implementation nobody here wrote: for
# locations across vmlinux, nf_tables and nf_conntrack of Debian's stock 6.1
# kernel (the VM stage's guest), every FILE:LINE and every inlined call
# site equals what GNU binutils' `addr2line -i` prints for the same address
# in the same debug file.  A debug file of another build is never used: no
# line, and it says so, while the other locations still resolve.
# Needs no kernel feature: the debug files come from Debian's dbg package
# (280 MB, cached with the VM stage's kernels); about 1 minute once cached.
source "$(dirname "$0")/lib.sh"
# shellcheck source=../vm/lib/debuginfo.sh
source "$SRCDIR/tests/vm/lib/debuginfo.sh"

command -v addr2line > /dev/null || fail "addr2line (binutils) is missing"
root=$(kernel_dbg_fetch 6.1) || fail "cannot fetch the 6.1 kernel's debug info"
vmlinux=$(compgen -G "$root/usr/lib/debug/boot/vmlinux-*") || fail "no vmlinux in $root"
release=${vmlinux##*/vmlinux-}
mods=$root/usr/lib/debug/lib/modules/$release/kernel/net/netfilter
log "debug info of $release under $root"

# Symbols: ELF NAME VALUE SIZE SECTION-INDEX for every defined function,
# and the .text section index of each module (addr2line -j .text).
declare -A FILE=([vmlinux]=$vmlinux [nf_tables]=$mods/nf_tables.ko [nf_conntrack]=$mods/nf_conntrack.ko)
declare -A TEXT
for elf in vmlinux nf_tables nf_conntrack; do
	TEXT[$elf]=$(readelf -SW "${FILE[$elf]}" | sed -n 's/^ *\[ *\([0-9]*\)\] \.text .*/\1/p')
	[ -n "${TEXT[$elf]}" ] || fail "no .text in ${FILE[$elf]}"
	readelf -sW "${FILE[$elf]}" | awk -v e="$elf" \
		'$4 == "FUNC" && $7 ~ /^[0-9]+$/ { print e, $8, $2, $3, $7 }'
done > "$TMP/syms"
# Names defined once in the three files: the location alone then says which function.
readelf -sW "${FILE[vmlinux]}" "${FILE[nf_tables]}" "${FILE[nf_conntrack]}" |
	awk '$7 != "UND" && $7 != "ABS" && NF >= 8 { print $8 }' | sort | uniq -u > "$TMP/unique"
awk 'NR == FNR { u[$1] = 1; next } u[$2]' "$TMP/unique" "$TMP/syms" > "$TMP/cands"

# pick ELF NAME...: the named functions, in .text, two offsets each (a third
# and two thirds into the function); then every Nth of the rest, one offset.
: > "$TMP/locs"
pick() {
	local elf=$1
	shift
	awk -v e="$elf" -v t="${TEXT[$elf]}" -v names="$*" '
		BEGIN { n = split(names, a, " "); for (i = 1; i <= n; i++) want[a[i]] = 1 }
		$1 == e && $5 == t && ($2 in want) && $4 + 0 >= 24 {
			size = $4 + 0
			print e, $2, $3, int(size / 3)
			print e, $2, $3, int(2 * size / 3)
		}' "$TMP/cands" >> "$TMP/locs"
}
spread() {
	local elf=$1 count=$2
	awk -v e="$elf" -v t="${TEXT[$elf]}" '$1 == e && $5 == t && $4 + 0 >= 64' "$TMP/cands" |
		sort -k3,3 > "$TMP/pool"
	awk -v n="$(wc -l < "$TMP/pool")" -v k="$count" \
		'NR % int(n / k) == 0 && c++ < k { print $1, $2, $3, int(($4 + 0) / 2) }' \
		"$TMP/pool" >> "$TMP/locs"
}
pick vmlinux nf_hook_slow kfree_skb_reason ip_rcv __netif_receive_skb_core tcp_v4_rcv \
	ip_finish_output2 __dev_queue_xmit tcp_rcv_state_process
spread vmlinux 8
pick nf_tables nft_do_chain nft_immediate_eval nft_payload_eval nft_lookup_eval
spread nf_tables 4
pick nf_conntrack nf_conntrack_in __nf_conntrack_confirm __nf_conntrack_find_get
spread nf_conntrack 4
for elf in vmlinux nf_tables nf_conntrack; do
	n=$(awk -v e="$elf" '$1 == e' "$TMP/locs" | wc -l)
	[ "$n" -ge 6 ] || fail "only $n locations in $elf: the symbol choice above is stale"
done
total=$(wc -l < "$TMP/locs")
[ "$total" -ge 20 ] || fail "only $total locations"

# skbtrace's answers, all in one run.
mapfile -t locations < <(awk '{ print $2 "+" $4 }' "$TMP/locs")
/usr/bin/time -f '%e s %M KiB' -o "$TMP/time" "$SKBTRACE" symbolize --release "$release" \
	--debug-root "$root" "${locations[@]}" > "$TMP/skbtrace.out" 2> "$TMP/skbtrace.err" ||
	{ cat "$TMP/skbtrace.out" "$TMP/skbtrace.err" >&2; fail "skbtrace symbolize failed"; }
log "skbtrace symbolize: $total locations in $(cat "$TMP/time") (wall time, peak RSS)"

# addr2line's, one run per ELF: -a heads each address's answer, -f -i gives
# the function and line of every inlined level, innermost first.
# Discriminators are not part of FILE:LINE.
for elf in vmlinux nf_tables nf_conntrack; do
	sect=()
	[ "$elf" = vmlinux ] || sect=(-j .text)
	addrs=()
	while read -r e _ value off; do
		[ "$e" = "$elf" ] && addrs+=("$(printf '0x%x' $((0x$value + off)))")
	done < "$TMP/locs"
	addr2line -a -f -i "${sect[@]}" -e "${FILE[$elf]}" "${addrs[@]}" |
		sed -E 's/ \(discriminator [0-9]+\)$//' > "$TMP/a2l.$elf"
done

# One line per location: "FILE:LINE CALLSITE..." and "FUNC..." of each tool.
awk '
	/^0x/ { if (n) print line "\t" funcs; line = ""; funcs = ""; n = 0; next }
	{ if (n % 2 == 0) funcs = funcs (funcs == "" ? "" : " ") $0
	  else line = line (line == "" ? "" : " ") $0
	  n++ }
	END { if (n) print line "\t" funcs }' "$TMP/a2l.vmlinux" "$TMP/a2l.nf_tables" \
	"$TMP/a2l.nf_conntrack" > "$TMP/a2l.lines"
# The same order: the locations file was grouped by ELF in that order already.
awk -F'\t' '{
	line = $2; funcs = ""
	if ($4 != "-") {
		n = split($4, in_, ", ")
		for (i = 1; i <= n; i++) {
			split(in_[i], p, " at ")
			line = line " " p[2]
			funcs = funcs (funcs == "" ? "" : " ") p[1]
		}
	}
	print $1 "\t" $3 "\t" line "\t" funcs
}' "$TMP/skbtrace.out" > "$TMP/skbtrace.lines"
[ "$(wc -l < "$TMP/skbtrace.lines")" -eq "$total" ] || fail "$(wc -l < "$TMP/skbtrace.lines") answers for $total locations"
[ "$(wc -l < "$TMP/a2l.lines")" -eq "$total" ] || fail "addr2line gave $(wc -l < "$TMP/a2l.lines") answers for $total"

i=0 inlined=0
while IFS=$'\t' read -r loc elf mine mfuncs; do
	i=$((i + 1))
	IFS=$'\t' read -r theirs tfuncs < <(sed -n "${i}p" "$TMP/a2l.lines")
	want_elf=$(sed -n "${i}p" "$TMP/locs" | cut -d' ' -f1)
	[ "$elf" = "$want_elf" ] || fail "$loc: found in $elf, defined in $want_elf"
	[ "$mine" = "$theirs" ] || fail "$loc ($elf): skbtrace says '$mine', addr2line -i '$theirs'"
	# addr2line names the outermost function too; skbtrace only the inlined ones.
	read -ra tf <<< "$tfuncs"
	read -ra mf <<< "$mfuncs"
	[ "${#tf[@]}" -eq $((${#mf[@]} + 1)) ] && [ "$mfuncs" = "${tf[*]:0:${#mf[@]}}" ] ||
		fail "$loc ($elf): skbtrace's inlined functions '$mfuncs', addr2line's '$tfuncs'"
	[ ${#mf[@]} -eq 0 ] || inlined=$((inlined + 1))
	CHECKS=$((CHECKS + 1))
done < "$TMP/skbtrace.lines"
[ "$inlined" -ge 5 ] || fail "only $inlined locations inside inlined functions: the inlined chain is barely tested"
log "$CHECKS locations equal addr2line -i's ($inlined inside inlined functions); e.g.:"
head -n 3 "$TMP/skbtrace.out" | sed 's/^/#   /'

# The daemon's cache of lines (daemon/symbols/source_cache.c) on the same
# files: the same answers, one skbtrace_location_info per location a scrape
# shows, and at most 64 locations resolved per second (the rest at later
# scrapes).  Each location also one and two bytes further: 3x as many.
check=$(dirname "$SKBTRACE")/tests/skbtrace-source-check
[ -x "$check" ] || fail "no $check: build the tree"
vid=$(readelf -n "$vmlinux" | awk '/Build ID:/ { print $3; exit }')
mapfile -t more < <(awk '{ print $2 "+" $4 + 1; print $2 "+" $4 + 2 }' "$TMP/locs")
all=("${locations[@]}" "${more[@]}")
# Scrapes until one adds no series (at least one location a second is
# resolved however loaded the machine: 200 ms of resolving a second).
"$check" 60 "$root" "$release" "$vid" "${all[@]}" > "$TMP/cache.out" ||
	fail "skbtrace-source-check failed"
scrapes=$(sed -n 's/^scrape \([0-9]*\): .*/\1/p' "$TMP/cache.out" | tail -n1)
counts=$(for ((i = 1; i <= scrapes; i++)); do grep -c "^scrape $i: skbtrace_location_info{" "$TMP/cache.out"; done | xargs)
read -r first_n _ <<< "$counts"
last_n=${counts##* }
[ "$first_n" -le 64 ] && [ "$first_n" -gt 0 ] ||
	fail "the first scrape resolved $first_n of ${#all[@]} locations: the budget is 64 a second"
[ "$last_n" -eq "${#all[@]}" ] ||
	fail "after $scrapes scrapes $last_n of ${#all[@]} locations have skbtrace_location_info ($counts)"
log "source cache: ${#all[@]} locations; series with a line per scrape: $counts"
sed -n "s/^scrape $scrapes: //p" "$TMP/cache.out" > "$TMP/cache.metrics"
if command -v promtool > /dev/null; then
	lint=$(promtool check metrics < "$TMP/cache.metrics" 2>&1) || fail "promtool: $lint"
	[ -z "$lint" ] || fail "promtool: $lint"
fi
grep -qx 'skbtrace_debuginfo_build_id_mismatches_total 0' "$TMP/cache.metrics" ||
	fail "mismatch counter: $(grep mismatches "$TMP/cache.metrics")"
while IFS=$'\t' read -r loc line elf inl; do
	want="answer $loc $line $inl"
	grep -qxF "$want" "$TMP/cache.out" || fail "the cache's answer for $loc is not symbolize's: $(grep "^answer $loc " "$TMP/cache.out")"
	grep -qxF "skbtrace_location_info{location=\"$loc\",source=\"$line\"} 1" "$TMP/cache.metrics" ||
		fail "no skbtrace_location_info for $loc with source $line"
	CHECKS=$((CHECKS + 1))
done < "$TMP/skbtrace.out"

# A name that two static functions of vmlinux share, both long enough: the
# location cannot say which; symbolize answers with the first and says so,
# the daemon's cache gives no line.
amb=$(awk '$1 == "vmlinux" && $4 + 0 >= 16 { n[$2]++ } END { for (k in n) if (n[k] == 2) print k }' "$TMP/syms" |
	sort | head -n1)
[ -n "$amb" ] || fail "no name that two functions of vmlinux share"
"$SKBTRACE" symbolize --release "$release" --debug-root "$root" "$amb+8" > "$TMP/amb.out" ||
	fail "$amb+8: $(cat "$TMP/amb.out")"
grep -q "(ambiguous: several symbols of that name)$" "$TMP/amb.out" || fail "$amb+8 is not said to be ambiguous: $(cat "$TMP/amb.out")"
"$check" 1 "$root" "$release" "$vid" "$amb+8" "${locations[0]}" > "$TMP/amb.cache" || fail "skbtrace-source-check failed"
! grep -q "^answer $amb+8 " "$TMP/amb.cache" || fail "the cache gives ambiguous $amb+8 a line"
grep -q "^answer ${locations[0]} " "$TMP/amb.cache" || fail "the cache gives ${locations[0]} no line"
CHECKS=$((CHECKS + 1))

# A debug file of another build: no line, said so, and nothing else changes.
tid=$(readelf -n "${FILE[nf_tables]}" | awk '/Build ID:/ { print $3; exit }')
first=$(sed -n 1p "$TMP/locs" | awk '{ print $2 "+" $4 }')
nft=$(awk '$1 == "nf_tables" { print $2 "+" $4; exit }' "$TMP/locs")
bogus=00112233445566778899aabbccddeeff00112233
rc=0
"$SKBTRACE" symbolize --release "$release" --debug-root "$root" --build-id "$bogus" \
	--build-id "nf_tables=$tid" "$first" "$nft" > "$TMP/mm.out" 2> "$TMP/mm.err" || rc=$?
[ "$rc" -eq 1 ] || fail "a mismatching vmlinux: exit status $rc, expected 1"
grep -qxF "$first	?	vmlinux	error: debug info of another build (build id mismatch): $(realpath "$vmlinux") has $vid, expected $bogus" "$TMP/mm.out" ||
	fail "a mismatching vmlinux: $(cat "$TMP/mm.out")"
grep -q "^$nft	[^?]" "$TMP/mm.out" || fail "nf_tables with its own build id no longer resolves: $(cat "$TMP/mm.out")"
[ "$(grep -c "has build id $vid, but vmlinux's is $bogus: not used" "$TMP/mm.err")" -eq 1 ] ||
	fail "the mismatch is not logged exactly once: $(cat "$TMP/mm.err")"
CHECKS=$((CHECKS + 1))
# The right build id: used.
"$SKBTRACE" symbolize --release "$release" --debug-root "$root" --build-id "$vid" "$first" \
	> "$TMP/ok.out" || fail "vmlinux's own build id $vid: $(cat "$TMP/ok.out")"
[ "$(cut -f2 "$TMP/ok.out")" = "$(sed -n 1p "$TMP/skbtrace.lines" | cut -f3 | cut -d' ' -f1)" ] ||
	fail "vmlinux's own build id gives another line: $(cat "$TMP/ok.out")"
CHECKS=$((CHECKS + 1))

# The running kernel's build id (/sys/kernel/notes) is the default: the 6.1
# vmlinux placed as this kernel's debug file is of another build.
host_id=$(python3 -c '
import struct, sys
b = open("/sys/kernel/notes", "rb").read()
o = 0
while o + 12 <= len(b):
    nsz, dsz, t = struct.unpack_from("<III", b, o)
    name = b[o + 12:o + 12 + nsz]
    d = o + 12 + (nsz + 3) // 4 * 4
    if t == 3 and name == b"GNU\0":
        print(b[d:d + dsz].hex()); sys.exit(0)
    o = d + (dsz + 3) // 4 * 4
sys.exit(1)') || fail "no build id in /sys/kernel/notes"
mkdir -p "$TMP/host/usr/lib/debug/boot"
ln -s "$vmlinux" "$TMP/host/usr/lib/debug/boot/vmlinux-$(uname -r)"
rc=0
"$SKBTRACE" symbolize --debug-root "$TMP/host" "$first" > "$TMP/host.out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] && grep -qF "error: debug info of another build (build id mismatch): $(realpath "$vmlinux") has $vid, expected $host_id" "$TMP/host.out" ||
	fail "the running kernel's build id $host_id: $(cat "$TMP/host.out")"
CHECKS=$((CHECKS + 1))

# No debug info at all: no line, said so.
mkdir -p "$TMP/empty"
rc=0
"$SKBTRACE" symbolize --release "$release" --debug-root "$TMP/empty" "$first" > "$TMP/none.out" || rc=$?
[ "$rc" -eq 1 ] && grep -qxF "$first	?	vmlinux	error: no debug info" "$TMP/none.out" ||
	fail "no debug info: status $rc, $(cat "$TMP/none.out")"
CHECKS=$((CHECKS + 1))

echo "PASS: $TEST_NAME: $CHECKS checks ($total locations equal addr2line -i's)"
