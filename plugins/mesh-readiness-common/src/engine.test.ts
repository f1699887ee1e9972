import { applyWaivers, evaluate } from './engine';
import { parseManifests } from './manifests';
import { RULE_DEFINITIONS } from './rules';
import {
  averageScore,
  componentReady,
  findingsNeedingAction,
  levelOf,
  needsAction,
  scoreOf,
  summarize,
  topFailingRules,
} from './scoring';
import { Finding } from './types';

const NAMESPACE = `
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    istio-injection: enabled
`;

function deployment(
  extra: { annotations?: string; labels?: string; runAsUser?: number } = {},
) {
  return `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
${extra.annotations ? `  annotations:\n${extra.annotations}` : ''}
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels:
        app: web
${extra.labels ?? '        version: v1'}
    spec:
      containers:
        - name: web
          image: shop/web:1.0
          ports: [{containerPort: 8080}]
${
  extra.runAsUser
    ? `          securityContext: {runAsUser: ${extra.runAsUser}}`
    : ''
}
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
`;
}

function run(yaml: string) {
  const parsed = parseManifests(yaml, 'test.yaml');
  expect(parsed.errors).toEqual([]);
  return evaluate({ source: 'manifests', objects: parsed.objects });
}

const finding = (report: ReturnType<typeof run>, id: string) =>
  report.workloads[0].findings.find(f => f.ruleId === id)!;

describe('evaluate', () => {
  it('gives every workload one finding per rule, in catalogue order', () => {
    const report = run(`${NAMESPACE}---${deployment()}`);
    expect(report.workloads).toHaveLength(1);
    expect(report.workloads[0].findings.map(f => f.ruleId)).toEqual(
      RULE_DEFINITIONS.map(r => r.id),
    );
  });

  it('rates a fully compliant, injected workload Meshed with score 100', () => {
    const [web] = run(`${NAMESPACE}---${deployment()}`).workloads;
    expect(web).toMatchObject({ ready: true, level: 3, score: 100 });
  });

  it('rates a workload that only misses a warning rule Compatible', () => {
    const [web] = run(
      `${NAMESPACE}---${deployment({ labels: '        tier: front' })}`,
    ).workloads;
    expect(web.findings.find(f => f.ruleId === 'MR005')!.status).toBe('warn');
    expect(web).toMatchObject({ ready: true, level: 1 });
    expect(web.score).toBeLessThan(100);
  });

  it('makes a failing error rule block readiness', () => {
    const [web] = run(
      `${NAMESPACE}---${deployment({ runAsUser: 1337 })}`,
    ).workloads;
    expect(web).toMatchObject({ ready: false, level: 0 });
  });

  it('shows a waived finding as waived with its reason, never as pass, and lets it stop blocking', () => {
    const report = run(
      `${NAMESPACE}---${deployment({
        runAsUser: 1337,
        annotations: `    mesh-readiness.io/waive: "mr003, MR005"\n    mesh-readiness.io/waive-reason: "legacy image, fixed in Q3"`,
      })}`,
    );
    const mr003 = finding(report, 'MR003');
    expect(mr003).toMatchObject({
      status: 'waived',
      waivedStatus: 'fail',
      waiver: {
        reason: 'legacy image, fixed in Q3',
        source: expect.stringContaining('Deployment shop/web'),
      },
    });
    // MR005 passes anyway: a waiver never hides a pass either.
    expect(finding(report, 'MR005').status).toBe('pass');
    expect(report.workloads[0].ready).toBe(true);
  });

  it('honours Istio’s own analyze-suppress annotation for the matching rule', () => {
    const report = run(
      `${NAMESPACE}---${deployment({
        runAsUser: 1337,
        annotations: '    galley.istio.io/analyze-suppress: "IST0144"',
      })}`,
    );
    expect(finding(report, 'MR003')).toMatchObject({
      status: 'waived',
      waiver: { reason: expect.stringContaining('IST0144') },
    });
  });

  it('applies waivers passed by the caller, e.g. from the catalog entity', () => {
    const parsed = parseManifests(
      `${NAMESPACE}---${deployment({ runAsUser: 1337 })}`,
      't.yaml',
    );
    const report = evaluate(
      { source: 'manifests', objects: parsed.objects },
      {
        waivers: {
          MR003: {
            reason: 'accepted by the team',
            source: 'Component default/web',
          },
        },
      },
    );
    expect(finding(report, 'MR003').status).toBe('waived');
  });

  it('applies waivers to an evaluated workload and re-scores it, as the backend does for entities', () => {
    const [web] = run(
      `${NAMESPACE}---${deployment({ runAsUser: 1337 })}`,
    ).workloads;
    expect(web.ready).toBe(false);
    const waived = applyWaivers(web, {
      MR003: { reason: 'accepted', source: 'Component default/web' },
      MR001: { reason: 'x', source: 'y' },
    });
    expect(waived).toMatchObject({ ready: true, level: 3 });
    expect(waived.findings.find(f => f.ruleId === 'MR003')).toMatchObject({
      status: 'waived',
      waivedStatus: 'fail',
    });
    expect(waived.findings.find(f => f.ruleId === 'MR001')!.status).toBe(
      'pass',
    );
    expect(web.findings.find(f => f.ruleId === 'MR003')!.status).toBe('fail');
  });

  it('turns a kind the cluster would not let us read into unknown, never pass', () => {
    const parsed = parseManifests(`${NAMESPACE}---${deployment()}`, 't.yaml');
    const report = evaluate({
      source: 'live',
      objects: parsed.objects.filter(o => o.kind !== 'Service'),
      unreadable: [{ kind: 'Service', reason: 'services is forbidden (403)' }],
    });
    for (const id of ['MR001', 'MR002', 'MR006', 'MR010']) {
      expect(finding(report, id)).toMatchObject({
        status: 'unknown',
        message: expect.stringContaining('403'),
      });
    }
    expect(report.workloads[0].ready).toBe(false);
  });

  it('points evidence on pod labels at the metadata they are in, for a Pod and a Deployment', () => {
    const report = run(`${NAMESPACE}---${deployment()}---
apiVersion: v1
kind: Pod
metadata:
  name: debug
  namespace: shop
  labels: {app: debug, version: v1}
spec:
  containers: [{name: debug, image: busybox}]
`);
    const fields = (name: string) =>
      report.workloads
        .find(w => w.name === name)!
        .findings.find(f => f.ruleId === 'MR005')!
        .evidence.map(e => `${e.kind} ${e.name} ${e.field}`);
    expect(fields('debug')).toEqual([
      'Pod debug metadata.labels',
      'Pod debug metadata.labels',
    ]);
    expect(fields('web')).toEqual([
      'Deployment web spec.template.metadata.labels',
      'Deployment web spec.template.metadata.labels',
    ]);
  });

  it('survives objects of the wrong shape without throwing', () => {
    const report = evaluate({
      source: 'manifests',
      objects: [
        {
          kind: 'Deployment',
          metadata: { name: 'odd' },
          spec: { template: { spec: { containers: 'c' } } },
        },
        { kind: 'Deployment', metadata: { name: 'null-spec' }, spec: null },
        {
          kind: 'Service',
          metadata: { name: 's' },
          spec: { selector: ['a'], ports: 'x' },
        },
        {
          kind: 'Pod',
          metadata: { name: 'p', labels: ['x'] },
          spec: { containers: [{ ports: [{ containerPort: 'abc' }] }] },
        },
        null as any,
        42 as any,
      ],
    });
    expect(report.workloads.map(w => w.name)).toEqual([
      'null-spec',
      'odd',
      'p',
    ]);
    for (const w of report.workloads)
      expect(w.findings).toHaveLength(RULE_DEFINITIONS.length);
  });

  it('names each live pod in evidence when identical pods share their per-pod work', () => {
    const spec = {
      containers: [
        { name: 'app', ports: [{ name: 'admin', containerPort: 15000 }] },
      ],
    };
    const pod = (name: string, labels: Record<string, string>) => ({
      kind: 'Pod',
      metadata: {
        name,
        namespace: 'shop',
        labels,
        ownerReferences: [{ kind: 'ReplicaSet', name: 'web-rs', uid: 'rs' }],
      },
      // A copy per pod, as the API returns them.
      spec: JSON.parse(JSON.stringify(spec)),
    });
    const report = evaluate({
      source: 'live',
      objects: [
        {
          kind: 'Deployment',
          metadata: { name: 'web', namespace: 'shop', uid: 'd' },
          spec: { template: { metadata: { labels: { app: 'web' } }, spec } },
        },
        {
          kind: 'ReplicaSet',
          metadata: {
            name: 'web-rs',
            namespace: 'shop',
            uid: 'rs',
            ownerReferences: [{ kind: 'Deployment', name: 'web', uid: 'd' }],
          },
        },
        pod('web-1', { app: 'web' }),
        pod('web-2', { app: 'other' }),
        pod('web-3', { app: 'other' }),
        pod('web-4', { app: 'web' }),
        {
          kind: 'Service',
          metadata: { name: 'web', namespace: 'shop' },
          spec: {
            selector: { app: 'web' },
            ports: [{ name: 'http', port: 80 }],
          },
        },
      ],
    });
    const findings = report.workloads[0].findings;
    const unselected = findings.find(f => f.ruleId === 'MR001')!;
    expect(unselected.message).toContain("2 of the workload's pods");
    expect(unselected.evidence.map(e => e.name)).toEqual(['web-2', 'web-3']);
    // One piece of evidence per port; the last pod that declares it names it.
    const reserved = findings.find(f => f.ruleId === 'MR007')!;
    expect(reserved.evidence.map(e => `${e.kind}/${e.name}`)).toEqual([
      'Pod/web-4',
    ]);
  });
});

describe('scoring', () => {
  const f = (
    ruleId: string,
    severity: Finding['severity'],
    status: Finding['status'],
  ): Finding => ({
    ruleId,
    severity,
    status,
    title: '',
    message: '',
    evidence: [],
    remediation: '',
    docsUrl: '',
  });

  it('weighs severities and leaves not-applicable and waived findings out', () => {
    expect(scoreOf([f('A', 'error', 'pass'), f('B', 'warning', 'warn')])).toBe(
      71,
    );
    expect(
      scoreOf([
        f('A', 'error', 'pass'),
        f('B', 'warning', 'skip'),
        f('C', 'info', 'waived'),
      ]),
    ).toBe(100);
    expect(scoreOf([f('A', 'error', 'unknown')])).toBe(0);
  });

  it('needs the data plane on for level 3', () => {
    expect(
      levelOf([f('MR001', 'error', 'pass'), f('MR008', 'warning', 'pass')]),
    ).toBe(3);
    expect(
      levelOf([f('MR001', 'error', 'pass'), f('MR008', 'warning', 'waived')]),
    ).toBe(2);
    expect(
      levelOf([f('MR001', 'error', 'pass'), f('MR008', 'warning', 'unknown')]),
    ).toBe(1);
    expect(levelOf([f('MR001', 'error', 'unknown')])).toBe(0);
  });

  it('rolls workloads up to the lowest level and the mean score', () => {
    const summary = summarize([
      {
        kind: 'Deployment',
        namespace: 'a',
        name: 'x',
        ready: true,
        level: 3,
        score: 100,
        findings: [f('A', 'error', 'pass')],
      },
      {
        kind: 'Deployment',
        namespace: 'a',
        name: 'y',
        ready: false,
        level: 0,
        score: 51,
        findings: [f('A', 'error', 'fail')],
      },
    ]);
    expect(summary).toMatchObject({
      workloads: 2,
      readyWorkloads: 1,
      level: 0,
      score: 76,
    });
    expect(summary.statusCounts).toMatchObject({ pass: 1, fail: 1 });
  });

  it('asks for action on failures, warnings and unknowns only', () => {
    const statuses: Finding['status'][] = [
      'pass',
      'fail',
      'warn',
      'skip',
      'unknown',
      'waived',
    ];
    expect(statuses.filter(status => needsAction({ status }))).toEqual([
      'fail',
      'warn',
      'unknown',
    ]);
  });

  it('lists the findings a workload does not clear, as the report says now', () => {
    const workload = {
      kind: 'Deployment',
      namespace: 'a',
      name: 'x',
      ready: false,
      level: 0 as const,
      score: 0,
      findings: [
        f('MR001', 'error', 'pass'),
        f('MR003', 'error', 'fail'),
        f('MR005', 'warning', 'waived'),
        f('MR006', 'warning', 'warn'),
      ],
    };
    expect(findingsNeedingAction(workload).map(x => x.ruleId)).toEqual([
      'MR003',
      'MR006',
    ]);
    // The same report object after its findings change (a waiver applied, a rescan merged in).
    workload.findings = [
      f('MR003', 'error', 'waived'),
      f('MR008', 'warning', 'unknown'),
    ];
    expect(findingsNeedingAction(workload).map(x => x.ruleId)).toEqual([
      'MR008',
    ]);
  });

  it('calls a component ready only when it is mapped and every one of its workloads is', () => {
    const summary = (workloads: number, readyWorkloads: number) => ({
      ...summarize([]),
      workloads,
      readyWorkloads,
    });
    expect(componentReady({ mapped: true, summary: summary(2, 2) })).toBe(true);
    expect(componentReady({ mapped: true, summary: summary(2, 1) })).toBe(
      false,
    );
    expect(componentReady({ mapped: true, summary: summary(0, 0) })).toBe(
      false,
    );
    expect(componentReady({ mapped: false, summary: summary(1, 1) })).toBe(
      false,
    );
  });

  it('averages scores, 0 when there are none', () => {
    expect(averageScore([100, 51])).toBe(76);
    expect(averageScore([])).toBe(0);
  });

  it('ranks the rules that hold most workloads back, catalogue order breaking ties, waivers not counted', () => {
    const w = (name: string, findings: Finding[]) => ({
      kind: 'Deployment',
      namespace: 'a',
      name,
      ready: false,
      level: 0 as const,
      score: 0,
      findings,
    });
    const top = topFailingRules([
      w('x', [f('MR006', 'warning', 'warn'), f('MR003', 'error', 'fail')]),
      w('y', [
        f('MR006', 'warning', 'warn'),
        f('MR003', 'error', 'waived'),
        f('MR001', 'error', 'unknown'),
      ]),
    ]);
    expect(top.map(r => [r.ruleId, r.workloads])).toEqual([
      ['MR006', 2],
      ['MR001', 1],
      ['MR003', 1],
    ]);
  });
});

describe('Istio suppress annotation, as istioctl reads it', () => {
  const suppressed = (value: string) => {
    const parsed = parseManifests(
      `${NAMESPACE}---${deployment({
        runAsUser: 1337,
        annotations: `    galley.istio.io/analyze-suppress: "${value}"`,
      })}`,
      't.yaml',
    );
    return evaluate({
      source: 'manifests',
      objects: parsed.objects,
    }).workloads[0].findings.find(f => f.ruleId === 'MR003')!.status;
  };

  it('matches codes exactly, and * suppresses every message', () => {
    expect(suppressed('IST0118,IST0144')).toBe('waived');
    expect(suppressed('*')).toBe('waived');
    // Istio neither trims nor folds case, so these suppress nothing.
    expect(suppressed('IST0118, IST0144')).toBe('fail');
    expect(suppressed('ist0144')).toBe('fail');
  });
});
