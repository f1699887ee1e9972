#!/usr/bin/env node
/* eslint-disable no-restricted-syntax */
// Checks that every entry point a packed package.json names (main, module,
// types, bin, exports, typesVersions) is a file inside its tarball, and that
// no workspace: range or source path leaked into it. An adopter's bundler and
// type-check resolve exactly these fields.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { builtinModules } = require('node:module');

// The package names that the built files import, require or re-export.
function importedPackages(root) {
  const names = new Set();
  const walk = dir => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/\.(c?js|mjs|d\.ts)$/.test(entry.name)) {
        const text = fs.readFileSync(file, 'utf8');
        for (const m of text.matchAll(
          /(?:from\s+|require\(\s*|import\(\s*)['"]([^'"./][^'"]*)['"]/g,
        )) {
          const parts = m[1].split('/');
          names.add(
            m[1].startsWith('@') ? parts.slice(0, 2).join('/') : parts[0],
          );
        }
      }
    }
  };
  if (fs.existsSync(path.join(root, 'dist'))) walk(path.join(root, 'dist'));
  return names;
}

function entryPoints(pkg) {
  const found = [];
  const add = (field, value) => {
    if (typeof value === 'string') found.push({ field, target: value });
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        // An exports condition `backstage` names the feature type, not a file.
        if (!(field.startsWith('exports') && key === 'backstage'))
          add(`${field}.${key}`, inner);
      }
    }
  };
  for (const field of [
    'main',
    'module',
    'types',
    'typings',
    'bin',
    'exports',
    'typesVersions',
  ]) {
    add(field, pkg[field]);
  }
  return found;
}

function checkTarball(tarball) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mr-pack-'));
  try {
    execFileSync('tar', ['-xzf', tarball, '-C', dir]);
    const root = path.join(dir, 'package');
    const pkg = JSON.parse(
      fs.readFileSync(path.join(root, 'package.json'), 'utf8'),
    );
    const problems = [];
    for (const { field, target } of entryPoints(pkg)) {
      if (target.includes('*')) continue; // a typesVersions pattern key's value never has one here
      if (/(^|\/)src\//.test(target))
        problems.push(`${field} points into src: ${target}`);
      if (!fs.existsSync(path.join(root, target)))
        problems.push(`${field} → ${target} is not in the tarball`);
    }
    for (const kind of [
      'dependencies',
      'peerDependencies',
      'optionalDependencies',
    ]) {
      for (const [name, range] of Object.entries(pkg[kind] ?? {})) {
        if (/^(workspace|link|portal|file):/.test(range))
          problems.push(`${kind}.${name} is ${range}`);
      }
    }
    if (!pkg.main) problems.push('no main');
    const declared = new Set([
      pkg.name,
      ...Object.keys(pkg.dependencies ?? {}),
      ...Object.keys(pkg.peerDependencies ?? {}),
    ]);
    for (const name of importedPackages(root)) {
      if (
        !declared.has(name) &&
        !builtinModules.includes(name) &&
        !name.startsWith('node:')
      ) {
        problems.push(
          `dist imports ${name}, which is not a dependency or peer dependency`,
        );
      }
    }
    return { name: pkg.name, count: entryPoints(pkg).length, problems };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const tarballs = process.argv.slice(2);
if (tarballs.length === 0) {
  console.error('usage: check-tarballs.js PACKAGE.tgz...');
  process.exit(2);
}
let failed = false;
for (const tarball of tarballs) {
  const { name, count, problems } = checkTarball(tarball);
  if (problems.length) {
    failed = true;
    console.error(
      `✗ ${name} (${path.basename(tarball)})\n  ${problems.join('\n  ')}`,
    );
  } else {
    console.log(`✓ ${name}: ${count} entry points, all in the tarball`);
  }
}
process.exit(failed ? 1 : 0);
