#!/usr/bin/env bash
# `yarn test:adopter`: what an adopter does, on the packed plugins. Creates a
# new app with the create-app of the Backstage release the plugins are built
# against, installs the plugins from their tarballs (nothing from this
# workspace) with the README's own commands, adds the README's code, starts
# the app on the demo catalog and manifests, and checks it in a browser
# (e2e/adopter.mjs).
#
# MR_PACK_DIR: a folder of the tarballs `yarn test:pack` made (scripts/test.sh
# shares one); without it the packages are built and packed here.
set -euo pipefail
cd "$(dirname "$0")/../.."
start=$SECONDS
CREATE_APP_VERSION=0.9.2 # the create-app of Backstage 1.55.0

work="$(mktemp -d /tmp/mr-adopter.XXXXXX)"
trap 'rm -rf "$work"; echo "test:adopter took $((SECONDS - start))s" >&2' EXIT

packs="${MR_PACK_DIR:-}"
if [ -z "$packs" ] || ! compgen -G "$packs/*.tgz" >/dev/null; then
  packs="$work/packs"
  echo "== test:adopter: packing the packages" >&2
  bash scripts/pack/pack-all.sh "$packs" >/dev/null
fi

echo "== test:adopter: a new app from @backstage/create-app@$CREATE_APP_VERSION" >&2
# create-app asks for the app's name on stdin.
(cd "$work" && echo adopter-app | npx --yes "@backstage/create-app@$CREATE_APP_VERSION" --skip-install --path "$work/app" >&2)
app="$work/app"
# The template only lets packages older than 3 days in; ours are new.
sed -i 's/^npmMinimalAgeGate:.*/npmMinimalAgeGate: 0/' "$app/.yarnrc.yml"

# The app's own Yarn (from its .yarnrc.yml), with a cache of its own: kept
# between runs, and apart from ~/.yarn/berry, whose metadata can be stale.
export YARN_GLOBAL_FOLDER="${XDG_CACHE_HOME:-$HOME/.cache}/mesh-readiness/adopter-yarn"
export YARN_ENABLE_IMMUTABLE_INSTALLS=false
mkdir -p "$YARN_GLOBAL_FOLDER"

echo "== test:adopter: following the READMEs" >&2
node scripts/adopter/prepare.mjs "$app" "$packs"/*.tgz

# The demo: its catalog and its manifests, as a local config of the app.
cp -r examples/mesh-demo "$app/examples/mesh-demo"
cat > "$app/app-config.local.yaml" <<YAML
catalog:
  rules:
    - allow: [Component, System, API, Resource, Location, Group, User]
  locations:
    - type: file
      target: ../../examples/mesh-demo/catalog.yaml
    - type: file
      target: ../../examples/mesh-demo/org.yaml
meshReadiness:
  manifestSources:
    - name: demo-cluster
      path: $app/examples/mesh-demo/cluster
YAML

echo "== test:adopter: the app in a browser" >&2
flock /tmp/mr-portal.lock node e2e/adopter.mjs "$app"
