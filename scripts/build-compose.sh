#!/usr/bin/env bash
# Gives the docker CLI its Compose plugin when the machine has none, so tests/unit/compose.test.ts can check
# docker-compose.yml with `docker compose config` (parsing and interpolation only; no Docker engine is needed).
# Built from the Go module proxy into .tools/docker/cli-plugins/, once per version; the tests point DOCKER_CONFIG there.
set -euo pipefail
cd "$(dirname "$0")/.."

COMPOSE_VERSION="v2.40.3"
export GOTOOLCHAIN="${GOTOOLCHAIN_FOR_TEMPORAL:-go1.27.3}"
TOOLS_DIR="${GUICHET_TOOLS_DIR:-$PWD/.tools}"
OUT="$TOOLS_DIR/docker/cli-plugins"
STAMP="$OUT/.built-$COMPOSE_VERSION"

command -v docker >/dev/null 2>&1 || { echo "[setup] no docker CLI: the compose check will report itself skipped"; exit 0; }
if [ -f "$STAMP" ] && [ -x "$OUT/docker-compose" ]; then exit 0; fi
if docker compose version >/dev/null 2>&1; then exit 0; fi
command -v go >/dev/null 2>&1 || { echo "[setup] go is needed to build the Compose plugin (.ci/run installs golang-go from Debian)" >&2; exit 1; }

echo "[setup] building the docker Compose plugin $COMPOSE_VERSION (a few minutes the first time)"
mkdir -p "$OUT"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# `go install pkg@version` refuses modules with exclude directives: build from a throwaway module that requires it.
(
  cd "$WORK"
  go mod init guichet-compose-build >/dev/null 2>&1
  go get "github.com/docker/compose/v2/cmd@$COMPOSE_VERSION"
  go build -o "$OUT/docker-compose" github.com/docker/compose/v2/cmd
)
DOCKER_CONFIG="$TOOLS_DIR/docker" docker compose version
touch "$STAMP"
