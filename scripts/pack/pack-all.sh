#!/usr/bin/env bash
# Builds the six published packages and packs each into a tarball in $1, as
# `npm publish` would ship it: `yarn pack` runs backstage-cli's prepack, which
# points main/module/types/exports/typesVersions into dist, and replaces the
# workspace: ranges with versions. Prints the tarballs' paths.
set -euo pipefail
out="$(mkdir -p "$1" && cd "$1" && pwd)"
cd "$(dirname "$0")/../.."

packages=(
  plugins/mesh-readiness-common
  plugins/mesh-readiness-node
  plugins/mesh-readiness-backend
  plugins/mesh-readiness
  plugins/mesh-readiness-cli
  plugins/mesh-readiness-backend-module-tech-insights
)

# The libraries' declarations are rolled up from the type-check's output.
yarn tsc >&2
for dir in "${packages[@]}"; do
  (cd "$dir" && yarn backstage-cli package build >&2)
done
rm -f "$out"/*.tgz
for dir in "${packages[@]}"; do
  (cd "$dir" && yarn pack --out "$out/%s-%v.tgz" >&2)
done
ls "$out"/*.tgz
