#!/usr/bin/env bash
# Installs everything from nothing and runs every check: type-check, lint, formatting,
# the unit and integration tests (the store on SQLite and on a real
# PostgreSQL server), and the suites that need real servers when they exist.
# This is the README's test command and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
export CI=true

bash scripts/system-deps.sh
source scripts/bootstrap.sh
yarn install --immutable

echo "== one Backstage release line in yarn.lock" >&2
node scripts/check-backstage-line.js

echo "== type-check" >&2
yarn tsc
echo "== API reports (report*.api.md) match the packages' exports" >&2
yarn build:api-reports --ci
echo "== lint" >&2
yarn backstage-cli repo lint
echo "== formatting (Prettier, @backstage/cli's config)" >&2
yarn prettier:check

source scripts/postgres.sh
mr_postgres_start
# test:pack leaves its tarballs here; test:adopter installs them.
export MR_PACK_DIR="$(mktemp -d /tmp/mr-packs.XXXXXX)"
trap 'mr_postgres_stop; rm -rf "$MR_PACK_DIR"' EXIT

echo "== unit and integration tests" >&2
yarn backstage-cli repo test --ci

# The packed tarballs, then suites that start real servers: a Kubernetes API
# server, the portal in a browser, and a new create-app app that installs
# those tarballs as an adopter would (`test:adopter`).
for suite in test:pack test:cluster test:e2e test:reliability test:adopter; do
  if node -e "process.exit(require('./package.json').scripts['$suite'] ? 0 : 1)"; then
    echo "== yarn $suite" >&2
    yarn "$suite"
  fi
done
echo "== all checks passed" >&2
