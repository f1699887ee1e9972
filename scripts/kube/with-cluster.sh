#!/usr/bin/env bash
# Runs a command against a fresh throwaway control plane and always stops it:
#
#   scripts/kube/with-cluster.sh yarn jest --selectProjects cluster
#   scripts/kube/with-cluster.sh scripts/kube/smoke.sh
#
# The command sees the MR_KUBE_* variables of env.sh (see scripts/kube/README.md)
# and its exit status is this script's. MR_KUBE_KEEP=1 keeps the state dir
# (logs, etcd data) after the run for a post-mortem; it still stops the servers.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi
state=$(mktemp -d "${TMPDIR:-/tmp}/mr-kube.XXXXXX")
cleanup() {
  if [ "${MR_KUBE_KEEP:-}" = 1 ]; then
    "$here/down.sh" --keep "$state" || true
    echo "kube/with-cluster: kept $state" >&2
  else
    "$here/down.sh" "$state" || true
  fi
}
child=
stop_child() { [ -z "$child" ] || kill -TERM "$child" 2>/dev/null || true; }
trap cleanup EXIT
trap 'stop_child; exit 130' INT
trap 'stop_child; exit 143' TERM

"$here/up.sh" "$state"
# shellcheck disable=SC1091
. "$state/env.sh"
# In the background and waited for, so that INT/TERM reach the traps at once
# (and stop the servers) instead of after the command finishes.
"$@" &
child=$!
status=0
wait "$child" || status=$?
child=
exit "$status"
