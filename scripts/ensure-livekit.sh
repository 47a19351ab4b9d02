#!/usr/bin/env bash
# Makes sure the LiveKit server the integration tests run against is installed: livekit-server
# v1.13.5, built from source with Go (no Docker, no release download). Safe to run repeatedly;
# a cold build takes about four minutes.
#
#   scripts/ensure-livekit.sh            # installs into /usr/local/bin
#   LIVEKIT_BIN_DIR=~/bin scripts/ensure-livekit.sh
set -euo pipefail

VERSION="1.13.5"
BIN_DIR="${LIVEKIT_BIN_DIR:-/usr/local/bin}"
MODULE="github.com/livekit/livekit-server/cmd/server@v${VERSION}"

is_wanted_version() {
  [ -x "$1" ] && "$1" --version 2>/dev/null | grep -qx "livekit-server version ${VERSION}"
}

# The tests look for livekit-server on the PATH first, then ${BIN_DIR}/server.
if found="$(command -v livekit-server 2>/dev/null)" && is_wanted_version "$found"; then
  echo "livekit-server ${VERSION} already installed: ${found}"
  exit 0
fi

if ! is_wanted_version "${BIN_DIR}/server"; then
  if ! command -v go >/dev/null 2>&1; then
    echo "error: Go is required to build livekit-server ${VERSION} (https://go.dev/dl/)" >&2
    exit 1
  fi
  echo "building livekit-server ${VERSION} into ${BIN_DIR} (takes a few minutes the first time)..."
  mkdir -p "${BIN_DIR}"
  GOBIN="${BIN_DIR}" go install "${MODULE}"
fi

# `go install .../cmd/server` names the binary after its package directory.
ln -sfn server "${BIN_DIR}/livekit-server"

if ! is_wanted_version "${BIN_DIR}/livekit-server"; then
  echo "error: ${BIN_DIR}/livekit-server does not report version ${VERSION}" >&2
  exit 1
fi
echo "livekit-server ${VERSION} installed: ${BIN_DIR}/livekit-server"
case ":${PATH}:" in
  *":${BIN_DIR}:"*) ;;
  *) echo "note: ${BIN_DIR} is not on PATH; set LIVEKIT_BIN=${BIN_DIR}/livekit-server for the tests" ;;
esac
