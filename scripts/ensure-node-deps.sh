#!/usr/bin/env bash
# Installs node modules (npm ci) when missing or older than the lockfile, then builds dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
if [ ! -f dist/cli/main.js ] || [ -n "$(find src -newer dist/cli/main.js -name '*.ts' -print -quit)" ]; then
  npx tsc -p tsconfig.json
fi
# kyso verify's bundle (loaded with a code cache), rebuilt when the compiled modules changed.
if [ ! -f dist/bundles/verify.js ] || [ -n "$(find dist -path dist/web -prune -o -path dist/bundles -prune -o -name '*.js' -newer dist/bundles/verify.js -print -quit)" ]; then
  node scripts/bundle-cli.mjs
fi
# The web application (served at / by the service), rebuilt when its sources changed.
if [ ! -f dist/web/index.html ] || [ -n "$(find web assets/fonts -newer dist/web/index.html -type f -print -quit)" ]; then
  npx vite build --config web/vite.config.mts --logLevel warn
fi
