#!/usr/bin/env bash
# Writes an OpenSSL time-stamping configuration (RFC 3161) for the TSA of a PKI made by make-test-pki.sh,
# used by the tests' local TSA. Idempotent.
#   usage: make-tsa-config.sh PKI_DIR
set -euo pipefail
PKI=$(cd "${1:?usage: make-tsa-config.sh PKI_DIR}" && pwd)
[ -f "$PKI/tsa.cnf" ] && exit 0
[ -f "$PKI/tsa-serial" ] || echo 01 > "$PKI/tsa-serial"
cat > "$PKI/tsa.cnf" <<CNF
[ tsa ]
default_tsa = kyso_tsa
[ kyso_tsa ]
dir = $PKI
serial = \$dir/tsa-serial
crypto_device = builtin
signer_cert = \$dir/tsa.pem
certs = \$dir/issuing-ca.pem
signer_key = \$dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
CNF
