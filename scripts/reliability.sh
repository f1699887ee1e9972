#!/usr/bin/env bash
# yarn test:reliability: the product when things go wrong.
#  - Two processes of the real backend on one throwaway PostgreSQL, scanning a
#    throwaway kube-apiserver that is healthy, forbidden one kind, made to
#    hang and refusing connections; replicas killed mid-scan and restarted
#    (plugins/mesh-readiness-backend/src/reliability).
#  - The portal's backend with a deny-all permission policy: no endpoint shows
#    a user an entity (src/reliability/permissions.test.ts).
#  - The in-process checks of failing clusters, secrets and permissions
#    (plugin.test.ts, secrets.test.ts) and the store on PostgreSQL.
# Then the output of the whole run is searched for the cluster tokens.
# MR_RELIABILITY_KEEP=1 keeps each suite's folder (configs, backend logs).
set -euo pipefail
cd "$(dirname "$0")/.."
export CI=true
export MR_RELIABILITY=1

source scripts/bootstrap.sh
source scripts/postgres.sh
if [ -z "${MR_TEST_POSTGRES_URL:-}" ] || [ -z "${BACKSTAGE_TEST_DATABASE_POSTGRES_CONNECTION_STRING:-}" ]; then
  mr_postgres_start
  trap mr_postgres_stop EXIT
fi

log=$(mktemp /tmp/mr-reliability-run.XXXXXX)
status=0
bash scripts/kube/with-cluster.sh bash -c '
  set -euo pipefail
  cd plugins/mesh-readiness-backend
  yarn backstage-cli package test --ci src/reliability src/plugin.test.ts src/secrets.test.ts src/service/ReadinessStore.test.ts
  # The cluster tokens of this run, for the search below (never printed).
  printf "%s\n%s\n" "$MR_KUBE_ADMIN_TOKEN" "$MR_KUBE_RESTRICTED_TOKEN" > "'"$log"'.tokens"
' 2>&1 | tee "$log" || status=$?

if [ "$status" -eq 0 ]; then
  # Tokens the suites configured: the real control plane's, and the canaries.
  searched=0
  while IFS= read -r token; do
    [ -n "$token" ] || continue
    searched=$((searched + 1))
    if grep -qF -- "$token" "$log"; then
      echo "reliability: a cluster token appears in the test run's output" >&2
      status=1
    fi
  done < <(cat "$log.tokens"; grep -ho "canary-[a-z0-9-]*-do-not-leak" plugins/mesh-readiness-backend/src/*.test.ts plugins/mesh-readiness-backend/src/reliability/*.test.ts | sort -u)
  echo "reliability: searched the run's output for $searched cluster tokens" >&2
  [ "$searched" -ge 4 ] || status=1
fi
rm -f "$log" "$log.tokens"
exit "$status"
