#!/usr/bin/env bash
# Quick start: on first run installs what is missing, builds FerretDB (the embedded database), creates a
# demo PKI and a SoftHSM2 token (the official's key and the agency seal key) under ./data, signs a sample
# công văn with the official's token, then starts the service with three demo agencies (API keys in
# data/demo-credentials.json, mode 0600) and prints curl examples. Port: $PORT (default 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
# Keys, passphrases, tokens and the database are readable by this user only (0600 files, 0700 folders).
umask 077
KYSO_SKIP_INTEROP_INSTALL=1 bash scripts/install-system-deps.sh
bash scripts/ensure-node-deps.sh
bash scripts/install-ferretdb.sh
DATA=${KYSO_DATA_DIR:-data}
mkdir -p "$DATA/out"
chmod -R go-rwx "$DATA"
# The demo CA answers OCSP on its own port, so the demo and the tests (port 39081) can run side by side.
KYSO_TEST_OCSP_URL=http://127.0.0.1:39181 KYSO_TEST_CRL_URL=http://127.0.0.1:39182/issuing-ca.crl \
  bash scripts/make-test-pki.sh "$DATA/demo-pki" "Kyso Demo" >/dev/null
bash scripts/setup-softhsm.sh "$DATA/softhsm" "$DATA/demo-pki" kyso-demo "$DATA/softhsm/user-pin" official-rsa:01 seal-rsa:02 >/dev/null
export SOFTHSM2_CONF="$PWD/$DATA/softhsm/softhsm2.conf"
MODULE=${KYSO_PKCS11_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
OFFICIAL="$DATA/out/cong-van.official.pdf"
# The official signs with the USB token (here: the demo SoftHSM2 token).
# The stamp sits between "THỨ TRƯỞNG" and the signer's name, with the (demo) handwritten signature.
node dist/cli/main.js sign samples/cong-van.pdf -o "$OFFICIAL" --pkcs11-module "$MODULE" --token-label kyso-demo \
  --key-label official-rsa --pin-file "$DATA/softhsm/user-pin" --reason "Ký ban hành" --location "Hà Nội" \
  --visible 1:360:378:570:450 --signature-image samples/chu-ky-mau.png
echo "Signed by the official's token: $OFFICIAL"
# The service seals with the agency key held by the (demo) HSM and trusts the demo root plus certs/trust.
# The demo CA's OCSP responder (its certificates name http://127.0.0.1:39181), so verdicts can be final.
openssl ocsp -index "$DATA/demo-pki/issuing-ca/index.txt" -port 39181 -rsigner "$DATA/demo-pki/ocsp.pem" \
  -rkey "$DATA/demo-pki/ocsp.key" -CA "$DATA/demo-pki/issuing-ca.pem" -ignore_err >/dev/null 2>&1 &
OCSP_PID=$!
# … and its CRLs (issuing CA and root) at http://127.0.0.1:39182, from a folder holding only the CRLs.
mkdir -p "$DATA/demo-crl" && cp "$DATA"/demo-pki/*.crl "$DATA/demo-crl/"
python3 -m http.server 39182 --bind 127.0.0.1 --directory "$DATA/demo-crl" >/dev/null 2>&1 &
CRL_PID=$!
trap 'kill $OCSP_PID $CRL_PID 2>/dev/null || true' EXIT
export KYSO_DEMO=1 KYSO_DATA_DIR="$DATA" KYSO_OFFLINE=${KYSO_OFFLINE:-0}
export KYSO_PKCS11_MODULE="$MODULE" KYSO_PKCS11_TOKEN_LABEL=kyso-demo KYSO_PKCS11_KEY_LABEL=seal-rsa
export KYSO_PKCS11_PIN_FILE="$DATA/softhsm/user-pin"
# The agency's visible signature is its red seal (a demo image), over the left third of the official's signature.
export KYSO_SEAL_IMAGE="$PWD/samples/con-dau-mau.png"
mkdir -p "$DATA/trust" && cp "$DATA/demo-pki/root-ca.pem" "$DATA/trust/kyso-demo-root.pem"
export KYSO_TRUST_DIRS="$PWD/certs/trust:$PWD/$DATA/trust"
# A larger young generation: a service allocates many short-lived buffers per request (see README, Production).
exec node --max-semi-space-size=32 dist/main.js
