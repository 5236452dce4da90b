#!/usr/bin/env bash
# Builds FerretDB 1.24 (the embedded MongoDB-compatible server, SQLite backend) once into a cache folder.
# Idempotent: does nothing when the binary exists. The module's source is copied out of the module cache
# because its build/version/version.txt must hold the version (the module zip leaves it empty).
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=${KYSO_CACHE_DIR:-$PWD/.cache}
BIN="$CACHE/ferretdb/bin/ferretdb"
VERSION=v1.24.2
if [ -x "$BIN" ] && "$BIN" --version >/dev/null 2>&1; then exit 0; fi
command -v go >/dev/null || { echo "Go is required to build FerretDB" >&2; exit 1; }
export GOTOOLCHAIN=${KYSO_GOTOOLCHAIN:-local}
echo "building FerretDB $VERSION (once) into $CACHE/ferretdb"
SRC=$(cd "$(mktemp -d)" && go mod download -json "github.com/FerretDB/FerretDB@$VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
[ -d "$SRC" ] || { echo "cannot download FerretDB $VERSION" >&2; exit 1; }
WORK="$CACHE/ferretdb/src"
rm -rf "$WORK"; mkdir -p "$WORK" "$CACHE/ferretdb/bin"
cp -r "$SRC/." "$WORK/"; chmod -R u+w "$WORK"
echo "$VERSION" > "$WORK/build/version/version.txt"
(cd "$WORK" && go build -o "$BIN" ./cmd/ferretdb)
rm -rf "$WORK"
"$BIN" --version >/dev/null || { echo "FerretDB build failed" >&2; exit 1; }
