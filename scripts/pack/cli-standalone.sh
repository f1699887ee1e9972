#!/usr/bin/env bash
# Installs the CLI from its tarball (and the common tarball it depends on)
# into an empty folder with plain npm, outside this repository and without
# Backstage, then checks the demo manifests with it, as a CI job of a team
# that only wants the gate would. Runs on the machine's own Node when there is
# one (`/usr/bin/node`, Node 20 here), else on the toolchain's.
set -euo pipefail
packs="$1"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
node_bin="$(command -v /usr/bin/node || command -v node)"
npm_cli="$(dirname "$(readlink -f "$(command -v npm)")")/npm-cli.js"
[ -f "$npm_cli" ] || npm_cli="$(dirname "$(readlink -f "$(command -v npm)")")/../lib/cli.js"

dir="$(mktemp -d /tmp/mr-cli-standalone.XXXXXX)"
trap 'rm -rf "$dir"' EXIT
cp -r "$repo/examples/mesh-demo/cluster" "$dir/manifests"
cd "$dir"
echo '{ "name": "ci-gate", "private": true }' > package.json
# The common tarball is given too: it is not on the registry yet.
npm install --no-audit --no-fund --loglevel=error \
  "$packs"/@mesh-readiness-plugin-mesh-readiness-common-*.tgz \
  "$packs"/@mesh-readiness-cli-*.tgz >&2
# Only isomorphic libraries of Backstage may come along (-common's
# permission definitions need plugin-permission-common), never a backend,
# frontend or the Backstage CLI.
for heavy in backend-plugin-api backend-defaults core-plugin-api frontend-plugin-api cli; do
  if [ -e "node_modules/@backstage/$heavy" ]; then
    echo "installing the CLI pulled @backstage/$heavy" >&2
    exit 1
  fi
done

set +e
"$node_bin" node_modules/.bin/mesh-readiness check manifests --format json > report.json
status=$?
set -e
# 1: some workload of the demo is not ready; 0 would mean the rules did not
# run, 2 that an input could not be read.
if [ "$status" != 1 ]; then
  echo "mesh-readiness check exited $status, expected 1 (the demo has workloads that are not ready)" >&2
  cat report.json >&2
  exit 1
fi
"$node_bin" -e '
const report = JSON.parse(require("fs").readFileSync("report.json", "utf8"));
const failing = report.workloads.filter(w => !w.ready);
const withDocs = report.workloads.flatMap(w => w.findings).filter(f => f.docsUrl?.startsWith("https://istio.io/"));
if (report.workloads.length === 0 || failing.length === 0 || withDocs.length === 0 || report.errors.length) {
  console.error("unexpected report", JSON.stringify(report).slice(0, 2000));
  process.exit(1);
}
console.log(`✓ the CLI from its tarball on Node ${process.versions.node}: ${report.workloads.length} workloads, ${failing.length} not ready`);
'
