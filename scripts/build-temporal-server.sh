#!/usr/bin/env bash
# Builds the real Temporal server and its SQL schema tool from the Go module proxy into .tools/temporal-server/ (once per
# version), with the PostgreSQL schema files beside them. The desk's cluster tests and benchmarks run on this server with
# PostgreSQL persistence, as production does; the dev server (scripts/setup.sh) stays the default for everything else.
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_SERVER_VERSION="v1.32.2"
# The server's go.mod asks for Go 1.26.10 or newer; the go command fetches this approved toolchain from the module proxy.
export GOTOOLCHAIN="${GOTOOLCHAIN_FOR_TEMPORAL:-go1.27.3}"
TOOLS_DIR="${GUICHET_TOOLS_DIR:-$PWD/.tools}"
OUT="$TOOLS_DIR/temporal-server"
STAMP="$OUT/.built-$TEMPORAL_SERVER_VERSION"

if [ -f "$STAMP" ] && [ -x "$OUT/temporal-server" ] && [ -x "$OUT/temporal-sql-tool" ] && [ -d "$OUT/schema/postgresql" ]; then
  exit 0
fi
command -v go >/dev/null 2>&1 || { echo "[setup] go is needed to build the Temporal server (.ci/run installs golang-go from Debian)" >&2; exit 1; }

echo "[setup] building Temporal server $TEMPORAL_SERVER_VERSION with $GOTOOLCHAIN (a few minutes the first time)"
mkdir -p "$OUT"
BUILD_BIN="$(mktemp -d)"
trap 'rm -rf "$BUILD_BIN"' EXIT
GOBIN="$BUILD_BIN" go install "go.temporal.io/server/cmd/server@$TEMPORAL_SERVER_VERSION" "go.temporal.io/server/cmd/tools/sql@$TEMPORAL_SERVER_VERSION"
install -m 755 "$BUILD_BIN/server" "$OUT/temporal-server"
install -m 755 "$BUILD_BIN/sql" "$OUT/temporal-sql-tool"
# The schema ships in the module's source, which the module cache may drop later: keep a copy beside the binaries.
MODULE_DIR="$(go env GOMODCACHE)/go.temporal.io/server@$TEMPORAL_SERVER_VERSION"
rm -rf "$OUT/schema" && mkdir -p "$OUT/schema"
cp -R "$MODULE_DIR/schema/postgresql" "$OUT/schema/postgresql"
chmod -R u+w "$OUT/schema"
"$OUT/temporal-server" --version
touch "$STAMP"
