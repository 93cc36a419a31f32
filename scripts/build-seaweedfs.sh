#!/usr/bin/env bash
# Builds SeaweedFS (Apache-2.0), an S3-compatible object store, from the Go module proxy into .tools/seaweedfs/ (once per
# version). The tests run the desk's S3 attachment store against it (`weed mini`: master, volume, filer and S3 gateway
# in one process); production points S3_ENDPOINT at any S3-compatible service, or at AWS S3.
set -euo pipefail
cd "$(dirname "$0")/.."

SEAWEEDFS_VERSION="v0.0.0-20261109003541-7506e5f91cd6"
export GOTOOLCHAIN="${GOTOOLCHAIN_FOR_TEMPORAL:-go1.27.3}"
TOOLS_DIR="${GUICHET_TOOLS_DIR:-$PWD/.tools}"
OUT="$TOOLS_DIR/seaweedfs"
STAMP="$OUT/.built-$SEAWEEDFS_VERSION"

if [ -f "$STAMP" ] && [ -x "$OUT/weed" ]; then exit 0; fi
command -v go >/dev/null 2>&1 || { echo "[setup] go is needed to build SeaweedFS (.ci/run installs golang-go from Debian)" >&2; exit 1; }

echo "[setup] building SeaweedFS $SEAWEEDFS_VERSION with $GOTOOLCHAIN (a few minutes the first time)"
mkdir -p "$OUT"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# `go install pkg@version` refuses modules with replace directives, which SeaweedFS has: build from a throwaway module
# that requires it and repeats its replace.
(
  cd "$WORK"
  go mod init guichet-seaweedfs-build >/dev/null 2>&1
  go mod edit -replace github.com/tyler-smith/go-bip39=github.com/cosmos/go-bip39@v1.0.0
  go get "github.com/seaweedfs/seaweedfs/weed@$SEAWEEDFS_VERSION"
  go build -o "$OUT/weed" github.com/seaweedfs/seaweedfs/weed
)
"$OUT/weed" version
touch "$STAMP"
