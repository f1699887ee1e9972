#!/usr/bin/env bash
# yarn bench:serve: bench/serve.ts with a throwaway PostgreSQL server on
# loopback (unless MR_TEST_POSTGRES_URL already names one).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh >/dev/null
source scripts/postgres.sh
mr_postgres_unless_named
node -r @backstage/cli/config/nodeTransform.cjs bench/serve.ts
