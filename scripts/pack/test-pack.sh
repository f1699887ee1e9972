#!/usr/bin/env bash
# `yarn test:pack`: builds and packs the five published packages and checks
# that every entry point of each tarball is inside it and every package the
# built files import is declared.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="$(mktemp -d /tmp/mr-packs.XXXXXX)"
trap 'rm -rf "$out"' EXIT
mapfile -t tarballs < <(bash scripts/pack/pack-all.sh "$out")
node scripts/pack/check-tarballs.js "${tarballs[@]}"
