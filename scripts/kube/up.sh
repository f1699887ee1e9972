#!/usr/bin/env bash
# Brings up a throwaway Kubernetes control plane on loopback: etcd (Debian's
# etcd-server) and a real kube-apiserver (scripts/kube/build.sh), each on a
# free 127.0.0.1 port, in the background. Everything it makes - certificates,
# tokens, the service-account key, etcd's data, logs, pid files - goes into
# STATE_DIR and nowhere else; scripts/kube/down.sh STATE_DIR stops both and
# removes it.
#
#   state=$(mktemp -d) && scripts/kube/up.sh "$state" && . "$state/env.sh"
#
# Writes into STATE_DIR:
#   env.sh                    MR_KUBE_SERVER, MR_KUBE_CA_FILE, MR_KUBE_CA_DATA, MR_KUBE_ADMIN_TOKEN,
#                             MR_KUBE_RESTRICTED_TOKEN, MR_KUBE_STATE_DIR, ...
#   kubeconfig-admin.yaml     user mr-admin, group system:masters
#   kubeconfig-restricted.yaml user mr-restricted: may get/list/watch the kinds
#                             the backend reads, except DaemonSets (403)
#   ca.crt, *.log, *.pid
#
# What this server is not: no controllers and no scheduler run, so a
# Deployment never gets Pods (create Pods yourself), Namespaces never finish
# deleting (use a fresh namespace per test) and no ServiceAccount is created
# for you. The ServiceAccount admission plugin is off for that reason, so Pods
# are stored as sent (no default serviceAccountName, no token volume).
# Pod Security Admission, RBAC, defaulting and validation are all the real ones.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
log() { echo "kube/up: $*" >&2; }

if [ $# -ne 1 ]; then
  echo "usage: $0 STATE_DIR" >&2
  exit 2
fi
mkdir -p "$1"
state=$(cd "$1" && pwd)
umask 077
chmod 700 "$state"

for p in etcd kube-apiserver; do
  if [ -f "$state/$p.pid" ] && kill -0 "$(cat "$state/$p.pid")" 2>/dev/null; then
    log "$p already runs from $state (pid $(cat "$state/$p.pid")); run down.sh first"
    exit 1
  fi
done
touch "$state/.mr-kube-state" # down.sh removes only directories carrying this marker

t0=$(date +%s.%N)

# --- etcd from Debian, only when absent -------------------------------------
if ! command -v etcd >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    log "etcd is missing; install Debian's etcd-server (needs root) and run again"
    exit 1
  fi
  log "installing etcd-server from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends etcd-server >/dev/null
fi
etcd_bin=$(command -v etcd)

# --- kube-apiserver, built once and cached -----------------------------------
apiserver_bin=$("$here/build.sh")

for tool in openssl curl; do
  command -v "$tool" >/dev/null 2>&1 || { log "$tool is required"; exit 1; }
done

free_port() {
  # Ask the kernel for a free loopback port; the tiny race until the server
  # binds is acceptable for a test control plane.
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'
  else
    node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
  fi
}
etcd_port=$(free_port)
etcd_peer_port=$(free_port)
api_port=$(free_port)
while [ "$etcd_peer_port" = "$etcd_port" ]; do etcd_peer_port=$(free_port); done
while [ "$api_port" = "$etcd_port" ] || [ "$api_port" = "$etcd_peer_port" ]; do api_port=$(free_port); done
# Where a test may run the webhook token authenticator (see README): any
# bearer token the token file does not know is sent there as a TokenReview.
webhook_port=$(free_port)
while [ "$webhook_port" = "$api_port" ] || [ "$webhook_port" = "$etcd_port" ] || [ "$webhook_port" = "$etcd_peer_port" ]; do webhook_port=$(free_port); done

# --- certificates, keys, tokens (all in STATE_DIR, mode 600) -----------------
pki="$state/pki"
mkdir -p "$pki"
openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
  -keyout "$pki/ca.key" -out "$pki/ca.crt" -days 2 -subj "/CN=mesh-readiness-test-ca" 2>/dev/null
cat >"$pki/serving.cnf" <<'EOF'
[req]
distinguished_name = dn
[dn]
[ext]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, IP:10.96.0.1
EOF
openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
  -keyout "$pki/serving.key" -out "$pki/serving.csr" -subj "/CN=kube-apiserver" 2>/dev/null
openssl x509 -req -in "$pki/serving.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
  -out "$pki/serving.crt" -days 2 -extfile "$pki/serving.cnf" -extensions ext 2>/dev/null
openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
cp "$pki/ca.crt" "$state/ca.crt"

admin_token=$(openssl rand -hex 24)
restricted_token=$(openssl rand -hex 24)
# token,user,uid,"groups"
cat >"$pki/tokens.csv" <<EOF
$admin_token,mr-admin,mr-admin,"system:masters"
$restricted_token,mr-restricted,mr-restricted
EOF

cat >"$pki/token-webhook.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: mr-token-webhook
    cluster:
      server: http://127.0.0.1:$webhook_port/authenticate
users:
  - name: kube-apiserver
contexts:
  - name: mr-token-webhook
    context:
      cluster: mr-token-webhook
      user: kube-apiserver
current-context: mr-token-webhook
EOF

# --- etcd ---------------------------------------------------------------------
mkdir -p "$state/etcd"
setsid "$etcd_bin" \
  --name mr-test \
  --data-dir "$state/etcd" \
  --listen-client-urls "http://127.0.0.1:$etcd_port" \
  --advertise-client-urls "http://127.0.0.1:$etcd_port" \
  --listen-peer-urls "http://127.0.0.1:$etcd_peer_port" \
  --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer_port" \
  --initial-cluster "mr-test=http://127.0.0.1:$etcd_peer_port" \
  --initial-cluster-state new \
  --logger zap --log-level warn \
  --quota-backend-bytes $((512 * 1024 * 1024)) \
  </dev/null >"$state/etcd.log" 2>&1 &
echo $! >"$state/etcd.pid"

fail() {
  log "$1"
  for f in etcd kube-apiserver; do
    [ -f "$state/$f.log" ] && { echo "--- last lines of $state/$f.log" >&2; tail -n 25 "$state/$f.log" >&2; }
  done
  "$here/down.sh" --keep "$state" >/dev/null 2>&1 || true
  exit 1
}

for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$etcd_port/health" 2>/dev/null | grep -q '"health":"true"' && break
  kill -0 "$(cat "$state/etcd.pid")" 2>/dev/null || fail "etcd exited"
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$etcd_port/health" 2>/dev/null | grep -q '"health":"true"' || fail "etcd did not become healthy"

# --- kube-apiserver -------------------------------------------------------------
# Without the watch cache, lists come from etcd: a continue token older than
# a compaction is answered 410 Gone, as a busy cluster answers it.
setsid "$apiserver_bin" \
  --bind-address=127.0.0.1 \
  --advertise-address=127.0.0.1 \
  --secure-port="$api_port" \
  --etcd-servers="http://127.0.0.1:$etcd_port" \
  --tls-cert-file="$pki/serving.crt" \
  --tls-private-key-file="$pki/serving.key" \
  --client-ca-file="$pki/ca.crt" \
  --token-auth-file="$pki/tokens.csv" \
  --authentication-token-webhook-config-file="$pki/token-webhook.kubeconfig" \
  --authentication-token-webhook-version=v1 \
  --authentication-token-webhook-cache-ttl=0s \
  --authorization-mode=RBAC \
  --service-account-key-file="$pki/sa.pub" \
  --service-account-signing-key-file="$pki/sa.key" \
  --service-account-issuer=https://kubernetes.default.svc \
  --service-cluster-ip-range=10.96.0.0/16 \
  --disable-admission-plugins=ServiceAccount \
  --allow-privileged=true \
  --profiling=false \
  --watch-cache=false \
  --v=1 \
  </dev/null >"$state/kube-apiserver.log" 2>&1 &
echo $! >"$state/kube-apiserver.pid"

server="https://127.0.0.1:$api_port"
ready=
for _ in $(seq 1 600); do
  if curl -fsS --cacert "$pki/ca.crt" "$server/readyz" 2>/dev/null | grep -qx ok; then
    ready=1
    break
  fi
  kill -0 "$(cat "$state/kube-apiserver.pid")" 2>/dev/null || fail "kube-apiserver exited"
  sleep 0.1
done
[ -n "$ready" ] || fail "kube-apiserver did not answer /readyz within 60s"

# --- the restricted identity ------------------------------------------------------
api() { # METHOD PATH [JSON] with the admin token; prints the HTTP status
  curl -sS -o /dev/null -w '%{http_code}' --cacert "$pki/ca.crt" \
    -H "Authorization: Bearer $admin_token" -H 'Content-Type: application/json' \
    -X "$1" "$server$2" ${3:+--data "$3"}
}
role='{
  "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
  "metadata": {"name": "mr-restricted-reader", "labels": {"mesh-readiness.test/owner": "scripts-kube"}},
  "rules": [
    {"apiGroups": [""], "resources": ["namespaces", "pods", "services", "endpoints"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": ["apps"], "resources": ["deployments", "statefulsets", "replicasets"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": ["batch"], "resources": ["jobs", "cronjobs"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": ["networking.k8s.io"], "resources": ["networkpolicies"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": ["get", "list", "watch"]}
  ]
}'
binding='{
  "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
  "metadata": {"name": "mr-restricted-reader"},
  "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "mr-restricted-reader"},
  "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "mr-restricted"}]
}'
code=$(api POST /apis/rbac.authorization.k8s.io/v1/clusterroles "$role")
[ "$code" = 201 ] || fail "creating ClusterRole mr-restricted-reader answered $code"
code=$(api POST /apis/rbac.authorization.k8s.io/v1/clusterrolebindings "$binding")
[ "$code" = 201 ] || fail "creating ClusterRoleBinding mr-restricted-reader answered $code"

# --- kubeconfigs and env.sh -----------------------------------------------------------
ca_data=$(base64 -w0 <"$pki/ca.crt")
kubeconfig() { # USER TOKEN
  cat <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: mr-test
    cluster:
      server: $server
      certificate-authority-data: $ca_data
users:
  - name: $1
    user:
      token: $2
contexts:
  - name: $1@mr-test
    context:
      cluster: mr-test
      user: $1
current-context: $1@mr-test
EOF
}
kubeconfig mr-admin "$admin_token" >"$state/kubeconfig-admin.yaml"
kubeconfig mr-restricted "$restricted_token" >"$state/kubeconfig-restricted.yaml"

cat >"$state/env.sh" <<EOF
# Written by scripts/kube/up.sh; source it. Holds test-only secrets: keep it in STATE_DIR.
export MR_KUBE_STATE_DIR='$state'
export MR_KUBE_SERVER='$server'
export MR_KUBE_CA_FILE='$state/ca.crt'
export MR_KUBE_CA_DATA='$ca_data'
export MR_KUBE_ADMIN_TOKEN='$admin_token'
export MR_KUBE_RESTRICTED_TOKEN='$restricted_token'
export MR_KUBE_ADMIN_KUBECONFIG='$state/kubeconfig-admin.yaml'
export MR_KUBE_RESTRICTED_KUBECONFIG='$state/kubeconfig-restricted.yaml'
export MR_KUBE_VERSION='v1.34.4'
export MR_KUBE_ETCD='http://127.0.0.1:$etcd_port'
export MR_KUBE_TOKEN_WEBHOOK_PORT='$webhook_port'
EOF

version=$(curl -fsS --cacert "$pki/ca.crt" -H "Authorization: Bearer $admin_token" "$server/version" | sed -n 's/.*"gitVersion": *"\([^"]*\)".*/\1/p')
elapsed=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
echo "kube-apiserver $version listening on $server (etcd on 127.0.0.1:$etcd_port); up in ${elapsed}s"
echo "state: $state  (source $state/env.sh; stop with scripts/kube/down.sh $state)"
