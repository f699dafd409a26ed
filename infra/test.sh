#!/usr/bin/env bash
# The test command: formatting, lints, and every test with the broker and database features on.
# Starts PostgreSQL and a Tansu broker if they are not running, and stops what it started.
#
#   infra/test.sh            everything
#   ORCA_SKIP_LINT=1 infra/test.sh   tests only
set -euo pipefail
# `cargo install` puts tansu here; the tests start private brokers with the same binary.
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
cd "$(dirname "$0")/.."

kafka_port=${ORCA_TEST_KAFKA_PORT:-19092}
started_postgres=""
started_tansu=""
cleanup() {
  if [[ -n "$started_tansu" ]]; then infra/tansu.sh stop "$kafka_port" || true; fi
  if [[ -n "$started_postgres" ]]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main stop || true
  fi
}
trap cleanup EXIT

# On a fresh machine Tansu is built from source (15-50 minutes): start that now, beside the lints.
installing_tansu=""
if ! command -v tansu >/dev/null 2>&1; then
  mkdir -p .orca
  echo "== installing tansu in the background (log: .orca/tansu-install.log)"
  infra/tansu.sh install >.orca/tansu-install.log 2>&1 &
  installing_tansu=$!
fi

# The last CI run died of a full disk while compiling; say how much there is, to tell that apart.
echo "== disk: $(df -h . | awk 'NR == 2 {print $4 " free of " $2}')"
echo "== build dependencies (OpenSSL headers for librdkafka's TLS)"
infra/build-deps.sh

if [[ -z "${ORCA_SKIP_LINT:-}" ]]; then
  echo "== cargo fmt --check"
  cargo fmt --all --check
  echo "== cargo clippy"
  cargo clippy --workspace --all-targets --features orca-tests/distributed -- -D warnings
fi

echo "== postgresql"
if [[ "$(infra/postgres.sh)" == started ]]; then started_postgres=1; fi
echo "== tansu"
if [[ -n "$installing_tansu" ]] && ! wait "$installing_tansu"; then
  echo "installing tansu failed:" >&2
  tail -30 .orca/tansu-install.log >&2
  exit 1
fi
if ! infra/tansu.sh status "$kafka_port" >/dev/null 2>&1; then
  infra/tansu.sh start "$kafka_port"
  started_tansu=1
fi

echo "== chromium (the printable package and the workspace's browser tests use it)"
infra/chromium.sh >/dev/null

export ORCA_TEST_KAFKA="127.0.0.1:$kafka_port"
export ORCA_TEST_POSTGRES="postgres://postgres@127.0.0.1:5432/postgres"
echo "== cargo test (kafka at $ORCA_TEST_KAFKA, postgres at $ORCA_TEST_POSTGRES)"
cargo test --workspace --no-fail-fast \
  --features orca-eventlog/kafka-tests,orca-store/postgres-tests,orca-tests/distributed
