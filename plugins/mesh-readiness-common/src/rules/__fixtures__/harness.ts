/* eslint-disable jest/no-export */
/*
 * Runs every fixture of one rule through the engine: a table of cases, one
 * per YAML file, as Istio's analyzer tests do.
 */
import fs from 'fs';
import path from 'path';
import { evaluate } from '../../engine';
import { parseManifests } from '../../manifests';
import { parseFixtureHeader } from '../../testUtils';

export const FIXTURES_DIR = __dirname;

export function fixtureFiles(ruleId: string): string[] {
  const dir = path.join(FIXTURES_DIR, ruleId);
  return fs
    .readdirSync(dir)
    .filter(f => f.endsWith('.yaml'))
    .sort()
    .map(f => path.join(dir, f));
}

export function describeRuleFixtures(ruleId: string) {
  const files = fixtureFiles(ruleId);

  it('has passing, failing, not-applicable and edge-case fixtures', () => {
    const kinds = new Set(files.map(f => path.basename(f).split('-')[0]));
    expect([...kinds].sort()).toEqual(expect.arrayContaining(['edge', 'fail', 'na', 'pass']));
  });

  it.each(files.map(f => [path.basename(f), f]))('%s', (_name, file) => {
    const text = fs.readFileSync(file, 'utf8');
    const header = parseFixtureHeader(text);
    const parsed = parseManifests(text, file);
    expect(parsed.errors).toEqual([]);
    expect(header.expectations.length).toBeGreaterThan(0);

    const report = evaluate(
      {
        cluster: 'fixtures',
        source: header.source,
        objects: parsed.objects,
        environment: header.environment,
        unreadable: header.unreadable,
      },
      { rules: [ruleId] },
    );
    const actual = Object.fromEntries(
      report.workloads.map(w => [`${w.kind}/${w.namespace}/${w.name}`, w.findings[0]]),
    );
    // Every workload in the file is listed, and every listed one exists.
    expect(Object.keys(actual).sort()).toEqual(header.expectations.map(e => e.workload).sort());
    for (const e of header.expectations) {
      const finding = actual[e.workload];
      expect({ workload: e.workload, ruleId: finding.ruleId, status: finding.status }).toEqual({
        workload: e.workload,
        ruleId,
        status: e.status,
      });
      expect(finding.message).toContain(e.messageContains ?? '');
      // A failure always says where: at least one piece of evidence.
      const failing = finding.status === 'fail' || finding.status === 'warn';
      expect({ workload: e.workload, failing, evidence: finding.evidence.length > 0 }).toEqual({
        workload: e.workload,
        failing,
        evidence: failing || finding.evidence.length > 0,
      });
    }
  });
}
