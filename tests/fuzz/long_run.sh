#!/bin/sh
# A long fuzzing run of one target (README.md): hours, at the lowest CPU priority, in fork
# mode so that it goes on after a crash, a leak, a timeout or an RSS overrun and keeps each
# one. Needs the fuzz preset built (cmake --preset fuzz && cmake --build --preset fuzz).
#
#   sh tests/fuzz/long_run.sh TARGET SECONDS [libFuzzer flags...]
#
# New inputs go to build/fuzz/long/TARGET/corpus, what failed to .../artifacts (crash-*,
# leak-*, timeout-*, oom-*); the committed corpus and regression inputs are read, never
# written. The last lines of .../log give the executions per second.
set -eu
cd "$(dirname "$0")/../.."
target=$1
seconds=$2
shift 2
program=build/fuzz/tests/fuzz/calsync_fuzz_$target
[ -x "$program" ] || { echo "no $program: build the fuzz preset first" >&2; exit 2; }
work=build/fuzz/long/$target
mkdir -p "$work/corpus" "$work/artifacts"
dictionary=$(sed -n "s/^calsync_fuzz_target($target DICTIONARY \([a-z]*\.dict\).*/\1/p" \
  tests/fuzz/CMakeLists.txt)
set -- ${dictionary:+-dict=tests/fuzz/$dictionary} "$@"
export ASAN_OPTIONS=quarantine_size_mb=16:detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:suppressions=$PWD/tests/fuzz/ubsan.supp
nice -n 19 "$program" -fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1 \
  -max_total_time="$seconds" -rss_limit_mb=256 -timeout=2 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$@" \
  "$work/corpus" "tests/fuzz/corpus/$target" "tests/fuzz/regressions/$target" \
  >"$work/log" 2>&1 || true
echo "$target: $(ls "$work/artifacts" | wc -l) artifacts in $work/artifacts; log in $work/log"
