#!/usr/bin/env bash
# Builds kube-apiserver from the Go module in scripts/kube/apiserver into a
# cache dir and prints the binary's path on stdout (progress goes to stderr).
# A second run reuses the cached binary as long as go.mod/go.sum are unchanged.
#
#   scripts/kube/build.sh            # build if needed, print the binary path
#   MR_KUBE_CACHE_DIR=/some/dir scripts/kube/build.sh
#
# Cold, this downloads the k8s.io/kubernetes module graph through the Go
# module proxy (GOPROXY as configured) and compiles for a few minutes; the
# module and build caches stay in Go's defaults (GOMODCACHE, GOCACHE).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mod_dir="$here/apiserver"
version=v1.34.4
cache_dir=${MR_KUBE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mesh-readiness/kube/$version}
bin="$cache_dir/kube-apiserver"
stamp="$cache_dir/kube-apiserver.stamp"

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

log "building kube-apiserver $version with $(go env GOVERSION) into $cache_dir"
log "(cold: module download + a few minutes of compiling; later runs reuse the binary)"
start=$(date +%s)
tmp="$bin.tmp.$$"
trap 'rm -f "$tmp"' EXIT
(
  cd "$mod_dir"
  log "downloading modules"
  go mod download -x 2>&1 | grep -c '^# get' | sed 's/^/kube\/build: fetched modules: /' >&2 || true
  log "compiling k8s.io/kubernetes/cmd/kube-apiserver"
  CGO_ENABLED=0 go build -mod=readonly -buildvcs=false -trimpath -o "$tmp" \
    -ldflags "-s -w \
      -X k8s.io/component-base/version.gitVersion=$version \
      -X k8s.io/component-base/version.gitMajor=1 \
      -X k8s.io/component-base/version.gitMinor=34 \
      -X k8s.io/component-base/version.gitTreeState=clean" \
    k8s.io/kubernetes/cmd/kube-apiserver
)
mv "$tmp" "$bin"
echo "$want_stamp" >"$stamp"
log "built in $(($(date +%s) - start))s: $("$bin" --version)"
echo "$bin"
