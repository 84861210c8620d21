#!/bin/sh
# The calsync CLI against a real CalDAV server, as issue 13 measured it: a fresh state, a
# first sync of EVENTS events (one object per resource, each in Europe/Berlin with its own
# VTIMEZONE), then syncs with nothing changed, next to the raw requests they need.
#
#   sh tests/bench/run_cli_sync_bench.sh BUILD_DIR [radicale|xandikos] [EVENTS] [REPEAT]
# BUILD_DIR is a Release build with the CLI (target calsync_cli). Prints wall and CPU
# seconds (from /usr/bin/time) of each run, and the medians.
set -eu
build=$1
server=${2:-radicale}
events=${3:-10000}
repeat=${4:-5}
here=$(cd "$(dirname "$0")" && pwd)
tool=$here/../tools/dav_server.py
python=/usr/bin/python3
cli=$build/examples/cli/calsync
work=$(mktemp -d)
trap '$python "$tool" stop --dir "$work/server" || true; rm -rf "$work"' EXIT

uptime
$python "$tool" start "$server" --dir "$work/server" > /dev/null
$python "$tool" load --dir "$work/server" --count "$events" --zoned
mkdir -p "$work/state"
cat > "$work/state/config.json" <<EOF
{"zone": "Europe/Berlin", "window": {"days_back": 1, "days_ahead": 365},
 "network": {"allow_private_addresses": true}}
EOF
url=$($python -c "import json,sys; print(json.load(open(sys.argv[1]))['url'])" "$work/server/server.json")
user=$($python -c "import json,sys; print(json.load(open(sys.argv[1]))['user'])" "$work/server/server.json")
export CALSYNC_STATE_DIR="$work/state"
export CALSYNC_PASSWORD
CALSYNC_PASSWORD=$($python -c "import json,sys; print(json.load(open(sys.argv[1]))['password'])" "$work/server/server.json")
"$cli" connect caldav "$url" --user "$user" --id bench > /dev/null
"$cli" select Workshop --direction import > /dev/null

timed() {  # label, command...: prints "label wall cpu"
  label=$1
  shift
  /usr/bin/time -f "%e %U %S" -o "$work/time" "$@" > /dev/null
  awk -v l="$label" '{printf "%s %.3f %.3f\n", l, $1, $2 + $3}' "$work/time"
}
median() {  # label: the median wall and CPU of the lines with that label in $work/runs
  grep "^$1 " "$work/runs" | awk '{print $2}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}' > "$work/w"
  grep "^$1 " "$work/runs" | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}' > "$work/c"
  echo "$1 median: wall $(cat "$work/w") s, client CPU $(cat "$work/c") s"
}

: > "$work/runs"
timed first_sync "$cli" sync --all | tee -a "$work/runs"
i=0
while [ "$i" -lt "$repeat" ]; do
  timed unchanged_sync "$cli" sync --all | tee -a "$work/runs"
  $python "$here/raw_dav_requests.py" "$work/server/server.json" --incremental \
    | tee -a "$work/runs"
  $python "$here/raw_dav_requests.py" "$work/server/server.json" | tee -a "$work/runs"
  i=$((i + 1))
done
median unchanged_sync
median raw_incremental
median raw_full
