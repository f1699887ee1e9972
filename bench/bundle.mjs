#!/usr/bin/env node
/*
 * yarn bench:bundle — the gzip size the frontend plugin adds to the app
 * bundle: its own built code (its dependencies are shared with the app and
 * not bundled into it), beside Backstage's Kubernetes plugin, a similar
 * entity-tab plugin, measured the same way in the same run.
 * Last line: gzip_kb=<n>
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function jsFiles(dir) {
  return readdirSync(dir).flatMap(name => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return jsFiles(full);
    return /\.(m?js)$/.test(name) && !name.endsWith('.map') ? [full] : [];
  });
}

const gzipKb = dir =>
  jsFiles(dir).reduce(
    (sum, f) => sum + gzipSync(readFileSync(f), { level: 9 }).length,
    0,
  ) / 1024;

const plugin = path.join(root, 'plugins/mesh-readiness');
execFileSync('yarn', ['backstage-cli', 'package', 'build'], {
  cwd: plugin,
  stdio: 'inherit',
});
const ours = gzipKb(path.join(plugin, 'dist'));
const kubernetes = gzipKb(
  path.join(root, 'node_modules/@backstage/plugin-kubernetes/dist'),
);
console.log(
  `mesh-readiness plugin: ${ours.toFixed(
    1,
  )} KB gzip; @backstage/plugin-kubernetes: ${kubernetes.toFixed(
    1,
  )} KB gzip; ratio ${(ours / kubernetes).toFixed(2)}`,
);
console.log('target: under 100 KB');
console.log(`gzip_kb=${ours.toFixed(1)}`);
