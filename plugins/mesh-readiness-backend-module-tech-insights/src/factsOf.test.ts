import fs from 'node:fs';
import path from 'node:path';
import {
  evaluate,
  EntityReadinessResponse,
  parseManifests,
  summarize,
  WorkloadReport,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import { factsOf } from './factsOf';

/** The engine's report of the shared waiver fixture, as the backend would serve it for one component. */
function report(
  mutate: (w: WorkloadReport) => WorkloadReport = w => w,
): EntityReadinessResponse {
  const file = path.resolve(
    require.resolve(
      '@mesh-readiness/plugin-mesh-readiness-common/package.json',
    ),
    '../src/__fixtures__/waivers/expiring-waivers.yaml',
  );
  const objects = parseManifests(
    fs.readFileSync(file, 'utf8'),
    'expiring-waivers.yaml',
  ).objects;
  const workloads = evaluate(
    { cluster: 'prod', source: 'manifests', objects },
    { now: new Date('2026-12-01T00:00:00Z') },
  ).workloads.map(mutate);
  return {
    entityRef: 'component:default/payments',
    mapped: true,
    summary: summarize(workloads),
    clusters: [],
    workloads,
    errors: [],
  };
}

describe('factsOf', () => {
  it('gives readiness, level, score, failing rules and the waivers in effect or expired', () => {
    expect(factsOf(report())).toEqual({
      ready: true,
      ambientReady: true,
      level: 1,
      score: expect.any(Number),
      workloads: 3,
      failingRules: ['MR006'],
      waivers: [
        expect.objectContaining({
          ruleId: 'MR006',
          until: '2099-12-31',
          state: 'active',
          workload: 'prod/Deployment/payments/billing',
        }),
        expect.objectContaining({
          ruleId: 'MR006',
          until: '2020-01-31',
          state: 'expired',
          workload: 'prod/Deployment/payments/ledger',
        }),
      ],
    });
  });

  it('says whether the component would be ready in ambient mode only when every workload was judged for it', () => {
    const withModes = (ready: boolean) => (w: WorkloadReport) => ({
      ...w,
      modes: {
        sidecar: { ready: true, blocking: [] },
        ambient: { ready, blocking: ready ? [] : ['MR015'] },
      },
    });
    expect(factsOf(report(withModes(true)))?.ambientReady).toBe(true);
    expect(factsOf(report(withModes(false)))?.ambientReady).toBe(false);
    // A report stored before readiness per mode existed has no modes.
    const withoutModes = (w: WorkloadReport) => {
      const { modes: _modes, ...rest } = w;
      return rest as WorkloadReport;
    };
    expect(factsOf(report(withoutModes))).not.toHaveProperty('ambientReady');
  });

  it('gives no facts for a component that is not mapped', () => {
    expect(factsOf({ ...report(), mapped: false })).toBeUndefined();
  });
});
