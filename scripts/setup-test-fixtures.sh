#!/usr/bin/env bash
# Test fixtures: a test PKI (generated, never committed) and a SoftHSM2 token holding RSA-2048 and
# ECDSA P-256 signing keys plus an expired one. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
F=test/fixtures
bash scripts/make-test-pki.sh "$F/pki" "Kyso Test" >/dev/null
bash scripts/make-tsa-config.sh "$F/pki"
bash scripts/setup-softhsm.sh "$F/softhsm" "$F/pki" kyso-test "$F/softhsm/user-pin" \
  official-rsa:01 official-ec:02 expired:03 >/dev/null
