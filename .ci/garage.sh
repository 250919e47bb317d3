#!/usr/bin/env bash
# A throwaway single-node Garage (S3-compatible object store) for the tests.
#
#   .ci/garage.sh install   install the pinned version with cargo (skipped when it is there)
#   .ci/garage.sh           start (or reuse) it and print, one per line, the environment the
#                           tests need: AWS_ENDPOINT, AWS_REGION, AWS_ACCESS_KEY_ID,
#                           AWS_SECRET_ACCESS_KEY, AWS_ALLOW_HTTP, GROTIUS_TEST_BLOBS
#   .ci/garage.sh stop      stop it and delete its data
#
# Garage is a separate server (AGPL-3.0): nothing of it is linked into Grotius. Port of the S3
# API: $GROTIUS_GARAGE_PORT, default 39000 (RPC on the port + 1, admin on + 3). Data, metadata and
# config in /tmp/grotius-garage-PORT. Only the environment lines go to stdout.
set -euo pipefail

VERSION=2.5.0
PORT="${GROTIUS_GARAGE_PORT:-39000}"
DIR="/tmp/grotius-garage-$PORT"
CFG="$DIR/garage.toml"
BUCKET=grotius-test
# A fixed test key (Garage accepts imported keys: GK + 24 hex digits, 64 hex digits of secret).
KEY_ID=GK0123456789abcdef01234567
SECRET=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef

log() { echo "garage.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

GARAGE=$(command -v garage || echo "$HOME/.cargo/bin/garage")

installed() { [ -x "$GARAGE" ] && "$GARAGE" --version 2>/dev/null | grep -qE "[:v]${VERSION//./\\.}( |$)"; }

case "${1:-start}" in
  install)
    if installed; then
      log "garage v$VERSION already installed at $GARAGE"
    else
      # Only what the tests use (the SQLite metadata engine; no metrics, LMDB or K2V), built at
      # opt-level 1: a test server, built in a fraction of the default release build's time.
      log "installing garage v$VERSION with cargo (several minutes on 2 cores)"
      CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_DEBUG=false \
        cargo install garage --version "$VERSION" --locked \
        --no-default-features --features bundled-libs,sqlite >&2 || die "cargo install garage failed"
    fi
    exit 0 ;;
  stop)
    if [ -f "$DIR/pid" ]; then kill "$(cat "$DIR/pid")" 2>/dev/null || true; fi
    sleep 1
    rm -rf "$DIR"
    exit 0 ;;
  start) ;;
  *) die "usage: $0 [install|start|stop]" ;;
esac

installed || die "garage v$VERSION is not installed: run .ci/garage.sh install"
g() { "$GARAGE" -c "$CFG" "$@"; }
up() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

if [ -f "$DIR/pid" ] && kill -0 "$(cat "$DIR/pid")" 2>/dev/null && up; then
  log "garage already running on 127.0.0.1:$PORT, reusing it"
else
  rm -rf "$DIR"
  mkdir -p "$DIR/meta" "$DIR/data"
  cat > "$CFG" <<EOF
metadata_dir = "$DIR/meta"
data_dir = "$DIR/data"
db_engine = "sqlite"
replication_factor = 1
rpc_bind_addr = "127.0.0.1:$((PORT + 1))"
rpc_public_addr = "127.0.0.1:$((PORT + 1))"
rpc_secret = "$(openssl rand -hex 32 2>/dev/null || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"

[s3_api]
s3_region = "garage"
api_bind_addr = "127.0.0.1:$PORT"

[admin]
api_bind_addr = "127.0.0.1:$((PORT + 3))"
EOF
  chmod 600 "$CFG"
  log "starting garage v$VERSION on 127.0.0.1:$PORT (log $DIR/garage.log)"
  RUST_LOG=warn nohup "$GARAGE" -c "$CFG" server >"$DIR/garage.log" 2>&1 &
  echo $! > "$DIR/pid"
  for _ in $(seq 60); do up && g status >/dev/null 2>&1 && break; sleep 0.5; done
  g status >/dev/null 2>&1 || { cat "$DIR/garage.log" >&2; die "garage did not start (log above)"; }
  node=$(g node id -q 2>/dev/null | head -n 1 | cut -d@ -f1)
  [ -n "$node" ] || die "could not read garage's node id"
  g layout assign -z dc1 -c 10G "$node" >&2
  g layout apply --version 1 >&2
  g key import --yes -n grotius-test "$KEY_ID" "$SECRET" >&2
  g bucket create "$BUCKET" >&2
  g bucket allow --read --write --owner "$BUCKET" --key "$KEY_ID" >&2
fi

echo "AWS_ENDPOINT=http://127.0.0.1:$PORT"
echo "AWS_REGION=garage"
echo "AWS_ACCESS_KEY_ID=$KEY_ID"
echo "AWS_SECRET_ACCESS_KEY=$SECRET"
echo "AWS_ALLOW_HTTP=true"
echo "GROTIUS_TEST_BLOBS=s3://$BUCKET"
