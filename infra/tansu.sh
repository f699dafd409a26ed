#!/usr/bin/env bash
# Installs (if missing) and runs a local Tansu broker, the Apache-2.0 Kafka-compatible broker ORCA
# uses for development and tests. Storage is SQLite, so topics survive a broker restart.
#
#   infra/tansu.sh start [PORT]   start on 127.0.0.1:PORT (default 9092) unless already running
#   infra/tansu.sh stop  [PORT]   stop the broker this script started on PORT
#   infra/tansu.sh status [PORT]
#   infra/tansu.sh install        install Tansu only (the end-to-end tests start private brokers)
#
# State lives in ${ORCA_TANSU_DIR:-.orca/tansu}/PORT (tansu.db, tansu.log, tansu.pid).
set -euo pipefail
# `cargo install` puts tansu here; the tests start private brokers with the same binary.
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

TANSU_VERSION=0.6.0
command=${1:-start}
port=${2:-9092}
root=${ORCA_TANSU_DIR:-.orca/tansu}
dir="$root/$port"
pidfile="$dir/tansu.pid"

install_tansu() {
  if command -v tansu >/dev/null 2>&1 && tansu --version 2>/dev/null | grep -q "$TANSU_VERSION"; then
    return
  fi
  echo "installing tansu $TANSU_VERSION (cargo install; 15-50 minutes on 2 cores)..." >&2
  # The default features carry no storage engine; libsql gives sqlite:// storage.
  cargo install tansu --version "$TANSU_VERSION" --locked --features dynostore,libsql >&2
}

listening() {
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

running() {
  [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

case "$command" in
  install)
    install_tansu
    ;;
  start)
    if running; then
      echo "tansu already running on 127.0.0.1:$port (pid $(cat "$pidfile"))"
      exit 0
    fi
    if listening; then
      echo "port $port is taken by another process; choose another port" >&2
      exit 1
    fi
    install_tansu
    mkdir -p "$dir"
    # The sqlite path is relative to the working directory (an absolute one gets mangled).
    # The pid file is written in the broker's directory, with the broker's own pid.
    (cd "$dir" && {
      nohup tansu broker \
        --listener-url "tcp://127.0.0.1:$port" \
        --advertised-listener-url "tcp://127.0.0.1:$port" \
        --storage-engine "sqlite://tansu.db" >tansu.log 2>&1 &
      echo $! >tansu.pid
    })
    for _ in $(seq 1 100); do
      if listening; then
        echo "tansu running on 127.0.0.1:$port (pid $(cat "$pidfile"), log $dir/tansu.log)"
        exit 0
      fi
      if ! running; then
        echo "tansu exited; see $dir/tansu.log" >&2
        tail -20 "$dir/tansu.log" >&2 || true
        exit 1
      fi
      sleep 0.1
    done
    echo "tansu did not start listening on $port within 10 s; see $dir/tansu.log" >&2
    exit 1
    ;;
  stop)
    if running; then
      kill "$(cat "$pidfile")" && rm -f "$pidfile"
      echo "tansu on $port stopped"
    else
      echo "no tansu started by this script on $port"
    fi
    ;;
  status)
    if running; then echo "running (pid $(cat "$pidfile"))"; else echo "not running"; exit 1; fi
    ;;
  *)
    echo "usage: $0 start|stop|status [PORT]" >&2
    exit 2
    ;;
esac
