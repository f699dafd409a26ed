#!/usr/bin/env bash
# Where a load's memory goes: loads a simulated world end to end (embedded, release), sampling the
# process's resident memory, then restarts each stage alone on the loaded data directory under
# heaptrack and attributes what it holds once restored (its retained state) to the code that
# allocated it. Prints peak RSS, store and log sizes, and each stage's retained heap.
#
#   benches/memory/run.sh INCIDENTS SEED [OUT_DIR]     e.g. benches/memory/run.sh 300000 2
#
# Needs heaptrack (apt-get install heaptrack). heaptrack sees only glibc's malloc, not the jemalloc the
# `orca` binary uses by default, so this builds its own `orca` without it (glibc's allocator) under
# target/heap-profile: the peak RSS it reports is glibc's (a quarter above jemalloc's at 300,000).
# Extra environment (e.g. MALLOC_ARENA_MAX=2) is passed to the load.
set -euo pipefail
incidents=${1:?incidents}; seed=${2:?seed}; out=${3:-target/memory-$incidents-$seed}
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v heaptrack >/dev/null || { echo "heaptrack is needed: apt-get install -y heaptrack" >&2; exit 2; }
cargo build --release -p orca-cli --no-default-features --target-dir "$root/target/heap-profile" \
  --manifest-path "$root/Cargo.toml"
orca=$root/target/heap-profile/release/orca
mkdir -p "$out"; out=$(cd "$out" && pwd)
world=$out/world; data=$out/data
[ -f "$world/incidents.jsonl" ] || "$orca" simulate --seed "$seed" --incidents "$incidents" --out "$world"
rm -rf "$data"

echo "== load ($incidents incidents, seed $seed)"
/usr/bin/time -v "$orca" ingest "$world/incidents.jsonl" --stores "$world/stores.csv" --data-dir "$data" \
  > "$out/load.out" 2> "$out/load.time" &
sleep 1
pid=$(pgrep -n -f "orca ingest $world/incidents.jsonl") || true
start=$(date +%s); : > "$out/rss.txt"
while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; do
  echo "$(( $(date +%s) - start )) $(awk '/VmRSS/ {print $2}' /proc/"$pid"/status 2>/dev/null)" >> "$out/rss.txt"
  sleep 5
done
wait || { cat "$out/load.time" >&2; exit 1; }
grep -E "Elapsed|Maximum resident|User time|System time" "$out/load.time"
du -sh "$data/orca.db" "$data/log" "$data/search"

echo "== retained heap per stage, restored alone from $data"
config=$out/serve.toml
cat > "$config" <<TOML
data_dir = "$data"
grpc_addr = "127.0.0.1:50171"
http_addr = "127.0.0.1:8191"
[log]
kind = "embedded"
TOML
for role in resolver linker intel; do
  heaptrack -o "$out/heap-$role" "$orca" serve "$role" --config "$config" > "$out/serve-$role.log" 2>&1 &
  for _ in $(seq 1 300); do curl -sf http://127.0.0.1:8191/readyz >/dev/null && break; sleep 1; done
  sleep 5
  rss=$(awk '/VmRSS/ {print $2}' /proc/"$(pgrep -n -f "orca serve $role")"/status)
  # Killed, not stopped: what is still allocated when the trace ends is what the stage holds.
  { pkill -KILL -f "orca serve $role"; wait; } 2>/dev/null || true  # quiet: killed on purpose
  heaptrack_print -f "$out/heap-$role.zst" -p 0 -a 0 -T 0 -l 0 --flamegraph-cost-type leaked \
    -F "$out/heap-$role.stacks" > /dev/null 2>&1
  echo "-- $role (RSS once restored $((rss / 1024)) MB)"
  python3 "$root/benches/memory/attribute.py" "$out/heap-$role.stacks" 12
done
