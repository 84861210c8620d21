#!/bin/sh
# Writes a new ABI baseline from a built library (it reads the library's debug
# information: a release build has it). Run on purpose only; see capi/abi/README.md.
#
#   sh capi/abi/abi_update.sh build/release/libcalsync.so.1 [OUT] [HEADERS_DIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${2:-$here/libcalsync.abi}
headers=${3:-$here/../include}
# Only what the public header declares, reachable from exported functions: the C++
# inside is no part of the ABI.
abidw --headers-dir "$headers" --drop-private-types --exported-interfaces-only \
  --no-corpus-path --no-comp-dir-path --out-file "$out" "$1"
echo "wrote $out"
