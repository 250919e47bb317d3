#!/usr/bin/env bash
# Opinion groups at scale (issue 14, BENCHMARKS.md "Dialogues"): ours on the synthetic
# 100,000 x 2,000 conversation with 10 million votes (twice, in fresh processes, to show the
# result hash is the same), then ours, red-dwarf and a plain numpy pipeline side by side on
# 20,000 x 1,000 with 1 million votes (the same generated votes, written as CSV).
# Needs python3 with red-dwarf (pip install red-dwarf==0.4.0, which brings numpy, pandas and
# scikit-learn); PYTHON=... picks the interpreter (e.g. a venv's).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
"$PY" -c 'import reddwarf, sklearn' 2>/dev/null || { echo "bench/dialogue.sh: pip install red-dwarf==0.4.0" >&2; exit 1; }
TARGET="${CARGO_TARGET_DIR:-target}"
"${CARGO:-cargo}" build --release --locked -q -p grotius-analysis --example dialogue_scale
BIN="$TARGET/release/examples/dialogue_scale"
CSV="$(mktemp -d)"
trap 'rm -rf "$CSV"' EXIT
echo "== ours, 100,000 x 2,000, 10,000,000 votes (fresh process 1)"
"$BIN" --participants 100000 --statements 2000 --votes 10000000 --runs "${RUNS:-5}"
echo "== ours, 100,000 x 2,000, 10,000,000 votes (fresh process 2)"
"$BIN" --participants 100000 --statements 2000 --votes 10000000 --runs 1
echo "== ours, 20,000 x 1,000, 1,000,000 votes"
"$BIN" --participants 20000 --statements 1000 --votes 1000000 --runs "${RUNS:-5}" --write-csv "$CSV"
echo "== red-dwarf, same votes"
"$PY" -W ignore bench/dialogue_reference.py "$CSV" --impl reddwarf
echo "== numpy / scikit-learn, same votes"
"$PY" -W ignore bench/dialogue_reference.py "$CSV" --impl numpy
