#!/usr/bin/env bash
# End-to-end benchmark: embedded against distributed mode on the same simulated world.
# Usage: benches/e2e/run.sh [incidents (default 20000)] [seed (default 1)] [paced rate per second (default 500)]
# Builds the release `orca` binary and the bench, starts PostgreSQL if it is down, installs Tansu
# if it is missing (the bench starts its own private broker), and prints the figures.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
target="${CARGO_TARGET_DIR:-$root/target}"
CARGO_TARGET_DIR="$target" cargo build --quiet --release -p orca-cli -p orca-benches --bin orca --bin e2e-bench
infra/postgres.sh >/dev/null
if ! command -v tansu >/dev/null 2>&1; then infra/tansu.sh install; fi
export ORCA_TEST_KAFKA="${ORCA_TEST_KAFKA:-private}"
export ORCA_TEST_POSTGRES="${ORCA_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}"
exec "$target/release/e2e-bench" "$@"
