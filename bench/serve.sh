#!/usr/bin/env bash
# yarn bench:serve: bench/serve.ts with a throwaway PostgreSQL server on
# loopback (unless MR_TEST_POSTGRES_URL already names one).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh >/dev/null
source scripts/postgres.sh
if [ -z "${MR_TEST_POSTGRES_URL:-}" ]; then
  mr_postgres_start
  trap mr_postgres_stop EXIT
fi
node -r @backstage/cli/config/nodeTransform.cjs bench/serve.ts
