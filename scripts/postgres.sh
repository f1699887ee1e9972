#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback for the store tests.
# Source it, then: mr_postgres_start; ...; mr_postgres_stop
# (or mr_postgres_unless_named: a server of its own only when MR_TEST_POSTGRES_URL
# names none, stopped when the script exits).
# It exports the connection string that @backstage/backend-test-utils'
# TestDatabases reads, so the same tests run on SQLite and PostgreSQL.

mr_postgres_start() {
  local bin
  bin=$(compgen -G '/usr/lib/postgresql/*/bin' | sort -V | tail -n 1)
  if [ -z "$bin" ]; then
    echo "postgres: no PostgreSQL server installed (scripts/system-deps.sh installs it)" >&2
    return 1
  fi
  local major
  major=$(basename "$(dirname "$bin")")
  MR_PG_DIR=$(mktemp -d /tmp/mr-postgres.XXXXXX)
  chmod 755 "$MR_PG_DIR"
  # initdb refuses to run as root: use the postgres user Debian creates.
  local as=()
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$MR_PG_DIR" postgres
    chown postgres "$MR_PG_DIR"
    as=(runuser -u postgres --)
  fi
  MR_PG_PORT=$(node -e 's=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  "${as[@]}" "$bin/initdb" -D "$MR_PG_DIR/data" -U postgres --auth=trust >/dev/null
  "${as[@]}" "$bin/pg_ctl" -D "$MR_PG_DIR/data" -l "$MR_PG_DIR/log" -w \
    -o "-h 127.0.0.1 -p $MR_PG_PORT -k $MR_PG_DIR -c fsync=off -c max_connections=200" start >/dev/null
  MR_PG_BIN="$bin"
  MR_PG_AS=("${as[@]}")
  local url="postgresql://postgres@127.0.0.1:$MR_PG_PORT"
  # TestDatabases reads one variable per engine it knows; point every
  # PostgreSQL one it may ask for at this server (whatever its major).
  export BACKSTAGE_TEST_DATABASE_POSTGRES_CONNECTION_STRING="$url"
  for v in 13 14 15 16 17 18; do
    export "BACKSTAGE_TEST_DATABASE_POSTGRES${v}_CONNECTION_STRING=$url"
  done
  export MR_TEST_POSTGRES_URL="$url"
  echo "postgres: PostgreSQL $major listening on 127.0.0.1:$MR_PG_PORT" >&2
}

mr_postgres_stop() {
  if [ -n "${MR_PG_DIR:-}" ] && [ -d "$MR_PG_DIR/data" ]; then
    "${MR_PG_AS[@]}" "$MR_PG_BIN/pg_ctl" -D "$MR_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$MR_PG_DIR"
  fi
}

mr_postgres_unless_named() {
  if [ -z "${MR_TEST_POSTGRES_URL:-}" ]; then
    mr_postgres_start
    trap mr_postgres_stop EXIT
  fi
}
