#!/bin/sh
# Compares a built libcalsync with the ABI baseline kept here and fails when the library
# no longer offers what the baseline promised: a function removed, or a function whose
# parameters, return type or the types they reach (struct layouts, enums) changed.
# Additions (new functions) are compatible: reported, not failed.
#
#   sh capi/abi/abi_check.sh LIBRARY [BASELINE] [HEADERS_DIR]
#
# To change the baseline on purpose, see capi/abi/README.md.
set -u
here=$(cd "$(dirname "$0")" && pwd)
lib=$1
baseline=${2:-$here/libcalsync.abi}
headers=${3:-$here/../include}
out=$(abidiff --exported-interfaces-only --drop-private-types --headers-dir2 "$headers" "$baseline" "$lib" 2>&1)
rc=$?
# abidiff's status is a bit field: 1 tool error, 2 usage error, 4 ABI change, 8 a change
# it knows to be incompatible (a removed symbol). A changed function (bit 4 only) needs
# judgement in general; for a C ABI promised stable it is a break, so it fails here too.
if [ $((rc & 3)) -ne 0 ]; then
  echo "abidiff could not compare (status $rc):"
  echo "$out"
  exit 1
fi
count() {  # the sum of "<n> $1" over abidiff's summary lines
  echo "$out" | grep 'changes summary' | grep -o "[0-9][0-9]* $1" | awk '{s += $1} END {print s + 0}'
}
removed=$(count Removed)
changed=$(count Changed)
added=$(count Added)
if [ $((rc & 8)) -ne 0 ] || [ "$removed" -gt 0 ] || [ "$changed" -gt 0 ]; then
  echo "INCOMPATIBLE ABI CHANGE against $(basename "$baseline"): $removed removed, $changed changed"
  echo "$out"
  exit 1
fi
if [ "$added" -gt 0 ]; then
  echo "$added compatible additions (refresh the baseline when releasing them):"
  echo "$out"
fi
echo "ok: no incompatible change against $(basename "$baseline")"
