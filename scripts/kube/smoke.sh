#!/usr/bin/env bash
# Proves the throwaway control plane behaves like a real one, on the paths the
# backend's live cluster source depends on. Run against a running plane:
#
#   scripts/kube/smoke.sh STATE_DIR            # after scripts/kube/up.sh STATE_DIR
#   scripts/kube/with-cluster.sh scripts/kube/smoke.sh   # brings one up and down
#
# Checks: a namespace with Pod Security Admission labels (a privileged Pod is
# refused, a plain one is admitted with warnings); defaulting of Service and
# container port protocols and targetPort; label-selector filtering with
# limit=1 + continue; the restricted identity reads Deployments but gets 403
# on DaemonSets; SubjectAccessReviews, including `use` on
# policy/podsecuritypolicies for a service account. Exits non-zero on any
# unexpected answer. Needs curl and jq.
set -euo pipefail

if [ $# -ge 1 ]; then
  # shellcheck disable=SC1091
  . "$1/env.sh"
fi
: "${MR_KUBE_SERVER:?source env.sh from scripts/kube/up.sh, or pass STATE_DIR}"
command -v jq >/dev/null 2>&1 || { echo "smoke: jq is required" >&2; exit 1; }

fails=0
ok() { echo "  ok   $*"; }
bad() { echo "  FAIL $*"; fails=$((fails + 1)); }

# req TOKEN METHOD PATH [JSON]: body to $body_file, headers to $hdr_file, prints the status
body_file=$(mktemp)
hdr_file=$(mktemp)
trap 'rm -f "$body_file" "$hdr_file"' EXIT
req() {
  curl -sS --cacert "$MR_KUBE_CA_FILE" -H "Authorization: Bearer $1" \
    -H 'Content-Type: application/json' -X "$2" "$MR_KUBE_SERVER$3" ${4:+--data "$4"} \
    -o "$body_file" -D "$hdr_file" -w '%{http_code}'
}
admin() { req "$MR_KUBE_ADMIN_TOKEN" "$@"; }
restricted() { req "$MR_KUBE_RESTRICTED_TOKEN" "$@"; }
expect() { # WHAT WANT GOT
  if [ "$2" = "$3" ]; then ok "$1 -> $3"; else bad "$1 -> $3 (wanted $2): $(jq -c '.message? // .' "$body_file" 2>/dev/null | head -c 300)"; fi
}

ns="mr-smoke-$(date +%s)-$RANDOM"
echo "server $MR_KUBE_SERVER, version $(admin GET /version >/dev/null; jq -r .gitVersion "$body_file")"

echo "1. namespace $ns with Pod Security Admission labels (enforce=baseline, warn=restricted)"
code=$(admin POST /api/v1/namespaces "$(jq -nc --arg n "$ns" '{apiVersion:"v1",kind:"Namespace",metadata:{name:$n,labels:{
  "pod-security.kubernetes.io/enforce":"baseline","pod-security.kubernetes.io/warn":"restricted"}}}')")
expect "create namespace" 201 "$code"

pod() { # NAME APP [PRIVILEGED]
  jq -nc --arg n "$1" --arg app "$2" --arg priv "${3:-false}" '{apiVersion:"v1",kind:"Pod",
    metadata:{name:$n,labels:{app:$app}},
    spec:{containers:[{name:"app",image:"registry.invalid/app:1",
      ports:[{containerPort:8080,name:"http"}],
      securityContext:{privileged:($priv=="true")}}]}}'
}
code=$(admin POST "/api/v1/namespaces/$ns/pods" "$(pod priv web true)")
expect "privileged Pod refused by PSA baseline" 403 "$code"
echo "       $(jq -r .message "$body_file" | head -c 200)"
code=$(admin POST "/api/v1/namespaces/$ns/pods" "$(pod web-0 web)")
expect "plain Pod admitted" 201 "$code"
warn=$(grep -i '^warning:' "$hdr_file" | head -n 1 | tr -d '\r' | cut -c1-160)
if [ -n "$warn" ]; then ok "PSA warn=restricted answered: $warn"; else bad "no PSA warning header"; fi
echo "       container port protocol defaulted to: $(jq -r '.spec.containers[0].ports[0].protocol' "$body_file")"
[ "$(jq -r '.spec.containers[0].ports[0].protocol' "$body_file")" = TCP ] || bad "container port protocol not defaulted"
for i in 1 2; do
  code=$(admin POST "/api/v1/namespaces/$ns/pods" "$(pod "web-$i" web)")
  expect "Pod web-$i" 201 "$code"
done
code=$(admin POST "/api/v1/namespaces/$ns/pods" "$(pod other-0 other)")
expect "Pod other-0 (app=other)" 201 "$code"

echo "2. Deployment and Service, with the API server's defaulting"
deploy=$(jq -nc '{apiVersion:"apps/v1",kind:"Deployment",metadata:{name:"web",labels:{app:"web"}},
  spec:{selector:{matchLabels:{app:"web"}},template:{metadata:{labels:{app:"web"}},
  spec:{containers:[{name:"app",image:"registry.invalid/app:1",ports:[{containerPort:8080}]}]}}}}')
code=$(admin POST "/apis/apps/v1/namespaces/$ns/deployments" "$deploy")
expect "create Deployment" 201 "$code"
echo "       defaults: replicas=$(jq -r .spec.replicas "$body_file") strategy=$(jq -r .spec.strategy.type "$body_file") port protocol=$(jq -r '.spec.template.spec.containers[0].ports[0].protocol' "$body_file") imagePullPolicy=$(jq -r '.spec.template.spec.containers[0].imagePullPolicy' "$body_file")"
svc=$(jq -nc '{apiVersion:"v1",kind:"Service",metadata:{name:"web",labels:{app:"web"}},
  spec:{selector:{app:"web"},ports:[{name:"http",port:80},{port:9090,name:"grpc-metrics",appProtocol:"grpc"}]}}')
code=$(admin POST "/api/v1/namespaces/$ns/services" "$svc")
expect "create Service" 201 "$code"
echo "       ports as stored: $(jq -c '[.spec.ports[] | {name,port,protocol,targetPort,appProtocol}]' "$body_file")"
echo "       type=$(jq -r .spec.type "$body_file") clusterIP=$(jq -r .spec.clusterIP "$body_file")"
[ "$(jq -r '.spec.ports[0].protocol' "$body_file")" = TCP ] && [ "$(jq -r '.spec.ports[0].targetPort' "$body_file")" = 80 ] \
  && ok "Service port protocol=TCP and targetPort=port defaulted" || bad "Service port defaulting"

echo "3. label selector app=web, limit=1, following continue"
path="/api/v1/namespaces/$ns/pods?labelSelector=app%3Dweb&limit=1"
names=()
pages=0
while :; do
  code=$(admin GET "$path")
  [ "$code" = 200 ] || { bad "list page -> $code"; break; }
  pages=$((pages + 1))
  mapfile -t got < <(jq -r '.items[].metadata.name' "$body_file")
  cont=$(jq -r '.metadata.continue // ""' "$body_file")
  echo "       page $pages: ${got[*]}  remainingItemCount=$(jq -r '.metadata.remainingItemCount // "-"' "$body_file") continue=${cont:+<token ${#cont} chars>}"
  names+=("${got[@]}")
  [ -n "$cont" ] || break
  path="/api/v1/namespaces/$ns/pods?labelSelector=app%3Dweb&limit=1&continue=$(jq -rn --arg c "$cont" '$c|@uri')"
done
expect "pods with app=web over all pages" "web-0 web-1 web-2" "${names[*]}"
expect "pages of limit=1" 3 "$pages"
code=$(admin GET "/api/v1/pods?labelSelector=app%3Dweb,app%20notin%20(other)&fieldSelector=metadata.namespace%3D$ns")
expect "set-based selector cluster-wide" "3" "$(jq '.items | length' "$body_file")"

echo "4. the restricted identity (mr-restricted)"
code=$(restricted GET "/apis/apps/v1/deployments?limit=500")
expect "restricted: list deployments (all namespaces)" 200 "$code"
code=$(restricted GET "/api/v1/pods?labelSelector=app%3Dweb")
expect "restricted: list pods (all namespaces)" 200 "$code"
code=$(restricted GET "/apis/apps/v1/daemonsets?limit=500")
expect "restricted: list daemonsets (all namespaces)" 403 "$code"
echo "       $(jq -c '{reason, message, details}' "$body_file")"
code=$(req "not-a-token" GET "/api/v1/pods")
expect "unknown token" 401 "$code"

echo "5. SubjectAccessReviews (as admin)"
sar() { # USER GROUP VERB GROUP RESOURCE NAME
  jq -nc --arg u "$1" --arg g "$2" --arg v "$3" --arg ag "$4" --arg r "$5" --arg n "$6" '{
    apiVersion:"authorization.k8s.io/v1",kind:"SubjectAccessReview",
    spec:{user:$u,groups:([$g]|map(select(.!=""))),resourceAttributes:{verb:$v,group:$ag,resource:$r,name:(if $n=="" then null else $n end)}}}'
}
code=$(admin POST /apis/authorization.k8s.io/v1/subjectaccessreviews \
  "$(sar system:serviceaccount:default:default system:serviceaccounts use policy podsecuritypolicies x)")
expect "SAR use policy/podsecuritypolicies/x for system:serviceaccount:default:default" 201 "$code"
echo "       status: $(jq -c .status "$body_file")"
[ "$(jq -r .status.allowed "$body_file")" = false ] || bad "PSP use allowed without any grant"
# Grant it through a namespaced Role, as a cluster admin would have for a PSP, and ask again.
code=$(admin POST "/apis/rbac.authorization.k8s.io/v1/namespaces/$ns/roles" "$(jq -nc '{apiVersion:"rbac.authorization.k8s.io/v1",kind:"Role",
  metadata:{name:"psp-x"},rules:[{apiGroups:["policy"],resources:["podsecuritypolicies"],resourceNames:["x"],verbs:["use"]}]}')")
expect "Role granting use on podsecuritypolicies/x" 201 "$code"
code=$(admin POST "/apis/rbac.authorization.k8s.io/v1/namespaces/$ns/rolebindings" "$(jq -nc --arg ns "$ns" '{apiVersion:"rbac.authorization.k8s.io/v1",kind:"RoleBinding",
  metadata:{name:"psp-x"},roleRef:{apiGroup:"rbac.authorization.k8s.io",kind:"Role",name:"psp-x"},
  subjects:[{kind:"ServiceAccount",name:"default",namespace:$ns}]}')")
expect "RoleBinding to $ns's default service account" 201 "$code"
psp_sar=$(jq -nc --arg ns "$ns" '{apiVersion:"authorization.k8s.io/v1",kind:"SubjectAccessReview",
  spec:{user:("system:serviceaccount:"+$ns+":default"),groups:["system:serviceaccounts",("system:serviceaccounts:"+$ns)],
  resourceAttributes:{namespace:$ns,verb:"use",group:"policy",resource:"podsecuritypolicies",name:"x"}}}')
code=$(admin POST /apis/authorization.k8s.io/v1/subjectaccessreviews "$psp_sar")
expect "SAR use podsecuritypolicies/x in $ns for its default service account" true "$(jq -r .status.allowed "$body_file")"
echo "       status: $(jq -c .status "$body_file")"
code=$(admin POST /apis/authorization.k8s.io/v1/subjectaccessreviews "$(jq -c '.spec.resourceAttributes.name="y"' <<<"$psp_sar")")
expect "same SAR for podsecuritypolicies/y" false "$(jq -r .status.allowed "$body_file")"
code=$(admin POST /apis/authorization.k8s.io/v1/subjectaccessreviews "$(sar mr-restricted '' list apps daemonsets '')")
expect "SAR list apps/daemonsets for mr-restricted" false "$(jq -r .status.allowed "$body_file")"
code=$(admin POST /apis/authorization.k8s.io/v1/subjectaccessreviews "$(sar mr-restricted '' list apps deployments '')")
expect "SAR list apps/deployments for mr-restricted" true "$(jq -r .status.allowed "$body_file")"
echo "       status: $(jq -c .status "$body_file")"
code=$(restricted POST /apis/authorization.k8s.io/v1/subjectaccessreviews "$(sar mr-admin '' list '' pods '')")
expect "mr-restricted may not post SubjectAccessReviews" 403 "$code"

echo "(namespace $ns is left behind: no namespace controller runs to finish deleting it)"
if [ "$fails" -ne 0 ]; then
  echo "smoke: $fails check(s) failed"
  exit 1
fi
echo "smoke: all checks passed"
