#!/usr/bin/env node
/*
 * Turns a fresh `create-app` app into an adopter's app of the packed
 * plugins, by doing what the plugin READMEs tell an adopter to do:
 *
 *   node scripts/adopter/prepare.mjs <app dir> <tarball>...
 *
 * - pins the app's `@backstage/*` packages to the repo root's `resolutions`
 *   (the README's troubleshooting advice for an app made without its
 *   lockfile seed), and resolves the packages that are not on the registry
 *   (-common, -node) to their tarballs;
 * - runs every command of a README code block marked `<!-- adopter: run -->`
 *   exactly as written, with each of our package names mapped to
 *   `name@file:<tarball>`;
 * - inserts every block marked `<!-- adopter: <file> -->` into that file of
 *   the app, before the file's anchor line below.
 *
 * So the docs and this test cannot drift: a README line that does not work
 * in a new app fails the test.
 */
import { execFileSync, execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);
const [appDir, ...tarballs] = process.argv.slice(2);
if (!appDir || tarballs.length === 0) {
  console.error('usage: prepare.mjs <app dir> <tarball>...');
  process.exit(2);
}

// The READMEs an adopter of the portal plugins follows, in order.
const READMES = [
  'plugins/mesh-readiness-backend/README.md',
  'plugins/mesh-readiness/README.md',
];
// Where a README's code goes in a new app's file: before this line.
const ANCHORS = {
  'packages/backend/src/index.ts': 'backend.start();',
};
// Not on the registry: an adopter gets them as dependencies of the plugins.
const FROM_TARBALL_ONLY = [
  '@mesh-readiness/plugin-mesh-readiness-common',
  '@mesh-readiness/plugin-mesh-readiness-node',
];

const tarballOf = new Map(
  tarballs.map(file => {
    const manifest = execFileSync(
      'tar',
      ['-xOzf', file, 'package/package.json'],
      {
        encoding: 'utf8',
      },
    );
    return [JSON.parse(manifest).name, path.resolve(file)];
  }),
);

const pkgFile = path.join(appDir, 'package.json');
const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
const rootPins = JSON.parse(
  readFileSync(path.join(root, 'package.json'), 'utf8'),
).resolutions;
pkg.resolutions = {
  ...pkg.resolutions,
  ...Object.fromEntries(
    Object.entries(rootPins).filter(([name]) => name.startsWith('@backstage/')),
  ),
};
for (const name of FROM_TARBALL_ONLY) {
  if (!tarballOf.has(name))
    throw new Error(`no tarball of ${name} among ${tarballs.join(' ')}`);
  pkg.resolutions[name] = `file:${tarballOf.get(name)}`;
}
writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);

/** The code blocks that follow an `<!-- adopter: target -->` comment. */
function markedBlocks(readme) {
  const text = readFileSync(path.join(root, readme), 'utf8');
  const marked = /<!-- adopter: (\S+) -->\s*\n *```[^\n]*\n([\s\S]*?)\n *```/g;
  return [...text.matchAll(marked)].map(([, target, body]) => ({
    target,
    body,
  }));
}

const mapNames = command =>
  command.replace(/@mesh-readiness\/[a-z0-9-]+/g, name => {
    if (!tarballOf.has(name))
      throw new Error(`no tarball of ${name}, named by "${command}"`);
    return `${name}@file:${tarballOf.get(name)}`;
  });

for (const readme of READMES) {
  const blocks = markedBlocks(readme);
  if (!blocks.some(b => b.target === 'run'))
    throw new Error(
      `${readme} has no install block marked <!-- adopter: run -->`,
    );
  for (const { target, body } of blocks) {
    if (target === 'run') {
      for (const line of body
        .split('\n')
        .map(l => l.trim())
        .filter(Boolean)) {
        if (line.startsWith('#')) continue;
        console.error(`adopter (${readme}): ${line}`);
        execSync(mapNames(line), { cwd: appDir, stdio: 'inherit' });
      }
      continue;
    }
    const anchor = ANCHORS[target];
    if (!anchor) throw new Error(`${readme}: no anchor known for ${target}`);
    const file = path.join(appDir, target);
    const source = readFileSync(file, 'utf8');
    const at = source.indexOf(`\n${anchor}`);
    if (at < 0)
      throw new Error(`${target} of the new app has no line "${anchor}"`);
    console.error(`adopter (${readme}): into ${target}:\n${body}`);
    writeFileSync(
      file,
      `${source.slice(0, at + 1)}${body}\n\n${source.slice(at + 1)}`,
    );
  }
}
