#!/usr/bin/env bash
# yarn bench:scan-replicas: bench/scanReplicas.ts with a throwaway PostgreSQL
# (unless MR_TEST_POSTGRES_URL names one) and a throwaway kube-apiserver
# (unless MR_KUBE_SERVER and the other MR_KUBE_* variables name one, such
# as the server bench:scan-live loaded and kept).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh >/dev/null
source scripts/postgres.sh
mr_postgres_unless_named
run=(node -r @backstage/cli/config/nodeTransform.cjs bench/scanReplicas.ts)
if [ -n "${MR_KUBE_SERVER:-}" ]; then
  "${run[@]}"
else
  scripts/kube/with-cluster.sh "${run[@]}"
fi
