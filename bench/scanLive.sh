#!/usr/bin/env bash
# yarn bench:scan-live: bench/scanLive.ts against a throwaway kube-apiserver
# (scripts/kube/with-cluster.sh), or against the one MR_KUBE_SERVER and the
# other MR_KUBE_* variables of its env.sh already name (a kept server keeps
# the loaded cluster: the next run skips loading it).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh >/dev/null
run=(node -r @backstage/cli/config/nodeTransform.cjs bench/scanLive.ts)
if [ -n "${MR_KUBE_SERVER:-}" ]; then
  "${run[@]}"
else
  scripts/kube/with-cluster.sh "${run[@]}"
fi
