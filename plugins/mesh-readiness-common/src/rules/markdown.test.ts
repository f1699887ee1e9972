import fs from 'fs';
import path from 'path';
import { RULE_DEFINITIONS } from '.';
import { renderRuleReference, withRuleTable } from './markdown';

const ROOT = path.resolve(__dirname, '../../../..');

describe('the rule documentation', () => {
  it('in the README is generated from the current catalogue (run node scripts/rules-docs.js)', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).toBe(withRuleTable(readme, RULE_DEFINITIONS));
    for (const rule of RULE_DEFINITIONS) expect(readme).toContain(rule.id);
  });

  it('in docs/rules.md is generated from the current catalogue (run node scripts/rules-docs.js)', () => {
    const docs = fs.readFileSync(path.join(ROOT, 'docs/rules.md'), 'utf8');
    expect(docs).toBe(renderRuleReference(RULE_DEFINITIONS));
  });
});

describe('the rule catalogue', () => {
  it('has stable, unique ids MR001 to MR016 with every field users rely on', () => {
    expect(RULE_DEFINITIONS.map(r => r.id)).toEqual(
      Array.from(
        { length: 16 },
        (_, i) => `MR${String(i + 1).padStart(3, '0')}`,
      ),
    );
    for (const r of RULE_DEFINITIONS) {
      expect(r.docsUrl).toMatch(
        /^https:\/\/istio\.io\/(latest|v\d+\.\d+)\/docs\/.+\/#[a-z0-9-]+$/,
      );
      expect(r.rationale.length).toBeGreaterThan(40);
      expect(r.remediation.length).toBeGreaterThan(20);
      expect(['error', 'warning', 'info']).toContain(r.severity);
    }
    expect(new Set(RULE_DEFINITIONS.map(r => r.onboardingOrder)).size).toBe(
      RULE_DEFINITIONS.length,
    );
  });
});
