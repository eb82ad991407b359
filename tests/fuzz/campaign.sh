#!/bin/bash
# A longer fuzzing campaign: each target in turn (never two at once: each
# takes a core), at the lowest CPU priority, from the committed seeds.
#   tests/fuzz/campaign.sh [--build DIR] [--seconds N] [TARGET...]
# Logs go to /tmp/fuzz-campaign-<target>.log, inputs and crashes to
# DIR/tests/fuzz/campaign/<target>/{corpus,artifacts}.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$here/../../build seconds=600
while [ $# -gt 0 ]; do
	case "$1" in
	--build) build=$2; shift 2 ;;
	--seconds) seconds=$2; shift 2 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || set -- config http ksyms conntrack_stat top_metrics
failed=0
for target in "$@"; do
	echo "$(date -u +%FT%TZ) fuzz/$target: ${seconds}s"
	nice -n 19 bash "$here/run.sh" --fuzzer "$build/tests/fuzz/clang/fuzz_$target" \
		--corpus "$here/corpus/$target" --work "$build/tests/fuzz/campaign/$target" \
		--seconds "$seconds" --log "/tmp/fuzz-campaign-$target.log" || failed=1
done
echo "$(date -u +%FT%TZ) done"
exit $failed
