#!/usr/bin/env bash
# Runs a command with a PostgreSQL server of its own: a cluster in a temporary folder, on a free
# port of 127.0.0.1, run as the postgres user when we are root (PostgreSQL refuses root), stopped
# and removed at the end whatever happens. The command sees SECOR_TEST_POSTGRES, a URL of the
# server's maintenance database; tests make a database of their own from it.
# If the server cannot start, the command runs without it (its PostgreSQL tests say why they are
# skipped), unless SECOR_REQUIRE_POSTGRES=1 (CI), when that is a failure.
set -uo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
dir=$(mktemp -d /tmp/secor-pg.XXXXXX)
chmod 755 "$dir"
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
started=0
cleanup() {
  if [ "$started" = 1 ]; then as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

why=""
if [ -z "$bin" ]; then
  why="PostgreSQL is not installed (Debian's postgresql package)"
else
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  if ! as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
    why="initdb failed: $(tail -3 "$dir/initdb.log")"
  elif ! as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null 2>&1; then
    why="the server did not start: $(tail -3 "$dir/server.log" 2>/dev/null)"
  else
    started=1
    export SECOR_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
    echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') for the tests at 127.0.0.1:$port (cluster in $dir)"
  fi
fi
if [ "$started" = 0 ]; then
  echo "PostgreSQL tests will be skipped: $why" >&2
  if [ "${SECOR_REQUIRE_POSTGRES:-0}" = 1 ]; then exit 1; fi
fi
"$@"
