#!/usr/bin/env bash
# Self-cost: while kernel.bpf_stats_enabled is 1, /metrics has each attached
# program's run time and run count; while it is 0, neither family.  The
# kfree_skb dispatcher runs once per freed skb, so N dropped datagrams add
# at least N runs (other skbs the kernel frees meanwhile add more).
source "$(dirname "$0")/lib.sh"

SYSCTL=kernel.bpf_stats_enabled
was=$(sysctl -n "$SYSCTL")
on_exit "sysctl -qw $SYSCTL=$was"
sysctl -qw "$SYSCTL=0"
N=50
ns=$(netns_create stats)
write_config "$TMP/config.json" '{ "name": "drop" }' '{ "name": "reset" }'
daemon_start "$TMP/config.json"

scrape > "$TMP/off"
promtool_check "$TMP/off"
assert_eq 0 "$(grep -c '^skbtrace_bpf_program_run' "$TMP/off" || true)" \
	"statistics off: no program series"

sysctl -qw "$SYSCTL=1"
scrape > "$TMP/before"
in_ns "$ns" "$TESTGEN" udp 127.0.0.1 8888 $N > /dev/null
scrape > "$TMP/after"
sysctl -qw "$SYSCTL=0"
promtool_check "$TMP/after"
dispatcher=$(sed -n 's/^skbtrace_bpf_program_runs_total{probe="dispatch",program="\([a-z_]*\)"}.*/\1/p' \
	"$TMP/after")
[ -n "$dispatcher" ] || fail "no dispatch program series: $(grep bpf_program "$TMP/after")"
runs() { metric_sum "$1" skbtrace_bpf_program_runs_total probe=dispatch program="$dispatcher"; }
added=$(($(runs "$TMP/after") - $(runs "$TMP/before")))
[ "$added" -ge "$N" ] || fail "the dispatcher ran $added times for $N drops"
log "ok: $dispatcher ran $added times for $N drops"
seconds=$(awk -v p="program=\"$dispatcher\"" \
	'index($0, "skbtrace_bpf_program_run_seconds_total{") == 1 && index($0, p) { print $NF }' \
	"$TMP/after")
awk -v s="$seconds" 'BEGIN { exit !(s > 0) }' || fail "no run time for $dispatcher ($seconds)"
# The count-cache sweeper is the daemon's own (run by BPF_PROG_TEST_RUN when
# a namespace goes), not a tracing program, so it has series of its own.
assert_eq "" "$(grep -E '^skbtrace_bpf_program_runs_total\{probe="drop"' "$TMP/after" |
	grep -v 'program="drop_cache_sweep"' || true)" \
	"the drop program runs in the chain, counted in the dispatcher's"
grep -q '^skbtrace_bpf_program_runs_total{probe="reset",program="reset_' "$TMP/after" ||
	fail "no series for the reset probe's own programs"
scrape > "$TMP/off2"
assert_eq 0 "$(grep -c '^skbtrace_bpf_program_run' "$TMP/off2" || true)" \
	"statistics off again: the series are gone"
test_done
