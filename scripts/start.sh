#!/usr/bin/env bash
# Installs everything from nothing and starts the portal on the embedded demo:
# the demo catalog and the demo cluster (manifests under examples/), an
# in-memory SQLite database, guest sign-in. No cluster, database server or
# account needed. Frontend on http://localhost:3000, backend on :7007.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
yarn install --immutable
exec yarn start
