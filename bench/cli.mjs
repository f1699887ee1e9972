/*
 * yarn bench:cli — is `mesh-readiness check` fast for a CLI?
 *
 * Whole-process wall time of `check` on a generated Helm-style YAML of
 * 2,000 Deployments and 2,200 Services (about 1.55 MB), against a
 * whole-process Node script that only parses the same file with js-yaml,
 * the fastest YAML parser among our dependencies. Both pay Node's start.
 *
 * `check` runs as an adopter installs it: from its build (dist) and the
 * common package's build, on plain Node, without a TypeScript transform.
 * The two packages are built here and staged as `npm install` of their
 * tarballs would lay them out (package.json with its publishConfig).
 *
 * Last line: wall_s=<median check seconds> vs_parse=<median ratio>.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const STAGE = path.join(ROOT, 'node_modules/.cache/mesh-readiness-bench-cli');
const PACKAGES = {
  '@mesh-readiness/plugin-mesh-readiness-common':
    'plugins/mesh-readiness-common',
  '@mesh-readiness/cli': 'plugins/mesh-readiness-cli',
};

function build() {
  for (const dir of Object.values(PACKAGES)) {
    execFileSync('yarn', ['backstage-cli', 'package', 'build'], {
      cwd: path.join(ROOT, dir),
      stdio: 'inherit',
    });
  }
}

/** Lays each package out as its tarball installs: the built files and the published package.json. */
function stage() {
  fs.rmSync(STAGE, { recursive: true, force: true });
  for (const [name, dir] of Object.entries(PACKAGES)) {
    const from = path.join(ROOT, dir);
    const to = path.join(STAGE, 'node_modules', name);
    fs.mkdirSync(to, { recursive: true });
    const manifest = JSON.parse(
      fs.readFileSync(path.join(from, 'package.json'), 'utf8'),
    );
    const published = { ...manifest, ...manifest.publishConfig };
    delete published.exports;
    delete published.typesVersions;
    fs.writeFileSync(
      path.join(to, 'package.json'),
      JSON.stringify(published, null, 2),
    );
    for (const entry of manifest.files ?? ['dist']) {
      fs.cpSync(path.join(from, entry), path.join(to, entry), {
        recursive: true,
      });
    }
  }
  // Third-party dependencies resolve from the repository's node_modules, above the stage.
  return path.join(
    STAGE,
    'node_modules/@mesh-readiness/cli/bin/mesh-readiness',
  );
}

/** A chart's rendered output: per app a Deployment and a Service, every tenth app a headless one too. */
function generateYaml(file) {
  const docs = [];
  for (let i = 0; i < 2000; i++) {
    const ns = `team-${i % 40}`;
    const app = `app-${i}`;
    docs.push(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app}
  namespace: ${ns}
spec:
  selector:
    matchLabels:
      app: ${app}
  template:
    metadata:
      labels:
        app: ${app}
        version: v${i % 3}
    spec:
      containers:
        - name: main
          image: registry.example.com/${app}:1.${i % 10}.0
          ports:
            - name: http
              containerPort: 8080
            - name: metrics
              containerPort: 9090
          readinessProbe:
            httpGet: {path: /ready, port: 8080}`);
    docs.push(`apiVersion: v1
kind: Service
metadata:
  name: ${app}
  namespace: ${ns}
spec:
  selector:
    app: ${app}
  ports:
    - name: http
      port: 80
      targetPort: http
    - name: ${i % 4 === 0 ? 'metrics' : 'http-metrics'}
      port: 9090`);
    if (i % 10 === 0) {
      docs.push(`apiVersion: v1
kind: Service
metadata:
  name: ${app}-headless
  namespace: ${ns}
spec:
  clusterIP: None
  selector:
    app: ${app}
  ports:
    - name: http
      port: 8080`);
    }
  }
  fs.writeFileSync(file, `---\n${docs.join('\n---\n')}\n`);
}

function wall(args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0 && result.status !== 1)
    throw new Error(
      `${args.join(' ')} exited ${result.status}: ${result.stderr}`,
    );
  return seconds;
}

const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

build();
const bin = stage();
const yamlFile = path.join(STAGE, 'rendered.yaml');
generateYaml(yamlFile);
const jsYaml = path.dirname(
  execFileSync(
    process.execPath,
    ['-p', `require.resolve('js-yaml/package.json')`],
    { cwd: path.join(ROOT, 'plugins/mesh-readiness-common'), encoding: 'utf8' },
  ).trim(),
);
const parseOnly = [
  '-e',
  `require(${JSON.stringify(
    jsYaml,
  )}).loadAll(require('node:fs').readFileSync(${JSON.stringify(
    yamlFile,
  )}, 'utf8'))`,
];
const checkArgs = [bin, 'check', yamlFile, '--no-color', '--no-target'];

console.log(
  `input: ${(fs.statSync(yamlFile).size / 1e6).toFixed(
    2,
  )} MB, 2000 Deployments, 2200 Services; ${RUNS} runs after a warm-up`,
);
wall(parseOnly);
wall(checkArgs);
const checks = [];
const ratios = [];
const parses = [];
for (let i = 0; i < RUNS; i++) {
  const p = wall(parseOnly);
  const c = wall(checkArgs);
  parses.push(p);
  checks.push(c);
  ratios.push(c / p);
  console.log(
    `run ${i + 1}: check ${c.toFixed(3)} s, parse only ${p.toFixed(
      3,
    )} s, ratio ${(c / p).toFixed(2)}`,
  );
}
console.log(`parse_s=${median(parses).toFixed(3)}`);
console.log(
  `wall_s=${median(checks).toFixed(3)} vs_parse=${median(ratios).toFixed(2)}`,
);
