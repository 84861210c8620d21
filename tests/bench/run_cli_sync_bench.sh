#!/bin/sh
# The calsync CLI against a real CalDAV server, as issue 13 measured it: first syncs of
# EVENTS events (one object per resource, each in Europe/Berlin with its own VTIMEZONE), each
# from a fresh state, and syncs with nothing changed, interleaved REPEAT times with the raw
# requests they need.
#
#   sh tests/bench/run_cli_sync_bench.sh BUILD_DIR [radicale|xandikos] [EVENTS] [REPEAT]
# BUILD_DIR is a Release build with the CLI (target calsync_cli). Prints wall and CPU
# seconds (from /usr/bin/time) of each run, the medians, and the ratios of the median walls.
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
field() {  # name: that member of server.json
  $python -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" \
    "$work/server/server.json" "$1"
}
url=$(field url)
user=$(field user)
export CALSYNC_PASSWORD
CALSYNC_PASSWORD=$(field password)
if [ -z "$user" ]; then
  # Xandikos runs without authentication; the CLI's caldav connection always has a user, which
  # such a server ignores.
  user=bench
  CALSYNC_PASSWORD=unused
fi

fresh_state() {  # a new state directory, connected, the calendar selected
  export CALSYNC_STATE_DIR="$work/state$1"
  mkdir -p "$CALSYNC_STATE_DIR"
  cat > "$CALSYNC_STATE_DIR/config.json" <<EOF
{"zone": "Europe/Berlin", "window": {"days_back": 1, "days_ahead": 365},
 "network": {"allow_private_addresses": true}}
EOF
  "$cli" connect caldav "$url" --user "$user" --id bench > /dev/null
  "$cli" select Workshop --direction import > /dev/null
}
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
ratio() {  # label, label: the ratio of their median walls
  median "$1" > /dev/null
  a=$(cat "$work/w")
  median "$2" > /dev/null
  echo "$1 / $2: $(awk -v a="$a" -v b="$(cat "$work/w")" 'BEGIN {printf "%.2f", a / b}')x"
}

: > "$work/runs"
i=0
while [ "$i" -lt "$repeat" ]; do
  fresh_state "$i"
  timed first_sync "$cli" sync --all | tee -a "$work/runs"
  $python "$here/raw_dav_requests.py" "$work/server/server.json" | tee -a "$work/runs"
  timed unchanged_sync "$cli" sync --all | tee -a "$work/runs"
  $python "$here/raw_dav_requests.py" "$work/server/server.json" --incremental \
    | tee -a "$work/runs"
  rm -rf "$CALSYNC_STATE_DIR"
  i=$((i + 1))
done
median first_sync
median raw_full
median unchanged_sync
median raw_incremental
ratio first_sync raw_full
ratio unchanged_sync raw_incremental
