#!/usr/bin/env bash
# HTTP benchmark of the platform foundation: authenticated reads against the unauthenticated
# health check (database ping only) on the same server and against a bare axum "hello"
# (bench/hello: the same HTTP stack with nothing behind it, the machine's ceiling), alternately
# in one run, at 64 concurrent connections with wrk (both on the same 2 cores); idle and loaded
# memory of the server.
#
#   bench/http.sh            # builds --release, runs 2 rounds of 15 s per endpoint
#   ROUNDS=3 SECS=20 bench/http.sh
#
# Needs: wrk (apt-get install wrk), curl. Prints a Markdown table for BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-2}
SECS=${SECS:-15}
command -v wrk >/dev/null || { echo "bench/http.sh: wrk is missing: apt-get install -y wrk" >&2; exit 1; }
cargo build --release --locked -q
cargo build --release --locked -q --manifest-path bench/hello/Cargo.toml --target-dir target/bench-hello
BIN=target/release/grotius
HELLO=target/bench-hello/release/bench-hello
DATA=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
export GROTIUS_DEMO_PASSWORD=bench-password-2026
RUST_LOG=warn "$BIN" demo --data "$DATA" --bind "127.0.0.1:$PORT" >"$DATA/server.log" 2>&1 &
PID=$!
HPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$HELLO" "127.0.0.1:$HPORT" &
HPID=$!
trap 'kill $PID $HPID 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 100); do curl -fs "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs "$BASE/healthz" >/dev/null || { echo "server did not start:"; cat "$DATA/server.log"; exit 1; }
sleep 3
rss() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$PID/status"; }
IDLE=$(rss)
TOKEN=$(curl -fs -X POST "$BASE/api/v1/auth/token" -H 'content-type: application/json' \
  -d '{"username":"analyst","password":"bench-password-2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

# wrk → "rps p50 p99" (latencies in ms)
run() {
  local url=$1; shift
  wrk -t2 -c64 -d"${SECS}s" --latency "$@" "$url" | awk '
    /Requests\/sec/ {rps=$2}
    function ms(v) { if (v ~ /us$/) { sub(/us$/,"",v); return v/1000 } if (v ~ /ms$/) { sub(/ms$/,"",v); return v } if (v ~ /s$/) { sub(/s$/,"",v); return v*1000 } return v }
    $1=="50%" {p50=ms($2)} $1=="99%" {p99=ms($2)}
    /Non-2xx/ {bad=$NF}
    END { if (bad != "") { print "non-2xx responses: " bad > "/dev/stderr"; exit 1 } printf "%.0f %.2f %.2f\n", rps, p50, p99 }'
}

declare -A RPS P50 P99
ENDPOINTS=("GET /healthz (database ping, no auth)" "GET /api/v1/me (bearer token → policy subject)" "GET /api/v1/processes?limit=20 (bearer, policy-filtered list + count, decrypts notes)" "bare axum hello (bench/hello, the ceiling)")
for round in $(seq 1 "$ROUNDS"); do
  for i in 3 0 1 2; do
    case $i in
      0) out=$(run "$BASE/healthz") ;;
      1) out=$(run "$BASE/api/v1/me" -H "Authorization: Bearer $TOKEN") ;;
      2) out=$(run "$BASE/api/v1/processes?limit=20" -H "Authorization: Bearer $TOKEN") ;;
      3) out=$(run "http://127.0.0.1:$HPORT/") ;;
    esac
    read -r r p5 p9 <<<"$out"
    RPS[$i]="${RPS[$i]:-} $r"; P50[$i]="${P50[$i]:-} $p5"; P99[$i]="${P99[$i]:-} $p9"
    echo "round $round: ${ENDPOINTS[$i]}: $r req/s, p50 $p5 ms, p99 $p9 ms" >&2
  done
done
LOADED=$(rss)
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
base=$(echo "${RPS[0]}" | median)
bare=$(echo "${RPS[3]}" | median)
echo
echo "| endpoint (wrk -t2 -c64, ${SECS}s × $ROUNDS rounds, medians) | req/s | p50 ms | p99 ms | vs /healthz | share of bare axum |"
echo "|---|---:|---:|---:|---:|---:|"
for i in 3 0 1 2; do
  r=$(echo "${RPS[$i]}" | median)
  printf "| %s | %s | %s | %s | %.2f× | %.0f %% |\n" "${ENDPOINTS[$i]}" "$r" "$(echo "${P50[$i]}" | median)" "$(echo "${P99[$i]}" | median)" "$(echo "$r / $base" | bc -l)" "$(echo "100 * $r / $bare" | bc -l)"
done
echo
echo "Server memory (RSS): idle ${IDLE} MiB, after the load ${LOADED} MiB. Backend: SQLite (WAL, synchronous=FULL), demo data."
