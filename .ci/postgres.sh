#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the tests and print its URL.
#
#   .ci/postgres.sh          start (or reuse) and print postgres://postgres@127.0.0.1:PORT/grotius_test
#   .ci/postgres.sh stop     stop it and delete its data directory
#   .ci/postgres.sh status   exit 0 if it is running
#
# Uses Debian's postgresql package (highest /usr/lib/postgresql/*/bin), trust auth, listens only on
# 127.0.0.1. Port: $GROTIUS_PG_PORT, default 55432 (the next free one is taken if that one is busy
# with something that is not PostgreSQL). Data dir: /tmp/grotius-pg-PORT. Only the URL goes to
# stdout; everything else goes to stderr. Runs the server as the `postgres` OS user when run as root.
set -euo pipefail

DB=grotius_test
BASE_PORT="${GROTIUS_PG_PORT:-55432}"

log() { echo "postgres.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  die "no /usr/lib/postgresql/*/bin/initdb; install it with: apt-get install -y --no-install-recommends postgresql"
fi

# Run a PostgreSQL binary as the postgres OS user (root may not run the server).
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "OS user 'postgres' is missing (it comes with Debian's postgresql package)"
    (cd /tmp && runuser -u postgres -- "$@")
  else
    (cd /tmp && "$@")
  fi
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pg_up() { "$BIN/pg_isready" -q -h 127.0.0.1 -p "$1" -U postgres -d postgres >/dev/null 2>&1; }
datadir() { echo "/tmp/grotius-pg-$1"; }

# Find our port: the first one from BASE_PORT that already runs PostgreSQL or is free.
PORT=""
for p in $(seq "$BASE_PORT" $((BASE_PORT + 20))); do
  if pg_up "$p" || ! port_busy "$p"; then PORT=$p; break; fi
  log "port $p is busy with something that is not PostgreSQL, trying the next one"
done
[ -n "$PORT" ] || die "no free port in $BASE_PORT..$((BASE_PORT + 20)); set GROTIUS_PG_PORT"
DATA=$(datadir "$PORT")

case "${1:-start}" in
  status) pg_up "$PORT"; exit ;;
  stop)
    if [ -f "$DATA/PG_VERSION" ]; then
      as_pg "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >&2 || true
    fi
    rm -rf "$DATA" "$DATA.log"
    exit 0 ;;
  start) ;;
  *) die "usage: $0 [start|stop|status]" ;;
esac

if pg_up "$PORT"; then
  log "PostgreSQL already running on 127.0.0.1:$PORT, reusing it"
else
  log "starting PostgreSQL ($BIN) on 127.0.0.1:$PORT, data in $DATA"
  rm -rf "$DATA" "$DATA.log"
  mkdir -p "$DATA"
  touch "$DATA.log"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$DATA" "$DATA.log"; fi
  chmod 700 "$DATA"
  out=$(as_pg "$BIN/initdb" -D "$DATA" --username=postgres --auth=trust --encoding=UTF8 --locale=C \
    --no-sync 2>&1) || { echo "$out" >&2; die "initdb failed (output above)"; }
  as_pg "$BIN/pg_ctl" -D "$DATA" -l "$DATA.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA -c fsync=off -c full_page_writes=off" start >&2 || {
    cat "$DATA.log" >&2 || true
    die "pg_ctl start failed (server log above)"
  }
fi

for _ in $(seq 60); do pg_up "$PORT" && break; sleep 1; done
pg_up "$PORT" || die "PostgreSQL on 127.0.0.1:$PORT does not accept connections after 60 s (log: $DATA.log)"

PSQL=("$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA)
if [ "$("${PSQL[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]; then
  "${PSQL[@]}" -c "CREATE DATABASE $DB" >&2 || die "could not create database $DB"
fi

echo "postgres://postgres@127.0.0.1:$PORT/$DB"
