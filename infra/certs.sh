#!/usr/bin/env bash
# A development CA and certificates for the compose file (infra/compose.yaml), into infra/secrets/:
#   orca-ca.pem                 the CA every client trusts (orca --ca-file, librdkafka, sqlx)
#   orca-server.pem/.key        the ORCA listeners' certificate (ingest, intel, … by service name)
#   kafka.pem                   Kafka's key and certificate in one PEM file
#   postgres.pem/.key           PostgreSQL's certificate
#   officer.pem/.key            a client certificate for a force officer (mutual TLS)
# Production uses certificates from the force's or the service's own PKI instead.
set -euo pipefail
out="${1:-$(dirname "$0")/secrets}"
mkdir -p "$out"
cd "$out"
days=825
openssl req -x509 -newkey rsa:3072 -nodes -days 3650 -subj "/CN=ORCA development CA" \
    -keyout orca-ca.key -out orca-ca.pem 2>/dev/null
issue() { # name, subject CN, subjectAltName
    openssl req -newkey rsa:3072 -nodes -subj "/CN=$2" -keyout "$1.key" -out "$1.csr" 2>/dev/null
    openssl x509 -req -in "$1.csr" -CA orca-ca.pem -CAkey orca-ca.key -CAcreateserial -days "$days" \
        -extfile <(printf 'subjectAltName=%s\n' "$3") -out "$1.pem" 2>/dev/null
    rm -f "$1.csr"
}
issue orca-server "orca" "DNS:ingest,DNS:resolver,DNS:linker,DNS:intel,DNS:localhost,IP:127.0.0.1"
issue kafka "kafka" "DNS:kafka,DNS:localhost,IP:127.0.0.1"
issue postgres "postgres" "DNS:postgres,DNS:localhost,IP:127.0.0.1"
issue officer "DC 4471 Sam Patel" "DNS:officer.kent.police.uk"
# Kafka reads its key (PKCS#8) and certificate from one PEM file.
openssl pkcs8 -topk8 -nocrypt -in kafka.key -out kafka.pk8
cat kafka.pk8 kafka.pem > kafka-keystore.pem
rm -f kafka.pk8
chmod 600 ./*.key orca-ca.key
echo "certificates written to $out (CA: $out/orca-ca.pem)"
