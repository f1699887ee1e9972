#!/usr/bin/env node
/* eslint-disable no-restricted-syntax */
// Fails when yarn.lock holds two versions of one @backstage/* package, or a
// @backstage/* package the root `resolutions` do not pin to the release line
// named in backstage.json. Two copies of a Backstage package split its
// singletons (API refs, extension data, the entity context) and break the app
// at run time, long after the type-check passed.
const fs = require('node:fs');
const path = require('node:path');
const { parseSyml } = require('@yarnpkg/parsers');

const root = path.resolve(__dirname, '..');
const release = JSON.parse(
  fs.readFileSync(path.join(root, 'backstage.json'), 'utf8'),
).version;
const { resolutions = {} } = JSON.parse(
  fs.readFileSync(path.join(root, 'package.json'), 'utf8'),
);
const lock = parseSyml(fs.readFileSync(path.join(root, 'yarn.lock'), 'utf8'));

const versionsByName = new Map();
for (const [descriptors, entry] of Object.entries(lock)) {
  if (descriptors === '__metadata' || !entry.resolution) continue;
  const name = entry.resolution.slice(0, entry.resolution.indexOf('@', 1));
  if (!name.startsWith('@backstage/')) continue;
  const versions = versionsByName.get(name) ?? new Set();
  versions.add(entry.version);
  versionsByName.set(name, versions);
}

const problems = [];
for (const [name, versions] of [...versionsByName].sort()) {
  if (versions.size > 1) {
    problems.push(
      `${name} is in yarn.lock ${versions.size} times: ${[...versions].join(
        ', ',
      )}`,
    );
  } else if (resolutions[name] !== [...versions][0]) {
    problems.push(
      `${name}@${
        [...versions][0]
      } is not pinned by the root package.json resolutions ` +
        `(add "${name}": "<its Backstage ${release} version>")`,
    );
  }
}

for (const name of Object.keys(resolutions)) {
  if (name.startsWith('@backstage/') && !versionsByName.has(name)) {
    problems.push(
      `${name} is pinned by the root resolutions but nothing uses it: remove the pin`,
    );
  }
}

if (problems.length) {
  console.error(
    `Backstage ${release} release line: ${
      problems.length
    } problem(s)\n  ${problems.join('\n  ')}`,
  );
  process.exit(1);
}
console.log(
  `Backstage ${release}: ${versionsByName.size} @backstage/* packages, one version each`,
);
