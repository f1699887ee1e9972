#!/usr/bin/env bash
# `yarn test:pack`: builds and packs the six published packages and checks
# that every entry point of each tarball is inside it and every package the
# built files import is declared; then installs the CLI from its tarball into
# an empty folder with npm and checks the demo manifests with it.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="$(mktemp -d /tmp/mr-packs.XXXXXX)"
trap 'rm -rf "$out"' EXIT
start=$SECONDS
bash scripts/pack/pack-all.sh "$out" > "$out/tarballs.txt"
mapfile -t tarballs < "$out/tarballs.txt"
node scripts/pack/check-tarballs.js "${tarballs[@]}"
bash scripts/pack/cli-standalone.sh "$out"
echo "test:pack took $((SECONDS - start))s" >&2
