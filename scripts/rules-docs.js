#!/usr/bin/env node
/* eslint-disable no-restricted-syntax */
// Regenerates the rule table in README.md and docs/rules.md from the catalogue.
const fs = require('node:fs');
const path = require('node:path');

require('@backstage/cli/config/nodeTransform.cjs');
const {
  RULE_DEFINITIONS,
} = require('../plugins/mesh-readiness-common/src/rules');
const {
  renderRuleReference,
  withRuleTable,
} = require('../plugins/mesh-readiness-common/src/rules/markdown');

const root = path.resolve(__dirname, '..');
const readmePath = path.join(root, 'README.md');
fs.writeFileSync(
  readmePath,
  withRuleTable(fs.readFileSync(readmePath, 'utf8'), RULE_DEFINITIONS),
);
fs.mkdirSync(path.join(root, 'docs'), { recursive: true });
fs.writeFileSync(
  path.join(root, 'docs/rules.md'),
  renderRuleReference(RULE_DEFINITIONS),
);
console.log('rules-docs: wrote README.md rule table and docs/rules.md');
