#!/bin/sh
# The shared library exports calsync_* and nothing else, is named after the release
# (libcalsync.so.MAJOR.MINOR.PATCH) and carries the ABI major as SONAME, libcalsync.so.1,
# which a 1.x release's major is.
# usage: exported_symbols.sh PATH/TO/libcalsync.so.X.Y.Z X.Y.Z
set -eu
lib=$1 version=$2
[ "$(basename "$lib")" = "libcalsync.so.$version" ] || { echo "unexpected file name $lib for $version"; exit 1; }
soname=$(objdump -p "$lib" | awk '/SONAME/ {print $2}')
[ "$soname" = "libcalsync.so.${version%%.*}" ] || { echo "SONAME is '$soname' for version $version"; exit 1; }
[ "$soname" = libcalsync.so.1 ] || { echo "SONAME is '$soname'"; exit 1; }
symbols=$(nm -D --defined-only "$lib" | awk '{print $3}' | sed 's/@.*//' | grep -v '^$' | grep -Ev '^CALSYNC_1\.[0-9]+$')
others=$(echo "$symbols" | grep -v '^calsync_' || true)
[ -z "$others" ] || { echo "exported beyond calsync_*:"; echo "$others"; exit 1; }
for f in calsync_abi_version calsync_version calsync_last_error_message calsync_string_free \
         calsync_last_error_http_status calsync_last_error_retry_after \
         calsync_engine_blocked_slots calsync_engine_free_slots calsync_provider_new \
         calsync_provider_free calsync_provider_list_calendars calsync_provider_blocked_slots \
         calsync_provider_tokens calsync_oauth_new calsync_oauth_device_poll calsync_oauth_free \
         calsync_secret_seal calsync_secret_unseal calsync_client_new calsync_client_free \
         calsync_client_connect calsync_connection_sync calsync_client_run_due \
         calsync_client_confirm_free calsync_connection_free calsync_connection_watch \
         calsync_client_renew_push calsync_client_handle_push calsync_client_run_due_within \
         calsync_worker_new calsync_worker_run_once calsync_worker_free; do
  echo "$symbols" | grep -qx "$f" || { echo "missing $f"; exit 1; }
done
echo "ok: $(echo "$symbols" | wc -l) symbols, SONAME $soname"
