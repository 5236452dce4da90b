#!/usr/bin/env bash
# Builds FerretDB 1.24 (the embedded MongoDB-compatible server, SQLite backend) once into a cache folder.
# Idempotent: does nothing when the binary exists. Pins a Go toolchain the dependencies build with.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=${KYSO_CACHE_DIR:-$PWD/.cache}
BIN="$CACHE/ferretdb/bin/ferretdb"
[ -x "$BIN" ] && exit 0
command -v go >/dev/null || { echo "Go is required to build FerretDB" >&2; exit 1; }
mkdir -p "$CACHE/ferretdb"
echo "building FerretDB v1.24.2 (once) into $CACHE/ferretdb"
GOBIN="$CACHE/ferretdb/bin" GOTOOLCHAIN=${KYSO_GOTOOLCHAIN:-go1.23.12} GOFLAGS=-mod=mod \
  go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2
[ -x "$BIN" ] || { echo "FerretDB build failed" >&2; exit 1; }
