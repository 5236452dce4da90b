#!/usr/bin/env bash
# Runs every test (unit, integration, interop) after preparing what they need. The last line printed is
# jest's totals: "tests: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
set -e
bash scripts/install-system-deps.sh
bash scripts/ensure-node-deps.sh
bash scripts/setup-test-fixtures.sh
bash scripts/install-ferretdb.sh
set +e
mkdir -p test/output
# Working folders of earlier runs (each test file makes its own under test/output).
find test/output -mindepth 1 -maxdepth 1 -type d ! -name 'bench-*' -exec rm -rf {} +
rm -f test/output/jest.json
npx jest --maxWorkers=2 --json --outputFile=test/output/jest.json "$@"
code=$?
node -e '
  const fs = require("fs");
  let r = { numPassedTests: 0, numFailedTests: 0 };
  try { r = JSON.parse(fs.readFileSync("test/output/jest.json", "utf8")); } catch {}
  const failed = r.numFailedTests + (r.numRuntimeErrorTestSuites || 0);
  const line = `tests: ${r.numPassedTests} passed, ${failed} failed`;
  fs.writeFileSync("test/output/totals.txt", line + "\n");
  console.log(line);
'
exit $code
