#!/bin/sh
# clang-tidy with the project's .clang-tidy over every .cpp of src/, capi/ and examples/cli/
# (and, through HeaderFilterRegex, the project headers they include); fails on any warning.
#   sh tests/lint/clang_tidy.sh [BUILD_DIR]    BUILD_DIR holds compile_commands.json
#                                              (default build/release)
# CLANG_TIDY names the program (default clang-tidy), CALSYNC_LINT_JOBS the files checked at
# once (default: every core). About 13 minutes with two jobs on two cores, so no preset runs
# it: `ctest --test-dir build/release -L lint`, or this script, before a merge.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build/release}" && pwd)
tidy=${CLANG_TIDY:-clang-tidy}
jobs=${CALSYNC_LINT_JOBS:-$(nproc 2>/dev/null || echo 2)}
if [ ! -f "$build/compile_commands.json" ]; then
  echo "no $build/compile_commands.json: configure with a preset first" >&2
  exit 2
fi
cd "$root"
find src capi examples/cli -name '*.cpp' | sort |
  xargs -P "$jobs" -n 1 "$tidy" -p "$build" --quiet --warnings-as-errors='*'
echo "clang-tidy: no warning in $(find src capi examples/cli -name '*.cpp' | wc -l) files"
