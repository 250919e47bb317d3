#!/usr/bin/env bash
# Headless-browser end-to-end test: start `BINARY demo` on a free port, run test.mjs against it.
#
#   .ci/browser/run.sh target/debug/grotius
#
# Needs node (>= 20), npm and Debian's chromium (/usr/bin/chromium); .ci/run installs them.
# GROTIUS_SCREENSHOT=1 also writes docs/screenshot.png.
set -euo pipefail

die() { echo "browser/run.sh: ERROR: $*" >&2; exit 2; }

[ $# -eq 1 ] || die "usage: $0 BINARY (e.g. target/debug/grotius)"
[ -x "$1" ] || die "$1 is not an executable file; build it first: cargo build -p grotius"
BIN=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
command -v node >/dev/null || die "node not found; install Node.js >= 20 (see .ci/run)"
command -v npm >/dev/null || die "npm not found; install npm (see .ci/run)"
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] ||
  die "${CHROMIUM:-/usr/bin/chromium} not found; apt-get install -y --no-install-recommends chromium"

echo "== npm dependencies (.ci/browser)" >&2
if [ -f "$HERE/package-lock.json" ]; then
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error) >&2 || die "npm ci failed in $HERE"
else
  (cd "$HERE" && npm install --no-audit --no-fund --loglevel=error) >&2 || die "npm install failed in $HERE"
fi

PORT=$(node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
BASE="http://127.0.0.1:$PORT"
DATA=$(mktemp -d /tmp/grotius-e2e.XXXXXX)
LOG="$DATA.log"
SERVER_PID=""

stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}
cleanup() { stop_server; rm -rf "$DATA" "$LOG"; }
trap cleanup EXIT
show_log() { echo "---- server log ($BIN demo), last 300 lines ----" >&2; tail -n 300 "$LOG" >&2 || true; echo "---- end of server log ----" >&2; }

echo "== starting $BIN demo on $BASE (data $DATA)" >&2
GROTIUS_DEMO_PASSWORD=demo-password-2026 "$BIN" demo --data "$DATA" --bind "127.0.0.1:$PORT" >"$LOG" 2>&1 &
SERVER_PID=$!

healthy() {
  node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(2000) })
    .then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))' "$BASE/healthz"
}
deadline=$((SECONDS + 120))
until healthy; do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    wait "$SERVER_PID" && rc=0 || rc=$?
    SERVER_PID=""
    show_log
    die "the server exited (status $rc) before $BASE/healthz answered 200"
  fi
  if [ $SECONDS -ge $deadline ]; then
    show_log
    die "$BASE/healthz did not return 200 within 120 s"
  fi
  sleep 0.5
done
echo "== server is up; running test.mjs" >&2

status=0
node "$HERE/test.mjs" "$BASE" || status=$?
stop_server
if [ $status -ne 0 ]; then
  show_log
  echo "browser/run.sh: the browser test failed (status $status)" >&2
fi
exit $status
