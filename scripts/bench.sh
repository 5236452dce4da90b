#!/usr/bin/env bash
# Benchmarks (never timed unit tests): prints a table with the baseline measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
KYSO_SKIP_INTEROP_INSTALL=1 bash scripts/install-system-deps.sh
bash scripts/ensure-node-deps.sh
bash scripts/setup-test-fixtures.sh
bash scripts/install-ferretdb.sh
mkdir -p test/output
export SOFTHSM2_CONF="$PWD/test/fixtures/softhsm/softhsm2.conf"
node scripts/bench/run.js
