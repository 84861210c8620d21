#!/bin/sh
# A private PostgreSQL server for the store tests, as the CalDAV tests start Radicale:
#   pg_server.sh start STATE   initdb + pg_ctl in a new temporary directory, a Unix socket
#                              only (no TCP port to collide with) on a random port; writes
#                              "SOCKET_DIR PORT" to the file STATE
#   pg_server.sh stop STATE    stops that server and removes its directory
# initdb and postgres refuse to run as root: as root (CI) they run as the postgres user.
# The package's own cluster (port 5432) is never used or touched. fsync is off: the tests
# check what the store commits and when, not the disk under PostgreSQL, and the machine's
# disk is shared. CALSYNC_PG_OPTIONS adds server options (e.g. "-c log_statement=all" to
# count a benchmark's statements).
set -eu
action=$1
state=$2
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case $action in
start)
  dir=$(mktemp -d "${TMPDIR:-/tmp}/calsync-pg.XXXXXX")
  if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
  port=$(shuf -i 20000-60000 -n 1)
  as_postgres "$bin/initdb" -D "$dir/data" -A trust -U calsync -E UTF8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-k $dir -p $port -c listen_addresses='' -c fsync=off ${CALSYNC_PG_OPTIONS:-}" start >/dev/null ||
    { cat "$dir/server.log" >&2; exit 1; }
  echo "$dir $port" >"$state"
  ;;
stop)
  [ -f "$state" ] || exit 0
  read -r dir port <"$state"
  as_postgres "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir" "$state"
  ;;
*)
  echo "usage: $0 start|stop STATE" >&2
  exit 2
  ;;
esac
