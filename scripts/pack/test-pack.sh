#!/usr/bin/env bash
# `yarn test:pack`: builds and packs the six published packages and checks
# that every entry point of each tarball is inside it and every package the
# built files import is declared; then installs the CLI from its tarball into
# an empty folder with npm and checks the demo manifests with it.
set -euo pipefail
cd "$(dirname "$0")/../.."
# MR_PACK_DIR keeps the tarballs there for `yarn test:adopter`.
if [ -n "${MR_PACK_DIR:-}" ]; then
  out="$(mkdir -p "$MR_PACK_DIR" && cd "$MR_PACK_DIR" && pwd)"
else
  out="$(mktemp -d /tmp/mr-packs.XXXXXX)"
  trap 'rm -rf "$out"' EXIT
fi
start=$SECONDS
bash scripts/pack/pack-all.sh "$out" > "$out/tarballs.txt"
mapfile -t tarballs < "$out/tarballs.txt"
node scripts/pack/check-tarballs.js "${tarballs[@]}"
bash scripts/pack/cli-standalone.sh "$out"
echo "test:pack took $((SECONDS - start))s" >&2
