import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { WorkloadReport } from '@mesh-readiness/plugin-mesh-readiness-common';
import { ReadinessService } from './ReadinessService';
import { ReadinessStore, StoredWorkload } from './ReadinessStore';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const cart = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'cart',
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-id': 'cart' },
  },
  spec: {
    type: 'service',
    lifecycle: 'production',
    owner: 'group:default/team-web',
  },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/team-web' }],
};
const team = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'team-web', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

function cartWorkload(ready: boolean): StoredWorkload {
  const report: WorkloadReport = {
    kind: 'Deployment',
    namespace: 'shop',
    name: 'cart',
    ready,
    level: ready ? 3 : 0,
    score: ready ? 100 : 40,
    findings: [],
  };
  return {
    report,
    labels: {
      namespace: 'shop',
      podLabels: { 'backstage.io/kubernetes-id': 'cart' },
      labels: {},
    },
  };
}

describe('ReadinessService', () => {
  it('serves each new result on every replica, entity report and scorecard alike, even when scans share a millisecond', async () => {
    const knex = await databases.init('SQLITE_3');
    const writer = await ReadinessStore.create(
      mockServices.database({ knex, migrations: { skip: false } }),
    );
    const catalog = catalogServiceMock({ entities: [cart, team] });
    const replica = new ReadinessService(new ReadinessStore(knex), catalog);
    const credentials = mockServices.auth().getOwnServiceCredentials();
    const at = new Date('2026-11-20T10:00:00Z');

    await writer.saveClusterResult('prod', at, [cartWorkload(false)], []);
    expect((await replica.entityReport(cart)).summary.readyWorkloads).toBe(0);
    expect(
      (await replica.groupScorecard(team, await credentials)).readyComponents,
    ).toBe(0);

    await writer.saveClusterResult('prod', at, [cartWorkload(true)], []);
    expect((await replica.entityReport(cart)).summary.readyWorkloads).toBe(1);
    expect(
      (await replica.groupScorecard(team, await credentials)).readyComponents,
    ).toBe(1);

    // A failed scan keeps the workloads; every report says the cluster failed.
    await writer.saveClusterFailure(
      'prod',
      new Date('2026-11-20T10:10:00Z'),
      'connect ECONNREFUSED',
    );
    const report = await replica.entityReport(cart);
    expect(report.clusters).toEqual([
      expect.objectContaining({
        cluster: 'prod',
        status: 'error',
        stale: true,
      }),
    ]);
    expect(report.errors).toEqual([
      { cluster: 'prod', message: 'connect ECONNREFUSED' },
    ]);
  });

  it('gives an entity whose annotations changed a new report over the same result', async () => {
    const knex = await databases.init('SQLITE_3');
    const store = await ReadinessStore.create(
      mockServices.database({ knex, migrations: { skip: false } }),
    );
    const service = new ReadinessService(
      store,
      catalogServiceMock({ entities: [] }),
    );
    await store.saveClusterResult(
      'prod',
      new Date('2026-11-20T10:00:00Z'),
      [cartWorkload(true)],
      [],
    );
    expect((await service.entityReport(cart)).summary.workloads).toBe(1);
    const renamed = {
      ...cart,
      metadata: {
        ...cart.metadata,
        annotations: { 'backstage.io/kubernetes-id': 'basket' },
      },
    };
    expect((await service.entityReport(renamed)).summary.workloads).toBe(0);
  });

  it('sends the JSON of the report it serves, made afresh for a new result or changed annotations, even within one millisecond', async () => {
    const knex = await databases.init('SQLITE_3');
    const store = await ReadinessStore.create(
      mockServices.database({ knex, migrations: { skip: false } }),
    );
    const service = new ReadinessService(
      store,
      catalogServiceMock({ entities: [] }),
    );
    const at = new Date('2026-11-20T10:00:00Z');
    const sent = async (entity: typeof cart) => {
      const { body, etag } = await service.serializedEntityReport(entity);
      return { report: JSON.parse(body.toString('utf8')), etag };
    };

    await store.saveClusterResult('prod', at, [cartWorkload(false)], []);
    const notReady = await sent(cart);
    expect(notReady.report).toEqual(await service.entityReport(cart));
    expect((await sent(cart)).etag).toBe(notReady.etag);

    await store.saveClusterResult('prod', at, [cartWorkload(true)], []);
    const ready = await sent(cart);
    expect(ready.report.summary.readyWorkloads).toBe(1);
    expect(ready.etag).not.toBe(notReady.etag);

    const renamed = {
      ...cart,
      metadata: {
        ...cart.metadata,
        annotations: { 'backstage.io/kubernetes-id': 'basket' },
      },
    };
    const unmatched = await sent(renamed);
    expect(unmatched.report.summary.workloads).toBe(0);
    expect(unmatched.etag).not.toBe(ready.etag);
  });
});
