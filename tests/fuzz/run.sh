#!/bin/bash
# One time-boxed libFuzzer run of one target, as ctest runs it (fuzz/<target>):
#   run.sh --fuzzer BIN --corpus SEEDS_DIR --work DIR --seconds N [--log FILE]
#          [-- LIBFUZZER_ARGS...]
# It starts from the committed seeds only (DIR is emptied first), writes new
# inputs and any crash to DIR, never to the source tree, and fails (exit 1)
# on any crash, sanitizer report, leak, timeout or out-of-memory.
set -u

fuzzer= seeds= work= seconds=60 log=
while [ $# -gt 0 ]; do
	case "$1" in
	--fuzzer) fuzzer=$2; shift 2 ;;
	--corpus) seeds=$2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	--seconds) seconds=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
if [ ! -x "$fuzzer" ]; then
	echo "run.sh: no fuzzer at $fuzzer (was the build run?)" >&2
	exit 1
fi
if [ ! -d "$seeds" ]; then
	echo "run.sh: no seed corpus at $seeds" >&2
	exit 1
fi

target=$(basename "$fuzzer")
target=${target#fuzz_}
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
log=${log:-$work/log}
dict=()
src=$(dirname "$seeds")/..
[ -f "$src/$target.dict" ] && dict=(-dict="$src/$target.dict")

# halt_on_error and abort_on_error: the first report ends the run with the input kept.
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=1:${ASAN_OPTIONS:-}
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}
# libFuzzer's own exit code for a crash is 77, which ctest would take for a skip.
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -seed=1 \
	-error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 \
	-artifact_prefix="$work/artifacts/" "${dict[@]}" "$@" \
	"$work/corpus" "$seeds" 2>"$log"
rc=$?
grep -E '^(#[0-9]+ +DONE|Done|stat::|INFO: seed corpus|http:)' "$log"
if [ "$rc" -ne 0 ] || [ -n "$(ls -A "$work/artifacts")" ]; then
	tail -n 60 "$log"
	echo "fuzz/$target: FAILED (exit $rc); inputs kept in $work/artifacts:" >&2
	ls -l "$work/artifacts" >&2
	exit 1
fi
echo "fuzz/$target: no crash in ${seconds}s; new inputs in $work/corpus"
