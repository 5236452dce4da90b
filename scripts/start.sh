#!/usr/bin/env bash
# Quick start: prepares the demo (a demo PKI, a SoftHSM2 token holding the official's key, and the agency
# seal as a PKCS#12 file, all under ./data on first run), then signs a sample công văn twice — the
# official with the token, the clerk with the agency seal — and prints where the result is.
set -euo pipefail
cd "$(dirname "$0")/.."
KYSO_SKIP_INTEROP_INSTALL=1 bash scripts/install-system-deps.sh
bash scripts/ensure-node-deps.sh
DATA=${KYSO_DATA_DIR:-data}
mkdir -p "$DATA/out"
bash scripts/make-test-pki.sh "$DATA/demo-pki" "Kyso Demo" >/dev/null
bash scripts/setup-softhsm.sh "$DATA/softhsm" "$DATA/demo-pki" kyso-demo "$DATA/softhsm/user-pin" official-rsa:01 >/dev/null
export SOFTHSM2_CONF="$PWD/$DATA/softhsm/softhsm2.conf"
MODULE=${KYSO_PKCS11_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
OFFICIAL="$DATA/out/cong-van.official.pdf"
SEALED="$DATA/out/cong-van.signed.pdf"
node dist/cli/main.js token list --pkcs11-module "$MODULE"
node dist/cli/main.js sign samples/cong-van.pdf -o "$OFFICIAL" --pkcs11-module "$MODULE" --token-label kyso-demo \
  --key-label official-rsa --pin-file "$DATA/softhsm/user-pin" --reason "Ký ban hành" --location "Hà Nội"
node dist/cli/main.js sign "$OFFICIAL" -o "$SEALED" --p12 "$DATA/demo-pki/seal-rsa.p12" \
  --passphrase-file "$DATA/demo-pki/p12-passphrase.txt" --field DauCoQuan --reason "Đóng dấu cơ quan"
echo
echo "Signed document (official's signature, then the agency seal): $SEALED"
if command -v pdfsig >/dev/null; then pdfsig "$SEALED" | grep -E 'Signature #|Common Name|Validation: Signature|Total document'; fi
