#!/usr/bin/env bash
# Makes sure the C libraries ORCA's build links are installed: OpenSSL's headers and pkg-config, for
# librdkafka's TLS (Kafka over SSL and SASL_SSL). Installs them with apt-get when missing (as root,
# or through sudo otherwise).
set -euo pipefail

if ! pkg-config --exists openssl 2>/dev/null; then
  sudo=""
  if [[ "$(id -u)" != 0 ]]; then sudo="sudo"; fi
  echo "installing libssl-dev and pkg-config (apt-get)..." >&2
  $sudo apt-get update >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y libssl-dev pkg-config >&2
fi
