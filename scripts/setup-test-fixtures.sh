#!/usr/bin/env bash
# Test fixtures: a test PKI (generated, never committed) and SoftHSM2 tokens: kyso-test holding RSA-2048
# and ECDSA P-256 signing keys plus an expired one, kyso-pin-a/b/c for wrong-PIN tests. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
F=test/fixtures
bash scripts/make-test-pki.sh "$F/pki" "Kyso Test" >/dev/null
bash scripts/make-tsa-config.sh "$F/pki"
# A second PKI for the browser tests, whose OCSP responder (port 39281) runs beside the first one's.
KYSO_TEST_OCSP_URL=http://127.0.0.1:39281 KYSO_TEST_CRL_URL=http://127.0.0.1:39282/issuing-ca.crl \
  bash scripts/make-test-pki.sh "$F/pki-e2e" "Kyso E2E" >/dev/null
bash scripts/setup-softhsm.sh "$F/softhsm" "$F/pki" kyso-test "$F/softhsm/user-pin" \
  official-rsa:01 official-ec:02 expired:03 >/dev/null
# The official's token of the browser tests (a key of the second PKI).
bash scripts/setup-softhsm.sh "$F/softhsm" "$F/pki-e2e" kyso-e2e "$F/softhsm/user-pin" official-rsa:01 >/dev/null
# Tokens for wrong-PIN tests, one per test file: SoftHSM2 rewrites a token's file on a failed login, and
# another process reading that token at the same moment would not see it.
for t in kyso-pin-a kyso-pin-b kyso-pin-c; do
  bash scripts/setup-softhsm.sh "$F/softhsm" "$F/pki" "$t" "$F/softhsm/user-pin" official-rsa:01 >/dev/null
done
