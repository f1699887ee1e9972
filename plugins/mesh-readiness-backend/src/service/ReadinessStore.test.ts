import {
  TestDatabaseId,
  TestDatabases,
  mockServices,
} from '@backstage/backend-test-utils';
import { ReadinessStore, StoredWorkload } from './ReadinessStore';
import { givenPostgres } from './__testUtils__/postgres';

// SQLite always; PostgreSQL too when a server is given.
const postgres = givenPostgres();
const postgresIds: TestDatabaseId[] = postgres ? [postgres] : [];
const ids: TestDatabaseId[] = ['SQLITE_3', ...postgresIds];
const databases = TestDatabases.create({ ids });

const workload = (name: string, score: number): StoredWorkload => ({
  report: {
    kind: 'Deployment',
    namespace: 'shop',
    name,
    ready: true,
    level: 3,
    score,
    findings: [],
  },
  labels: { namespace: 'shop', podLabels: { app: name }, labels: {} },
});

async function storeOn(id: TestDatabaseId) {
  const knex = await databases.init(id);
  return ReadinessStore.create(
    mockServices.database({ knex, migrations: { skip: false } }),
  );
}

describe('ReadinessStore', () => {
  it('runs against a real PostgreSQL server in CI', () => {
    const onPostgres = postgresIds.filter(id => databases.supports(id));
    expect(onPostgres).toEqual(postgresIds);
    expect(process.env.CI ? onPostgres.length : 1).toBeGreaterThan(0);
  });

  it.each(databases.eachSupportedId())(
    'keeps a waiting list the replicas share: first wait kept, one pull of two wins, a stale pull can be taken over, on %p',
    async id => {
      const store = await storeOn(id);
      const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 12, 0, s));
      await store.markWaiting('prod', at(10));
      await store.markWaiting('dev', at(5));
      // Waiting again keeps its place.
      await store.markWaiting('prod', at(30));
      expect(await store.waitingClusters()).toEqual([
        { cluster: 'dev', since: at(5).getTime() },
        { cluster: 'prod', since: at(10).getTime() },
      ]);
      // Two replicas pull prod in the same moment: one wins.
      const pulls = await Promise.all([
        store.pullWaiting('prod', 'replica-a', at(40), at(30)),
        store.pullWaiting('prod', 'replica-b', at(40), at(30)),
      ]);
      expect(pulls.filter(Boolean)).toHaveLength(1);
      const winner = pulls[0] ? 'replica-a' : 'replica-b';
      const loser = pulls[0] ? 'replica-b' : 'replica-a';
      expect(await store.waitingCluster('prod')).toEqual({
        cluster: 'prod',
        since: at(10).getTime(),
        pulledBy: winner,
        pulledAt: at(40).getTime(),
      });
      // Its own pull again, yes; the other's, not while the pull holds...
      expect(await store.pullWaiting('prod', winner, at(45), at(35))).toBe(
        true,
      );
      expect(await store.pullWaiting('prod', loser, at(50), at(40))).toBe(
        false,
      );
      // ...but once the pull is older than what holds it, the other replica may take it over.
      expect(await store.pullWaiting('prod', loser, at(59), at(50))).toBe(true);
      // A cluster that does not wait cannot be pulled.
      expect(await store.pullWaiting('staging', winner, at(59), at(50))).toBe(
        false,
      );
      await store.clearWaiting(['prod']);
      expect((await store.waitingClusters()).map(w => w.cluster)).toEqual([
        'dev',
      ]);
      expect(await store.waitingCluster('prod')).toBeUndefined();
      // A cluster no longer read leaves the list too.
      await store.retireClustersExcept(['prod']);
      expect(await store.waitingClusters()).toEqual([]);
    },
  );

  it.each(databases.eachSupportedId())(
    'keeps the last good result of a cluster that then fails, on %p',
    async id => {
      const store = await storeOn(id);
      await store.saveClusterResult(
        'prod',
        new Date('2026-11-20T10:00:00Z'),
        [workload('web', 90)],
        ['DaemonSet: forbidden'],
      );
      await store.saveClusterFailure(
        'prod',
        new Date('2026-11-20T10:10:00Z'),
        'connect ECONNREFUSED',
      );
      await store.saveClusterFailure(
        'dev',
        new Date('2026-11-20T10:10:00Z'),
        'timed out after 60 s',
      );

      const clusters = await store.clusters();
      expect(clusters).toEqual([
        {
          cluster: 'dev',
          status: 'error',
          error: 'timed out after 60 s',
          attemptedAt: '2026-11-20T10:10:00.000Z',
          workloads: [],
          warnings: [],
        },
        {
          cluster: 'prod',
          status: 'error',
          error: 'connect ECONNREFUSED',
          attemptedAt: '2026-11-20T10:10:00.000Z',
          scannedAt: '2026-11-20T10:00:00.000Z',
          resultId: expect.any(String),
          workloads: [workload('web', 90)],
          warnings: ['DaemonSet: forbidden'],
        },
      ]);

      await store.saveClusterResult(
        'prod',
        new Date('2026-11-20T10:20:00Z'),
        [workload('web', 100)],
        [],
      );
      const [, prod] = await store.clusters();
      expect(prod).toMatchObject({
        status: 'ok',
        scannedAt: '2026-11-20T10:20:00.000Z',
        workloads: [workload('web', 100)],
      });
      expect(prod.error).toBeUndefined();
    },
  );

  it.each(databases.eachSupportedId())(
    'shows another replica each new result, even one stored in the same millisecond, on %p',
    async id => {
      const knex = await databases.init(id);
      const writer = await ReadinessStore.create(
        mockServices.database({ knex, migrations: { skip: false } }),
      );
      const reader = new ReadinessStore(knex);
      const at = new Date('2026-11-20T10:00:00Z');
      await writer.saveClusterResult('prod', at, [workload('web', 90)], []);
      const [first] = await reader.clusters();
      expect(first.workloads).toEqual([workload('web', 90)]);

      // Two scans that start in the same millisecond (two replicas, or a refresh beside the schedule).
      await writer.saveClusterResult('prod', at, [workload('web', 100)], []);
      const [second] = await reader.clusters();
      expect(second.workloads).toEqual([workload('web', 100)]);
      expect(second.resultId).not.toEqual(first.resultId);
      // A failed scan keeps the result and its id; the status changes.
      await writer.saveClusterFailure(
        'prod',
        new Date('2026-11-20T10:10:00Z'),
        'connect ECONNREFUSED',
      );
      const [failed] = await reader.clusters();
      expect(failed).toMatchObject({
        status: 'error',
        resultId: second.resultId,
        workloads: [workload('web', 100)],
      });
    },
  );

  it.each(databases.eachSupportedId())(
    'retires the results of clusters no longer read, keeping history, on %p',
    async id => {
      const store = await storeOn(id);
      await store.saveClusterResult(
        'prod',
        new Date('2026-11-20T10:00:00Z'),
        [workload('web', 90)],
        [],
      );
      await store.saveClusterResult(
        'old',
        new Date('2026-11-20T10:00:00Z'),
        [workload('legacy', 40)],
        [],
      );
      await store.saveClusterFailure(
        'gone',
        new Date('2026-11-20T10:00:00Z'),
        'connect ECONNREFUSED',
      );
      await store.addHistory([
        {
          entityRef: 'component:default/legacy',
          scannedAt: '2026-11-20T10:00:00.000Z',
          level: 0,
          score: 40,
          ready: false,
          workloads: 1,
        },
      ]);
      expect((await store.clusters()).map(c => c.cluster)).toEqual([
        'gone',
        'old',
        'prod',
      ]);

      expect(
        (await store.retireClustersExcept(['prod', 'new'])).sort(),
      ).toEqual(['gone', 'old']);
      expect(await store.clusters()).toEqual([
        expect.objectContaining({
          cluster: 'prod',
          workloads: [workload('web', 90)],
        }),
      ]);
      expect(
        await store.history(
          ['component:default/legacy'],
          new Date('2026-11-01T00:00:00Z'),
        ),
      ).toHaveLength(1);
      // Nothing left to retire; no source at all retires everything.
      expect(await store.retireClustersExcept(['prod'])).toEqual([]);
      expect(await store.retireClustersExcept([])).toEqual(['prod']);
      expect(await store.clusters()).toEqual([]);
    },
  );

  it.each(databases.eachSupportedId())(
    'returns the history of the asked entities since a time, oldest first, on %p',
    async id => {
      const store = await storeOn(id);
      const row = (entityRef: string, scannedAt: string, score: number) => ({
        entityRef,
        scannedAt,
        level: 1,
        score,
        ready: score > 80,
        workloads: 2,
      });
      await store.addHistory([
        row('component:default/web', '2026-11-01T00:00:00.000Z', 10),
        row('component:default/web', '2026-11-20T00:00:00.000Z', 90),
        row('component:default/web', '2026-11-10T00:00:00.000Z', 50),
        row('component:default/cart', '2026-11-10T00:00:00.000Z', 70),
      ]);
      const rows = await store.history(
        ['component:default/web'],
        new Date('2026-11-05T00:00:00Z'),
      );
      expect(rows.map(r => [r.scannedAt, r.score, r.ready])).toEqual([
        ['2026-11-10T00:00:00.000Z', 50, false],
        ['2026-11-20T00:00:00.000Z', 90, true],
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'records scans as started, then finished with each cluster’s outcome, on %p',
    async id => {
      const store = await storeOn(id);
      const first = await store.startScan(
        'schedule',
        'host-a:1',
        new Date('2026-11-20T10:00:00Z'),
        ['prod'],
      );
      await store.finishScan(first, new Date('2026-11-20T10:00:05Z'), [
        { cluster: 'prod', ok: false, error: 'timed out after 60 s' },
      ]);
      // A second scan whose backend stopped before it ended.
      const second = await store.startScan(
        'refresh',
        'host-b:2',
        new Date('2026-11-20T10:05:00Z'),
        ['prod', 'staging'],
      );
      expect(second).toBeGreaterThan(first);
      expect(await store.scans(10)).toEqual([
        // What it set out to read is known from its start.
        {
          id: second,
          trigger: 'refresh',
          runner: 'host-b:2',
          startedAt: '2026-11-20T10:05:00.000Z',
          planned: ['prod', 'staging'],
        },
        {
          id: first,
          trigger: 'schedule',
          runner: 'host-a:1',
          startedAt: '2026-11-20T10:00:00.000Z',
          finishedAt: '2026-11-20T10:00:05.000Z',
          planned: ['prod'],
          clusters: [
            { cluster: 'prod', ok: false, error: 'timed out after 60 s' },
          ],
        },
      ]);
      expect((await store.scans(1)).map(s => s.id)).toEqual([second]);
    },
  );

  it.each(databases.eachSupportedId())(
    'writes a scan’s history whole or not at all, on %p',
    async id => {
      const store = await storeOn(id);
      // More rows than one insert takes, with a bad one in the second batch.
      const rows = Array.from({ length: 250 }, (_, i) => ({
        entityRef: `component:default/c${i}`,
        scannedAt: '2026-11-20T10:00:00.000Z',
        level: i === 230 ? (null as unknown as number) : 1,
        score: 50,
        ready: false,
        workloads: 1,
      }));
      // The driver's error may come from another realm than jest's: ask only whether it failed.
      const failed = await store.addHistory(rows).then(
        () => false,
        () => true,
      );
      expect(failed).toBe(true);
      const refs = rows.map(r => r.entityRef);
      expect(await store.history(refs, new Date(0))).toEqual([]);
      await store.addHistory(rows.map(r => ({ ...r, level: 1 })));
      expect(await store.history(refs, new Date(0))).toHaveLength(250);
    },
  );
});
