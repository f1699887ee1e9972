/*
 * The on-demand scan (POST …/scan) and its audit trail, and the action's
 * visibility permission and examples.
 */
import path from 'node:path';
import request from 'supertest';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Entity } from '@backstage/catalog-model';
import { meshReadinessPlugin } from './plugin';
import { inMemoryDatabaseFactory } from './service/__testUtils__/inMemoryDatabase';

const FIXTURES = path.resolve(__dirname, 'service/__fixtures__');

const web: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'web',
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-id': 'web' },
  },
  spec: { type: 'service', owner: 'shop-team' },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/shop-team' }],
};
const shopTeam: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'shop-team', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

async function start(
  scan: AuthorizeResult.ALLOW | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
) {
  const audited: Array<{
    eventId: string;
    meta?: unknown;
    outcome?: string;
    error?: string;
  }> = [];
  const auditor = mockServices.auditor.mock({
    createEvent: async options => {
      const event: (typeof audited)[number] = {
        eventId: options.eventId,
        meta: options.meta,
      };
      audited.push(event);
      return {
        success: async () => {
          event.outcome = 'succeeded';
        },
        fail: async ({ error }) => {
          event.outcome = 'failed';
          event.error = error.message;
        },
      };
    },
  });
  const actions = actionsRegistryServiceMock();
  const { server } = await startTestBackend({
    features: [
      inMemoryDatabaseFactory,
      meshReadinessPlugin,
      auditor.factory,
      createServiceFactory({
        service: actionsRegistryServiceRef,
        deps: {},
        factory: () => actions,
      }),
      mockServices.permissions.factory({ result: scan }),
      mockServices.rootConfig.factory({
        data: {
          meshReadiness: {
            manifestSources: [
              { name: 'cluster-a', path: path.join(FIXTURES, 'cluster-a') },
            ],
          },
        },
      }),
      catalogServiceMock.factory({ entities: [web, shopTeam] }),
    ],
  });
  const as = (method: 'get' | 'post', url: string) =>
    request(server)
      [method](`/api/mesh-readiness${url}`)
      .set('Authorization', mockCredentials.user.header());
  return { as, audited, actions };
}

describe('scanning on demand', () => {
  it('is a POST that scans, answers with the fresh report, and is recorded with the auditor', async () => {
    const { as, audited } = await start();
    const before = await as('get', '/entities/component/default/web');
    expect(before.body.workloads).toEqual([]);
    const res = await as('post', '/entities/component/default/web/scan');
    expect(res.status).toBe(200);
    expect(
      res.body.workloads.map((w: any) => `${w.cluster}/${w.name}`),
    ).toEqual(['cluster-a/web']);
    expect(audited).toEqual([
      {
        eventId: 'entity-scan',
        meta: { entityRef: 'component:default/web' },
        outcome: 'succeeded',
      },
    ]);
  });

  it('adds a point to the team’s trend, as a scheduled scan does', async () => {
    const { as } = await start();
    expect(
      (await as('get', '/groups/default/shop-team/scorecard')).body.trend,
    ).toEqual([]);
    await as('post', '/entities/component/default/web/scan');
    const { trend } = (await as('get', '/groups/default/shop-team/scorecard'))
      .body;
    expect(trend).toEqual([
      expect.objectContaining({ components: 1, readyComponents: 1 }),
    ]);
  });

  it('refuses a caller without the refresh permission, and records the refusal', async () => {
    const { as, audited } = await start(AuthorizeResult.DENY);
    const res = await as('post', '/entities/component/default/web/scan');
    expect(res.status).toBe(403);
    expect(audited).toEqual([
      expect.objectContaining({
        eventId: 'entity-scan',
        outcome: 'failed',
        error: expect.stringContaining('You may not scan'),
      }),
    ]);
  });

  it('still scans on the deprecated GET ?refresh=true, saying it is deprecated', async () => {
    const { as, audited } = await start();
    const res = await as('get', '/entities/component/default/web?refresh=true');
    expect(res.status).toBe(200);
    expect(res.headers.deprecation).toBe('true');
    expect(res.body.workloads).toHaveLength(1);
    expect(audited).toHaveLength(1);
  });

  it('answers 404 for an entity the caller cannot see, without scanning', async () => {
    const { as, audited } = await start();
    expect(
      (await as('post', '/entities/component/default/nobody/scan')).status,
    ).toBe(404);
    expect(audited).toEqual([]);
  });
});

describe('the get-mesh-readiness action', () => {
  it('is visible only with its permission, and documents itself with examples', async () => {
    const { actions } = await start();
    const { actions: listed } = await actions.list();
    const action = listed.find(a => a.name === 'get-mesh-readiness')!;
    expect(action.examples?.map(e => e.input)).toEqual([
      { entityRef: 'component:default/cart' },
      { entityRef: 'component:default/legacy-billing' },
    ]);
    const registered = actions.actions.get('test:get-mesh-readiness');
    expect(registered?.visibilityPermission).toMatchObject({
      name: 'mesh-readiness.action.use',
      type: 'basic',
    });
  });
});
