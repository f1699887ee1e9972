/*
 * The fact retriever inside the real Tech Insights backend (with its JSON
 * rules engine), reading the real Mesh Readiness backend over HTTP with
 * service credentials, as a portal with both installed runs them.
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import YAML from 'yaml';
import {
  coreServices,
  createBackendModule,
  createServiceFactory,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import knexFactory from 'knex';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Entity } from '@backstage/catalog-model';
import techInsightsPlugin from '@backstage-community/plugin-tech-insights-backend';
import jsonRulesEngineModule from '@backstage-community/plugin-tech-insights-backend-module-jsonfc';
// The test runs the module against the real Mesh Readiness backend it reads over HTTP.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import meshReadinessPlugin from '@mesh-readiness/plugin-mesh-readiness-backend';
import techInsightsModuleMeshReadiness from '.';

const CLUSTER = path.resolve(
  require.resolve('@mesh-readiness/plugin-mesh-readiness-backend/package.json'),
  '../src/service/__fixtures__/cluster-a',
);
const CHECKS = YAML.parse(
  fs.readFileSync(path.join(__dirname, '../checks.example.yaml'), 'utf8'),
);

const component = (
  name: string,
  annotations: Record<string, string>,
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations },
  spec: { type: 'service', owner: 'shop-team' },
});

/** Tech Insights' own scheduler, to run the retriever now rather than at its cadence. */
let techInsightsScheduler: SchedulerService | undefined;
const schedulerProbe = createBackendModule({
  pluginId: 'tech-insights',
  moduleId: 'test-scheduler-probe',
  register(env) {
    env.registerInit({
      deps: { scheduler: coreServices.scheduler },
      async init({ scheduler }) {
        techInsightsScheduler = scheduler;
      },
    });
  },
});

// Each plugin's own in-memory SQLite, closed when the backend stops: the
// default database service leaves SQLite open, and its pool's timer would keep
// the jest worker alive after the tests.
const closingDatabase = createServiceFactory({
  service: coreServices.database,
  deps: { lifecycle: coreServices.lifecycle },
  factory({ lifecycle }) {
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: ':memory:' },
      useNullAsDefault: true,
    });
    lifecycle.addShutdownHook(() => knex.destroy());
    return mockServices.database({ knex, migrations: { skip: false } });
  },
});

async function start() {
  const { server } = await startTestBackend({
    features: [
      closingDatabase,
      meshReadinessPlugin,
      techInsightsPlugin,
      jsonRulesEngineModule,
      techInsightsModuleMeshReadiness,
      schedulerProbe,
      catalogServiceMock.factory({
        entities: [
          component('cart', {
            'backstage.io/kubernetes-label-selector': 'app=cart',
          }),
          component('web', { 'backstage.io/kubernetes-id': 'web' }),
          component('legacy', {}),
        ],
      }),
      mockServices.rootConfig.factory({
        data: {
          meshReadiness: {
            manifestSources: [{ name: 'cluster-a', path: CLUSTER }],
          },
          techInsights: {
            factRetrievers: {
              'mesh-readiness': {
                cadence: '0 0 1 1 *',
                lifecycle: { maxItems: 10 },
              },
            },
            ...CHECKS.techInsights,
          },
        },
      }),
    ],
  });
  const as = (method: 'get' | 'post', url: string) =>
    request(server)
      [method](url)
      .set('Authorization', mockCredentials.user.header());
  return { as };
}

async function latestFacts(
  as: Awaited<ReturnType<typeof start>>['as'],
  entity: string,
) {
  for (;;) {
    const res = await as(
      'get',
      `/api/tech-insights/facts/latest?entity=${entity}&ids[]=mesh-readiness`,
    );
    expect(res.status).toBe(200);
    if (res.body['mesh-readiness']) return res.body['mesh-readiness'];
    await new Promise(r => setTimeout(r, 200));
  }
}

describe('the mesh-readiness fact retriever', () => {
  it('publishes each mapped component’s stored readiness as facts, and the example checks judge them', async () => {
    const { as } = await start();
    // Our backend has a stored result: the retriever reads it, it does not scan.
    expect(
      (
        await as(
          'post',
          '/api/mesh-readiness/entities/component/default/web/scan',
        )
      ).status,
    ).toBe(200);
    await techInsightsScheduler!.triggerTask('mesh-readiness');

    const cart = await latestFacts(as, 'component:default/cart');
    expect(cart).toMatchObject({
      entity: { kind: 'component', namespace: 'default', name: 'cart' },
    });
    expect(cart.facts).toEqual({
      ready: false,
      // MR003 (UID 1337) blocks the sidecar only: in ambient no proxy shares the pod.
      ambientReady: true,
      level: 0,
      score: expect.any(Number),
      workloads: 1,
      failingRules: expect.arrayContaining(['MR003']),
      waivers: [],
    });
    const web = await latestFacts(as, 'component:default/web');
    expect(web.facts).toMatchObject({
      ready: true,
      failingRules: expect.not.arrayContaining(['MR003']),
    });
    // Not mapped: no facts rather than made-up ones.
    const legacy = await as(
      'get',
      '/api/tech-insights/facts/latest?entity=component:default/legacy&ids[]=mesh-readiness',
    );
    expect(legacy.body).toEqual({});

    const checks = await as(
      'post',
      '/api/tech-insights/checks/run/default/component/cart',
    );
    expect(checks.status).toBe(200);
    const results = Object.fromEntries(
      checks.body.map((c: any) => [c.check.id, c.result]),
    );
    expect(results).toMatchObject({
      meshReady: false,
      meshObservable: false,
      meshNoUid1337: false,
    });
  });
});
