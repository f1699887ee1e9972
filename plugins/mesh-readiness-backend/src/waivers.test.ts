/*
 * Expiring waivers through the HTTP API, on the shared YAML fixture: an
 * expired waiver, a live one and a malformed date, on workloads and on
 * catalog entities.
 */
import path from 'node:path';
import request from 'supertest';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Entity } from '@backstage/catalog-model';
import {
  dayAfter,
  EntityReadinessResponse,
  GroupScorecardResponse,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import { meshReadinessPlugin } from './plugin';
import { inMemoryDatabaseFactory } from './service/__testUtils__/inMemoryDatabase';

const WAIVER_FIXTURES = path.resolve(
  require.resolve('@mesh-readiness/plugin-mesh-readiness-common/package.json'),
  '../src/__fixtures__/waivers',
);

const component = (
  name: string,
  annotations: Record<string, string>,
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations },
  spec: { type: 'service', owner: 'payments-team' },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/payments-team' }],
});

const soon = dayAfter(new Date(), 5);
const later = dayAfter(new Date(), 30);

const ENTITIES: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'payments-team', namespace: 'default' },
    spec: { type: 'team', children: [] },
  },
  component('payments', {
    'backstage.io/kubernetes-label-selector': 'team=payments',
  }),
  // The component waives what its workload's expired waiver no longer does, for five more days.
  component('ledger', {
    'backstage.io/kubernetes-label-selector': 'app=ledger',
    'mesh-readiness.io/waive': 'MR006',
    'mesh-readiness.io/waive-reason':
      'rename scheduled with the January release',
    'mesh-readiness.io/waive-until': soon,
  }),
  component('refunds', {
    'backstage.io/kubernetes-label-selector': 'app=refunds',
    'mesh-readiness.io/waive': 'MR006,MR005',
    'mesh-readiness.io/waive-until': 'next week',
  }),
  component('billing', {
    'backstage.io/kubernetes-label-selector': 'app=billing',
    'mesh-readiness.io/waive': 'MR005',
    'mesh-readiness.io/waive-until': later,
  }),
];

async function start() {
  const { server } = await startTestBackend({
    features: [
      inMemoryDatabaseFactory,
      meshReadinessPlugin,
      mockServices.rootConfig.factory({
        data: {
          meshReadiness: {
            manifestSources: [
              { name: 'payments-cluster', path: WAIVER_FIXTURES },
            ],
          },
        },
      }),
      catalogServiceMock.factory({ entities: ENTITIES }),
    ],
  });
  const get = (url: string) =>
    request(server)
      .get(`/api/mesh-readiness${url}`)
      .set('Authorization', mockCredentials.user.header());
  const post = (url: string) =>
    request(server)
      .post(`/api/mesh-readiness${url}`)
      .set('Authorization', mockCredentials.user.header());
  return { get, post };
}

describe('waivers with a last day, through the API', () => {
  it('serves the expired waiver’s finding as counting again, the live one as waived, and refuses the malformed date', async () => {
    const { post } = await start();
    const res = await post('/entities/component/default/payments/scan');
    expect(res.status).toBe(200);
    const body: EntityReadinessResponse = res.body;
    const mr006 = (name: string) =>
      body.workloads
        .find(w => w.name === name)!
        .findings.find(f => f.ruleId === 'MR006')!;
    expect(mr006('ledger')).toMatchObject({
      status: 'warn',
      expiredWaiver: { until: '2020-01-31' },
    });
    expect(mr006('billing')).toMatchObject({
      status: 'waived',
      waiver: { until: '2099-12-31' },
    });
    expect(mr006('refunds').status).toBe('warn');
    expect(body.errors).toContainEqual({
      cluster: 'payments-cluster',
      message: expect.stringContaining(
        'Deployment payments/refunds: annotation mesh-readiness.io/waive-until "31/12/2026" is not a date',
      ),
    });
  });

  it('refuses a catalog entity’s waiver whose date does not parse, naming the annotation and value', async () => {
    const { post } = await start();
    const body: EntityReadinessResponse = (
      await post('/entities/component/default/refunds/scan')
    ).body;
    expect(body.errors).toContainEqual({
      message:
        'Component component:default/refunds: annotation mesh-readiness.io/waive-until "next week" is not a date written YYYY-MM-DD, so the waiver of MR006, MR005 is not applied',
    });
    expect(
      body.workloads[0].findings.find(f => f.ruleId === 'MR006')!.status,
    ).toBe('warn');
  });

  it('lists on the team scorecard the waivers that run out in the next 14 days, and not the later ones', async () => {
    const { post, get } = await start();
    await post('/entities/component/default/payments/scan');
    const scorecard: GroupScorecardResponse = (
      await get('/groups/default/payments-team/scorecard')
    ).body;
    expect(scorecard.expiringWaivers).toEqual([
      {
        entityRef: 'component:default/ledger',
        workload: 'payments-cluster/Deployment/payments/ledger',
        ruleId: 'MR006',
        reason: 'rename scheduled with the January release',
        source:
          'Component component:default/ledger annotation mesh-readiness.io/waive',
        until: soon,
      },
    ]);
  });
});
