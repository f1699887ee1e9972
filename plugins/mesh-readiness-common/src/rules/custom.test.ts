import { evaluate, parseManifests, validateCustomRules } from '..';
import { fail, pass, Rule } from './rule';

/** A team's own rule: every workload needs an owner label. */
const ownerLabel: Rule = {
  id: 'ACME-OWNER',
  slug: 'owner-label',
  title: 'Pods carry an owner label',
  severity: 'warning',
  rationale: 'On-call needs to know whom to page for a pod.',
  remediation: 'Add an `owner` label to the pod template.',
  docsUrl: 'https://wiki.example.com/owner-label',
  onboardingOrder: 100,
  check: ({ workload }) =>
    workload.template.labels.owner
      ? pass('The pods carry an owner label.')
      : fail('The pods have no owner label.'),
};

const { objects } = parseManifests(
  `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  template:
    metadata: { labels: { app: web, version: v1 } }
    spec: { containers: [{ name: web, image: web:1 }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: api, namespace: shop }
spec:
  template:
    metadata: { labels: { app: api, version: v1, owner: team-a } }
    spec: { containers: [{ name: api, image: api:1 }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: cart, namespace: shop, annotations: { mesh-readiness.io/waive: acme-owner } }
spec:
  template:
    metadata: { labels: { app: cart, version: v1 } }
    spec: { containers: [{ name: cart, image: cart:1 }] }
`,
  'custom.yaml',
);

describe('custom rules', () => {
  it('run after the built-in catalogue on every workload, with their severity and waivers', () => {
    const report = evaluate(
      { source: 'manifests', objects },
      { customRules: [ownerLabel] },
    );
    const finding = (name: string) =>
      report.workloads
        .find(w => w.name === name)!
        .findings.find(f => f.ruleId === 'ACME-OWNER');
    expect(
      report.workloads.every(
        w => w.findings[w.findings.length - 1].ruleId === 'ACME-OWNER',
      ),
    ).toBe(true);
    // A failing warning rule is a warning, with the rule's own remediation.
    expect(finding('web')).toMatchObject({
      status: 'warn',
      severity: 'warning',
      remediation: ownerLabel.remediation,
    });
    expect(finding('api')).toMatchObject({ status: 'pass' });
    // Waivers name custom rules as they name built-in ones, in any case.
    expect(finding('cart')).toMatchObject({
      status: 'waived',
      waivedStatus: 'warn',
    });
    const without = evaluate({ source: 'manifests', objects });
    expect(
      without.workloads[0].findings.some(f => f.ruleId === 'ACME-OWNER'),
    ).toBe(false);
  });

  it('turn a rule that throws into unknown for that rule only', () => {
    const broken: Rule = {
      ...ownerLabel,
      id: 'ACME-BROKEN',
      check: () => {
        throw new Error('boom');
      },
    };
    const [web] = evaluate(
      { source: 'manifests', objects },
      { customRules: [broken] },
    ).workloads;
    expect(web.findings.find(f => f.ruleId === 'ACME-BROKEN')).toMatchObject({
      status: 'unknown',
      message: expect.stringContaining('boom'),
    });
    expect(web.findings.find(f => f.ruleId === 'MR005')!.status).toBe('pass');
  });

  it('are refused with a message naming the rule when they cannot be used', () => {
    expect(() => validateCustomRules([ownerLabel])).not.toThrow();
    expect(() => validateCustomRules([{ ...ownerLabel, id: 'MR012' }])).toThrow(
      '"MR012": ids MR<number> belong to the built-in catalogue',
    );
    expect(() => validateCustomRules([ownerLabel, ownerLabel])).toThrow(
      '"ACME-OWNER": the id is used twice',
    );
    expect(() =>
      validateCustomRules([{ ...ownerLabel, id: 'acme owner' }]),
    ).toThrow('upper-case letters');
    expect(() =>
      validateCustomRules([{ ...ownerLabel, severity: 'fatal' as any }]),
    ).toThrow('severity must be');
    expect(() => validateCustomRules([{ ...ownerLabel, docsUrl: '' }])).toThrow(
      'docsUrl is required',
    );
    expect(() =>
      validateCustomRules([{ ...ownerLabel, check: undefined as any }]),
    ).toThrow('check must be a function');
  });
});
