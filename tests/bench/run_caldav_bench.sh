#!/bin/sh
# CalDAV sync benchmark: for Radicale and Xandikos in turn, start the server on 127.0.0.1,
# write 10,000 events straight into its storage, run bench_caldav (calsync and the raw
# yardstick) and the python3-caldav peer, and stop the server.
#
#   sh tests/bench/run_caldav_bench.sh BUILD_DIR [EVENTS] [REPEAT]
# BUILD_DIR is a Release build with benchmarks on (e.g. build/bench). The peer's full sync
# GETs every event one by one; on Xandikos (O(collection) per GET) that takes most of an
# hour for 10,000 events, so it runs there only with CALSYNC_PEER_SYNC_XANDIKOS=1.
# CALSYNC_BENCH_ZONED=1 writes every event in Europe/Berlin with its own VTIMEZONE, as
# Google and Apple serve them (issue 13 measured that case).
set -eu
build=$1
events=${2:-10000}
repeat=${3:-5}
here=$(cd "$(dirname "$0")" && pwd)
tool=$here/../tools/dav_server.py
python=/usr/bin/python3
work=$(mktemp -d)
trap 'for s in radicale xandikos; do $python "$tool" stop --dir "$work/$s" || true; done; rm -rf "$work"' EXIT

uptime
# Repetitions are interleaved at random, so no variant always meets a cold server (Xandikos
# answers a query shape faster once it has seen it a few times).
for server in ${CALSYNC_BENCH_SERVERS:-radicale xandikos}; do
  dir=$work/$server
  $python "$tool" start "$server" --dir "$dir" > /dev/null
  $python "$tool" load --dir "$dir" --count "$events" ${CALSYNC_BENCH_ZONED:+--zoned}
  echo
  echo "== $server, $events events =="
  CALSYNC_DAV_SERVER=$dir/server.json CALSYNC_BENCH_EVENTS=$events \
    "$build/tests/bench/bench_caldav" --benchmark_repetitions="$repeat" \
    --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true
  echo "-- python3-caldav --"
  sync_repeat=1
  if [ "$server" = xandikos ] && [ "${CALSYNC_PEER_SYNC_XANDIKOS:-0}" != 1 ]; then sync_repeat=0; fi
  $python "$here/peer_caldav.py" "$dir/server.json" --repeat "$repeat" --sync-repeat "$sync_repeat"
  $python "$tool" stop --dir "$dir"
done
