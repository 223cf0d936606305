#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks.
#   scripts/postgres.sh start [DIR]   initdb into DIR (default: a new temp dir), start the server on a
#                                     free 127.0.0.1 port and a unix socket in DIR, and print
#                                     "DATABASE_URL=... PGDIR=DIR" on stdout.
#   scripts/postgres.sh stop DIR      stop that server and delete DIR.
#   scripts/postgres.sh restart DIR   stop and start the same cluster (same port), for reliability tests.
#   scripts/postgres.sh halt DIR      stop the server but keep the cluster (`resume` starts it again).
#   scripts/postgres.sh resume DIR    start a halted cluster on its old port.
# initdb refuses to run as root, so as root the cluster belongs to the `postgres` user. Durability is
# switched off (fsync, synchronous_commit, full_page_writes): the data is thrown away anyway.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/log.sh

pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return; }
  done
  command -v initdb >/dev/null && { dirname "$(command -v initdb)"; return; }
  die "PostgreSQL server binaries not found (run scripts/install-deps.sh)"
}

# Runs a command as the cluster owner: `postgres` when we are root, ourselves otherwise.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

start_server() {
  local dir="$1" port="$2" bin="$3"
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=256MB" \
    start >/dev/null || { cat "$dir/server.log" >&2; die "PostgreSQL did not start (log above)"; }
}

cmd_start() {
  local bin dir port
  bin="$(pg_bin)"
  dir="${1:-$(mktemp -d /tmp/kg-pg.XXXXXX)}"
  mkdir -p "$dir"
  chmod 755 "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; die "initdb failed (log above)"; }
  port="$(free_port)"
  echo "$port" >"$dir/port"
  start_server "$dir" "$port" "$bin"
  echo "DATABASE_URL=postgresql://postgres@127.0.0.1:$port/postgres PGDIR=$dir"
}

cmd_stop() {
  local dir="${1:?usage: postgres.sh stop DIR}"
  [ -d "$dir/data" ] || die "$dir is not a cluster made by postgres.sh"
  as_owner "$(pg_bin)/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

cmd_restart() {
  local dir="${1:?usage: postgres.sh restart DIR}" bin
  bin="$(pg_bin)"
  as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  start_server "$dir" "$(cat "$dir/port")" "$bin"
}

cmd_halt() {
  local dir="${1:?usage: postgres.sh halt DIR}"
  as_owner "$(pg_bin)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
}

cmd_resume() {
  local dir="${1:?usage: postgres.sh resume DIR}"
  start_server "$dir" "$(cat "$dir/port")" "$(pg_bin)"
}

case "${1:-}" in
  start) cmd_start "${2:-}" ;;
  stop) cmd_stop "${2:-}" ;;
  restart) cmd_restart "${2:-}" ;;
  halt) cmd_halt "${2:-}" ;;
  resume) cmd_resume "${2:-}" ;;
  *) die "usage: scripts/postgres.sh start [DIR] | stop DIR | restart DIR | halt DIR | resume DIR" ;;
esac
