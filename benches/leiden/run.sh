#!/usr/bin/env bash
# Leiden benchmark: ORCA against python-igraph on cached LFR graphs; writes benches/leiden/RESULTS.md.
# Usage: benches/leiden/run.sh [--sizes 10000,100000[,1000000]] [--mixings 0.1,0.3,0.5]
#        [--qualities cpm,modularity] [--cpm-resolution 0.05] [--tools orca,igraph[,leidenalg]] [--seed 1]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
venv="$root/benches/.venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import igraph, leidenalg, networkit, networkx, sklearn" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet -r benches/leiden/requirements.txt
fi
target="${CARGO_TARGET_DIR:-$root/target}"
CARGO_TARGET_DIR="$target" cargo build --quiet --release -p orca-benches --bin leiden-bench
exec "$venv/bin/python" benches/leiden/bench.py --orca-bin "$target/release/leiden-bench" "$@"
