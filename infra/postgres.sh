#!/usr/bin/env bash
# Makes sure the local PostgreSQL answers on 127.0.0.1:5432, starting the Debian cluster if it is
# down. Prints `started` if this script started it (so the caller can stop it again), else `running`.
set -euo pipefail

if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo running
  exit 0
fi
version=$(ls /etc/postgresql | sort -V | tail -1)
pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2
for _ in $(seq 1 100); do
  if pg_isready -h 127.0.0.1 -p 5432 -q; then
    echo started
    exit 0
  fi
  sleep 0.1
done
echo "postgresql did not become ready on 127.0.0.1:5432" >&2
exit 1
