#!/bin/sh
# The release library carries no test hook: neither the code that reads
# CALSYNC_TEST_THROW_IN nor the variable's name (capi/test_hooks.hpp). The tests' library
# does, which shows the search would find it.
# usage: no_test_hooks.sh PATH/TO/libcalsync.so PATH/TO/libcalsync_test_hooks.so
set -eu
release=$1
hooked=$2
if strings -a "$release" | grep -q CALSYNC_TEST_THROW_IN; then
  echo "the release library $release holds CALSYNC_TEST_THROW_IN"
  exit 1
fi
if ! strings -a "$hooked" | grep -q CALSYNC_TEST_THROW_IN; then
  echo "the test library $hooked lacks CALSYNC_TEST_THROW_IN: the search proves nothing"
  exit 1
fi
echo "ok: no test hook in $(basename "$release")"
