#!/usr/bin/env bash
# Builds kube-apiserver from the Go module in scripts/kube/apiserver (or
# kubectl, of the same release, from scripts/kube/kubectl) into a cache dir
# and prints the binary's path on stdout (progress goes to stderr). A second
# run reuses the cached binary as long as go.mod/go.sum are unchanged.
#
#   scripts/kube/build.sh            # build kube-apiserver if needed, print its path
#   scripts/kube/build.sh kubectl    # the same for kubectl (yarn bench:scan-live)
#   MR_KUBE_CACHE_DIR=/some/dir scripts/kube/build.sh
#
# Cold, this downloads the k8s.io/kubernetes module graph through the Go
# module proxy (GOPROXY as configured) and compiles for a few minutes; the
# module and build caches stay in Go's defaults (GOMODCACHE, GOCACHE).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tool=${1:-kube-apiserver}
case "$tool" in
  kube-apiserver) mod_dir="$here/apiserver" ;;
  kubectl) mod_dir="$here/kubectl" ;;
  *)
    echo "usage: $0 [kube-apiserver|kubectl]" >&2
    exit 2
    ;;
esac
version=v1.34.4
cache_dir=${MR_KUBE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mesh-readiness/kube/$version}
bin="$cache_dir/$tool"
stamp="$cache_dir/$tool.stamp"

log() { echo "kube/build: $*" >&2; }

if ! command -v go >/dev/null 2>&1; then
  if [ -x /usr/local/go/bin/go ]; then
    export PATH="/usr/local/go/bin:$PATH"
  else
    log "no Go toolchain found (need go >= 1.24 on PATH or in /usr/local/go)"
    exit 1
  fi
fi

# The stamp ties the cached binary to the exact module graph it came from.
want_stamp="$version $(go env GOVERSION) $(cat "$mod_dir/go.mod" "$mod_dir/go.sum" | sha256sum | cut -c1-16)"

mkdir -p "$cache_dir"
exec 9>"$cache_dir/.build.lock"
flock 9 # two runs at once build only once

if [ -x "$bin" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ]; then
  log "cached: $bin"
  echo "$bin"
  exit 0
fi

log "building $tool $version with $(go env GOVERSION) into $cache_dir"
log "(cold: module download + a few minutes of compiling; later runs reuse the binary)"
start=$(date +%s)
tmp="$bin.tmp.$$"
trap 'rm -f "$tmp"' EXIT
(
  cd "$mod_dir"
  log "downloading modules"
  go mod download -x 2>&1 | grep -c '^# get' | sed 's/^/kube\/build: fetched modules: /' >&2 || true
  log "compiling k8s.io/kubernetes/cmd/$tool"
  CGO_ENABLED=0 go build -mod=readonly -buildvcs=false -trimpath -o "$tmp" \
    -ldflags "-s -w \
      -X k8s.io/component-base/version.gitVersion=$version \
      -X k8s.io/component-base/version.gitMajor=1 \
      -X k8s.io/component-base/version.gitMinor=34 \
      -X k8s.io/component-base/version.gitTreeState=clean" \
    "k8s.io/kubernetes/cmd/$tool"
)
mv "$tmp" "$bin"
echo "$want_stamp" >"$stamp"
log "built $tool in $(($(date +%s) - start))s"
echo "$bin"
