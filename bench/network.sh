#!/usr/bin/env bash
# Network benchmark: Grotius (in-memory graph, policy filter during traversal) against networkx
# on the same synthetic graph and queries. Needs python3 with networkx (pip install networkx).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c 'import networkx' 2>/dev/null || { echo "bench/network.sh: pip install networkx" >&2; exit 1; }
cargo build --release --locked -q
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
target/release/grotius bench network --queries "${QUERIES:-300}" --export "$DIR"
python3 bench/network_reference.py "$DIR"
