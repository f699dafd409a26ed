#!/usr/bin/env bash
# Page timings of the browser workspace on a loaded store, measured in headless Chromium.
#
#   benches/workspace/run.sh INCIDENTS SEED [DATA_DIR]     e.g. benches/workspace/run.sh 1000000 2
#
# Loads the demo world of INCIDENTS incidents into DATA_DIR (default target/workspace-INCIDENTS-SEED)
# with `orca demo --exit-after-load` unless it is already there, serves it with `orca serve all`,
# signs in as the demo's analyst and as the force with the most packages, and prints, for each page,
# the median and worst time from the start of navigation to first render and to every section
# loaded (`workspace-timings`, 5 runs a page after a warm-up). Needs `chromium` (infra/chromium.sh).
set -euo pipefail
incidents=${1:?incidents}; seed=${2:?seed}
root=$(cd "$(dirname "$0")/../.." && pwd)
data=${3:-$root/target/workspace-$incidents-$seed}
http=127.0.0.1:18181; grpc=127.0.0.1:15151
command -v chromium >/dev/null || "$root/infra/chromium.sh" >/dev/null
cargo build --release -p orca-cli -p orca-benches --bin orca --bin workspace-timings --manifest-path "$root/Cargo.toml"
orca=$root/target/release/orca; timings=$root/target/release/workspace-timings

if [ ! -f "$data/keys.json" ]; then
  echo "== loading $incidents incidents (seed $seed) into $data"
  /usr/bin/time -v "$orca" demo --incidents "$incidents" --seed "$seed" --data-dir "$data" --exit-after-load \
    --grpc-addr "$grpc" --http-addr "$http" > "$data.load.out" 2> "$data.load.time"
  grep -E "elapsed" "$data.load.out"
  grep -E "Elapsed|Maximum resident" "$data.load.time"
fi

config=$(mktemp --suffix .toml)
cat > "$config" <<EOF
data_dir = "$data"
grpc_addr = "$grpc"
http_addr = "$http"
# The timings repeat every page many times with one key: measure rendering, not the per-key
# request limit (50 a second in production).
[limits.requests_per_key]
per_second = 1000000.0
burst = 1000000.0
EOF
echo "== serving $data"
started=$(date +%s.%N)
"$orca" serve all --config "$config" > "$data.serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -f "$config"' EXIT
until curl -sf "http://$http/readyz" >/dev/null; do
  kill -0 $server 2>/dev/null || { tail -20 "$data.serve.log" >&2; exit 1; }
  sleep 1
done
echo "ready in $(awk "BEGIN {printf \"%.1f\", $(date +%s.%N) - $started}") s, RSS $(awk '/VmRSS/ {print $2/1e6 " GB"}' /proc/$server/status)"

analyst=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["analysts"]["opal-demo"])' "$data/keys.json")
force=$(grep -A1 "packages per force" "$data.load.out" 2>/dev/null | tail -1 | awk '{print $1}')
force=${force:-metropolitan}
force_key=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["forces"][sys.argv[2]])' "$data/keys.json" "$force")
echo "== timings (analyst opal-demo; force $force)"
"$timings" "http://$http" "$analyst" "$force_key" 5
