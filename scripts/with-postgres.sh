#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL 15 cluster: started here in a temporary data
# directory (as the postgres user when run as root: PostgreSQL refuses root), stopped afterwards.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
# A free port unless one is given: two runs at once must not meet on the same cluster.
PG_PORT=${PG_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
data_dir=$(mktemp -d /tmp/erp-bridge-pg.XXXXXX)

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

[ "$(id -u)" -eq 0 ] && chown postgres "$data_dir"
cleanup() {
  as_pg "$PG_BIN/pg_ctl" -D "$data_dir" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$data_dir"
}
trap cleanup EXIT

as_pg "$PG_BIN/initdb" -D "$data_dir" -U postgres --auth=trust -E UTF8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$data_dir" -l "$data_dir/server.log" -w \
  -o "-p $PG_PORT -k $data_dir -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" start >/dev/null
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT"

DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/erp_bridge" "$@"
