#!/usr/bin/env bash
# Installs the machine packages the full test run needs, from Debian, only
# when they are missing: PostgreSQL (store tests on a real server), Chromium
# (browser tests) and etcd (the throwaway Kubernetes control plane).
set -euo pipefail

missing=()
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || missing+=(postgresql)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "system-deps: installing ${missing[*]} from Debian" >&2
if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: need root to install ${missing[*]} (apt-get); install them and run again" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts a default PostgreSQL cluster on install; the tests run their own.
if command -v pg_ctlcluster >/dev/null 2>&1; then
  for c in /etc/postgresql/*/main; do
    [ -d "$c" ] || continue
    v=$(basename "$(dirname "$c")")
    pg_ctlcluster "$v" main stop >/dev/null 2>&1 || true
  done
fi
