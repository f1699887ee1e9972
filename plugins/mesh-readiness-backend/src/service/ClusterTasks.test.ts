/*
 * Reading many clusters: a bounded number at once on a replica, each
 * cluster its own scheduler task, refused at once when this replica has no
 * free slot, and stopped when the cluster is no longer listed. The
 * scheduler is Backstage's test scheduler (a task runs when triggered);
 * the store is the real one on SQLite. ClusterTasks.replicas.test.ts runs
 * two replicas on the real scheduler.
 */
import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { MeshReadinessClusterSource } from '@mesh-readiness/plugin-mesh-readiness-node';
import { ReadinessStore } from './ReadinessStore';
import { Scanner } from './Scanner';
import { ClusterTasks, clusterTaskId } from './ClusterTasks';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

/** A cluster with one namespace; it counts its reads and can be held mid-read. */
class CountingCluster implements MeshReadinessClusterSource {
  reads = 0;
  private hold?: Promise<void>;
  private letGo?: () => void;

  constructor(
    readonly name: string,
    private readonly readers: { now: number; most: number },
  ) {}

  /** Reads from now on wait until `release`. */
  holdReads() {
    this.hold = new Promise(r => {
      this.letGo = r;
    });
  }

  release() {
    this.letGo?.();
    this.hold = undefined;
  }

  async readSnapshot() {
    this.reads++;
    this.readers.now++;
    this.readers.most = Math.max(this.readers.most, this.readers.now);
    try {
      await (this.hold ?? new Promise(r => setTimeout(r, 20)));
      return {
        source: 'live' as const,
        objects: [{ kind: 'Namespace', metadata: { name: `ns-${this.name}` } }],
      };
    } finally {
      this.readers.now--;
    }
  }
}

/** Polls until the check holds; the suite's timeout bounds it. */
async function eventually(check: () => boolean | Promise<boolean>) {
  while (!(await check())) await new Promise(r => setTimeout(r, 50));
}

async function setUp(options: {
  clusters: string[];
  concurrency: number;
  listed?: boolean;
}) {
  const knex = await databases.init('SQLITE_3');
  const store = await ReadinessStore.create(
    mockServices.database({ knex, migrations: { skip: false } }),
  );
  const readers = { now: 0, most: 0 };
  const clusters = new Map(
    options.clusters.map(name => [name, new CountingCluster(name, readers)]),
  );
  // Listed: found by a lookup at each scan, as the Kubernetes backend's clusters are; else fixed sources.
  const listing = { names: options.clusters };
  const scanner = new Scanner({
    sources: options.listed ? [] : [...clusters.values()],
    lookUp: options.listed
      ? async () => listing.names.map(n => clusters.get(n)!)
      : undefined,
    store,
    logger: mockServices.logger.mock(),
    clusterTimeoutMs: 10_000,
    concurrency: options.concurrency,
  });
  const scheduler = mockServices.scheduler();
  const tasks = new ClusterTasks({
    scheduler,
    scanner,
    waiting: store,
    schedule: { frequency: { minutes: 10 }, timeout: { minutes: 5 } },
    logger: mockServices.logger.mock(),
  });
  await tasks.sync(await scanner.lookUpClusters({ retire: false }));
  return { store, scanner, scheduler, tasks, clusters, readers, listing };
}

describe('reading many clusters', () => {
  it('gives each cluster its own scheduler task, which reads that cluster alone and is recorded as its scheduled read', async () => {
    const { scheduler, scanner, clusters } = await setUp({
      clusters: ['prod', 'staging'],
      concurrency: 4,
    });
    expect((await scheduler.getScheduledTasks()).map(t => t.id).sort()).toEqual(
      ['mesh-readiness-scan:prod', 'mesh-readiness-scan:staging'],
    );
    await scheduler.triggerTask(clusterTaskId('prod'));
    expect([
      clusters.get('prod')!.reads,
      clusters.get('staging')!.reads,
    ]).toEqual([1, 0]);
    const status = await scanner.status(10);
    expect(status.scans).toEqual([
      expect.objectContaining({
        trigger: 'schedule',
        state: 'finished',
        planned: ['prod'],
        clusters: [{ cluster: 'prod', ok: true }],
        runner: expect.stringContaining(`:${process.pid}`),
      }),
    ]);
    expect(status.clusters.map(c => `${c.cluster}:${c.status}`)).toEqual([
      'prod:ok',
    ]);
  });

  it('reads no more clusters at once than its read slots, however many a scan asks for', async () => {
    const names = Array.from({ length: 9 }, (_, i) => `c${i}`);
    const { scanner, clusters, readers } = await setUp({
      clusters: names,
      concurrency: 3,
    });
    const outcomes = await scanner.scan(undefined, 'refresh');
    expect(outcomes.map(o => `${o.cluster}:${o.ok}`)).toEqual(
      names.map(n => `${n}:true`),
    );
    expect([...clusters.values()].map(c => c.reads)).toEqual(
      names.map(() => 1),
    );
    expect(readers.most).toBe(3);
    // One scan row, naming every cluster it read.
    const [scan] = (await scanner.status(5)).scans;
    expect(scan).toMatchObject({
      trigger: 'refresh',
      state: 'finished',
      planned: names,
    });
  });

  it('refuses a cluster at once when every slot is taken, and reads it once a slot is free', async () => {
    const { scanner, scheduler, clusters } = await setUp({
      clusters: ['slow', 'quick'],
      concurrency: 1,
    });
    const slow = clusters.get('slow')!;
    const quick = clusters.get('quick')!;
    slow.holdReads();
    const refresh = scanner.scan(['slow'], 'refresh');
    await eventually(() => slow.reads === 1);
    // The only slot is taken: the scheduled read does not queue here, and the task ends at once.
    await scheduler.triggerTask(clusterTaskId('quick'));
    expect(quick.reads).toBe(0);
    expect((await scanner.status(10)).scans.map(s => s.planned)).toEqual([
      ['slow'],
    ]);
    // Handed on and back (no other replica): it waits, and the status says since when.
    await eventually(
      async () => (await scanner.status(10)).waiting?.length === 1,
    );
    expect((await scanner.status(10)).waiting).toEqual([
      { cluster: 'quick', since: expect.any(String) },
    ]);
    // Once the slot is free it pulls the cluster (here, with no other replica, back to this one).
    slow.release();
    await refresh;
    await eventually(() => quick.reads === 1);
    // Off the list as its read starts.
    await eventually(
      async () => (await scanner.status(10)).waiting?.length === 0,
    );
    await eventually(async () =>
      (
        await scanner.status(10)
      ).scans.some(s => s.trigger === 'schedule' && s.state === 'finished'),
    );
    expect(
      (await scanner.status(10)).scans.find(s => s.trigger === 'schedule'),
    ).toMatchObject({
      planned: ['quick'],
      clusters: [{ cluster: 'quick', ok: true }],
    });
  }, 30_000);

  it('reads clusters due together one after another, never more at once than its slots', async () => {
    const { scheduler, clusters, readers } = await setUp({
      clusters: ['a', 'b', 'c'],
      concurrency: 1,
    });
    await Promise.all(
      ['a', 'b', 'c'].map(c => scheduler.triggerTask(clusterTaskId(c))),
    );
    await eventually(() => [...clusters.values()].every(c => c.reads === 1));
    expect(readers.most).toBe(1);
  }, 30_000);

  it('joins a user’s read of the same cluster rather than read it twice', async () => {
    const { scanner, scheduler, clusters } = await setUp({
      clusters: ['prod'],
      concurrency: 2,
    });
    const prod = clusters.get('prod')!;
    prod.holdReads();
    const refresh = scanner.scan(['prod'], 'refresh');
    await eventually(() => prod.reads === 1);
    const scheduled = scheduler.triggerTask(clusterTaskId('prod'));
    prod.release();
    await Promise.all([refresh, scheduled]);
    expect(prod.reads).toBe(1);
  });

  it('stops reading and serving a cluster no longer listed, keeping the others', async () => {
    const { scanner, scheduler, tasks, clusters, listing, store } = await setUp(
      { clusters: ['a', 'b'], concurrency: 2, listed: true },
    );
    await scheduler.triggerTask(clusterTaskId('a'));
    await scheduler.triggerTask(clusterTaskId('b'));
    expect((await store.clusters()).map(c => c.cluster)).toEqual(['a', 'b']);
    listing.names = ['a'];
    // The period's sweep looks up afresh: b's result is no longer served.
    await scanner.lookUpClusters({ retire: true });
    expect((await store.clusters()).map(c => c.cluster)).toEqual(['a']);
    // b's task, on a replica that has not looked up since, finds it gone: no read, and the task stops here.
    // (Read here last time, it is first handed on once: the next claim, here, finds it gone.)
    await scheduler.triggerTask(clusterTaskId('b'));
    await eventually(() => tasks.clusters.length === 1);
    expect(clusters.get('b')!.reads).toBe(1);
    expect(tasks.clusters).toEqual(['a']);
    expect((await store.clusters()).map(c => c.cluster)).toEqual(['a']);
    // Read here last time, a is handed on once (to whichever replica looks next: here, this one) and read.
    await scheduler.triggerTask(clusterTaskId('a'));
    await eventually(() => clusters.get('a')!.reads === 2);
  }, 30_000);

  it('marks a scheduled read that never finished as interrupted once a later read of the same cluster exists', async () => {
    const { scanner, store } = await setUp({
      clusters: ['a', 'b'],
      concurrency: 2,
    });
    // A replica that died mid-read of a.
    const dead = await store.startScan('schedule', 'gone-host:1', new Date(), [
      'a',
    ]);
    const stateOfDead = async () =>
      (await scanner.status(10)).scans.find(s => s.id === dead)!.state;
    await scanner.readScheduled('b');
    expect(await stateOfDead()).toBe('running');
    await scanner.readScheduled('a');
    expect(await stateOfDead()).toBe('interrupted');
  });
});
