#!/usr/bin/env bash
# Network benchmark: Grotius (in-memory graph, policy filter during traversal) against networkx
# on the same synthetic graph and queries, alternating query by query (the reference runs as a
# child of the bench). Needs python3 with networkx (pip install networkx).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c 'import networkx' 2>/dev/null || { echo "bench/network.sh: pip install networkx" >&2; exit 1; }
cargo build --release --locked -q
target/release/grotius bench network --queries "${QUERIES:-300}" --reference
