#!/bin/sh
# Proves abi_check.sh tells a compatible change from a break: builds v1 of a tiny library,
# dumps its baseline, then checks an added function (must pass) and a changed signature
# and struct layout (must fail).
#   run.sh CC SOURCE_DIR WORK_DIR
set -eu
cc=$1
src=$2
work=$3
abi=$src/../../../capi/abi
rm -rf "$work" && mkdir -p "$work"
build() { "$cc" -g -shared -fPIC -I"$src" "$@"; }
build -o "$work/v1.so" "$src/v1.c"
sh "$abi/abi_update.sh" "$work/v1.so" "$work/v1.abi" "$src"
build -DSELFTEST_ADDED -o "$work/added.so" "$src/v2.c"
build -DSELFTEST_BROKEN -o "$work/broken.so" "$src/v2.c"
sh "$abi/abi_check.sh" "$work/added.so" "$work/v1.abi" "$src" || { echo "an addition was refused"; exit 1; }
if sh "$abi/abi_check.sh" "$work/broken.so" "$work/v1.abi" "$src"; then
  echo "a changed signature and struct layout passed the check"
  exit 1
fi
echo "selftest ok: the addition passed, the break failed"
