#!/usr/bin/env bash
# Makes sure Debian's headless-capable Chromium is installed, for the printable-package test
# (`cargo test -p orca-tests --test printable` renders a package to PNG and PDF with it) and the
# workspace's browser tests (`cargo test -p orca-runtime --test workspace`), and prints
# its path. Installs with apt-get when it is missing (as root, or through sudo otherwise).
set -euo pipefail

if ! command -v chromium >/dev/null 2>&1; then
  sudo=""
  if [[ "$(id -u)" != 0 ]]; then sudo="sudo"; fi
  echo "installing chromium (apt-get)..." >&2
  $sudo apt-get update >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y chromium >&2
fi
command -v chromium
