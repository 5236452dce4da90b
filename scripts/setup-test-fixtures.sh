#!/usr/bin/env bash
# Test fixtures: a test PKI (generated, never committed) and SoftHSM2 tokens: kyso-test holding RSA-2048
# and ECDSA P-256 signing keys plus an expired one, kyso-pin-test for wrong-PIN tests. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
F=test/fixtures
bash scripts/make-test-pki.sh "$F/pki" "Kyso Test" >/dev/null
bash scripts/make-tsa-config.sh "$F/pki"
bash scripts/setup-softhsm.sh "$F/softhsm" "$F/pki" kyso-test "$F/softhsm/user-pin" \
  official-rsa:01 official-ec:02 expired:03 >/dev/null
# A second token for wrong-PIN tests: SoftHSM2 rewrites a token's file on a failed login, and another
# process reading that token at the same moment would not see it.
bash scripts/setup-softhsm.sh "$F/softhsm" "$F/pki" kyso-pin-test "$F/softhsm/user-pin" official-rsa:01 >/dev/null
