/*
 * Replicas sharing the reading, on Backstage's real scheduler: two
 * "replicas" in this process, each with its own scheduler (its own look
 * for due tasks, at a rhythm of its own), read slots, scanner and store,
 * on one database, as two backends share one. The clusters are quick
 * in-memory sources that record which replica read them; a cluster can be
 * held mid-read, to fill a replica's slots. Each test watches a few of
 * the scheduler's looks (it looks every 5 s), so this file takes about three minutes.
 */
import {
  TestDatabaseId,
  TestDatabases,
  mockServices,
} from '@backstage/backend-test-utils';
import { DefaultSchedulerService } from '@backstage/backend-defaults/scheduler';
import { SchedulerService } from '@backstage/backend-plugin-api';
import { MeshReadinessClusterSource } from '@mesh-readiness/plugin-mesh-readiness-node';
import { ReadinessStore } from './ReadinessStore';
import { Scanner } from './Scanner';
import { ClusterTasks } from './ClusterTasks';
import { givenPostgres } from './__testUtils__/postgres';

// PostgreSQL as deployments run it when a server is given; SQLite otherwise.
const databaseId: TestDatabaseId = givenPostgres() ?? 'SQLITE_3';
const databases = TestDatabases.create({ ids: [databaseId] });

const PERIOD_S = 10;
/** How often Backstage's scheduler looks for due tasks. */
const LOOK_MS = 5_000;

interface Read {
  cluster: string;
  replica: string;
  start: number;
  end?: number;
}

/** A cluster as one replica reads it: quick, recorded, and held while `gate` is closed. */
class RecordedCluster implements MeshReadinessClusterSource {
  constructor(
    readonly name: string,
    private readonly replica: string,
    private readonly reads: Read[],
    private readonly gate: { open?: Promise<void> },
  ) {}

  async readSnapshot() {
    const read: Read = {
      cluster: this.name,
      replica: this.replica,
      start: Date.now(),
    };
    this.reads.push(read);
    await (this.gate.open ?? new Promise(r => setTimeout(r, 100)));
    read.end = Date.now();
    return {
      source: 'live' as const,
      objects: [{ kind: 'Namespace', metadata: { name: `ns-${this.name}` } }],
    };
  }
}

const noMetrics = {
  createCounter: () => ({ add() {} }),
  createHistogram: () => ({ record() {} }),
  createGauge: () => ({ record() {} }),
  createUpDownCounter: () => ({ add() {} }),
  createObservableCounter: () => ({ addCallback() {}, removeCallback() {} }),
  createObservableGauge: () => ({ addCallback() {}, removeCallback() {} }),
  createObservableUpDownCounter: () => ({
    addCallback() {},
    removeCallback() {},
  }),
} as any;

interface Replica {
  name: string;
  scanner: Scanner;
  tasks: ClusterTasks;
  /** How many times this replica's scheduler gave it each cluster's task. */
  claims: Map<string, number>;
  /** Closed: a read of the cluster "held" never ends; a user's scan of it fills slots. */
  hold: { open?: Promise<void> };
  /** Closed: this replica's reads of the clusters under test do not end. */
  slow: { open?: Promise<void> };
  /** Clusters only a user's scan reads, one per slot. */
  held: string[];
  /** Unschedules its clusters and waits for the reads in flight to be stored. */
  stop: () => Promise<void>;
}

async function replicasOn(
  knex: any,
  names: string[],
  clusters: string[],
  concurrency: number,
  reads: Read[],
  periodS = PERIOD_S,
) {
  const replicas: Replica[] = [];
  for (const name of names) {
    const scheduler = DefaultSchedulerService.create({
      database: mockServices.database({ knex }),
      logger: mockServices.logger.mock(),
      metrics: noMetrics,
      rootLifecycle: mockServices.rootLifecycle.mock(),
      httpRouter: mockServices.httpRouter.mock(),
      pluginMetadata: { getId: () => 'mesh-readiness' },
    });
    const claims = new Map<string, number>();
    // The real scheduler, counting the claims it hands this replica.
    const counting: SchedulerService = Object.assign(Object.create(scheduler), {
      scheduleTask: (task: Parameters<SchedulerService['scheduleTask']>[0]) =>
        scheduler.scheduleTask({
          ...task,
          fn: async signal => {
            const cluster = task.id.replace('mesh-readiness-scan:', '');
            claims.set(cluster, (claims.get(cluster) ?? 0) + 1);
            await task.fn(signal);
          },
        }),
      triggerTask: (id: string) => scheduler.triggerTask(id),
    });
    const hold: Replica['hold'] = {};
    const heldGate = {
      get open() {
        return hold.open;
      },
    };
    const held = Array.from(
      { length: concurrency },
      (_, i) => new RecordedCluster(`held-${i}`, name, [], heldGate),
    );
    const slow: Replica['slow'] = {};
    const slowGate = {
      get open() {
        return slow.open;
      },
    };
    const sources = [
      ...clusters.map(c => new RecordedCluster(c, name, reads, slowGate)),
      ...held,
    ];
    const store = await ReadinessStore.create(
      mockServices.database({ knex, migrations: { skip: false } }),
    );
    const scanner = new Scanner({
      sources,
      store,
      logger: mockServices.logger.mock(),
      clusterTimeoutMs: 120_000,
      concurrency,
    });
    const tasks = new ClusterTasks({
      scheduler: counting,
      scanner,
      waiting: store,
      schedule: { frequency: { seconds: periodS }, timeout: { seconds: 120 } },
      logger: mockServices.logger.mock(),
    });
    replicas.push({
      name,
      scanner,
      tasks,
      claims,
      hold,
      slow,
      held: held.map(h => h.name),
      stop: async () => {
        await tasks.sync([]);
        // A read still in flight writes its result; the database must outlive it.
        await eventually(() => scanner.freeSlots === concurrency);
      },
    });
  }
  return replicas;
}

/**
 * Schedules the clusters on each replica in turn, half a look apart, as
 * replicas rolled out one after another are: each replica's scheduler
 * looks at a rhythm set when it starts, and two in one process started
 * together would look within milliseconds of each other, which separate
 * backends do not (the first also creates the scheduler's tables).
 */
async function syncAll(replicas: Replica[], clusters: string[]) {
  for (const [i, r] of replicas.entries()) {
    if (i > 0) await new Promise(resolve => setTimeout(resolve, LOOK_MS / 2));
    await r.tasks.sync(clusters);
  }
}

/** Polls until the check holds; the test's timeout bounds it. */
async function eventually(check: () => boolean) {
  while (!check()) await new Promise(r => setTimeout(r, 100));
}

/** Fills every read slot of a replica with a user's scan of its held clusters; returns what ends it. */
function fillSlots(r: Replica) {
  let release!: () => void;
  r.hold.open = new Promise<void>(resolve => {
    release = resolve;
  });
  const scan = r.scanner.scan(r.held, 'refresh');
  return async () => {
    r.hold.open = undefined;
    release();
    await scan;
  };
}

describe(`replicas sharing the reading on Backstage's scheduler (${databaseId})`, () => {
  let replicas: Replica[] = [];
  afterEach(async () => {
    await Promise.all(replicas.map(r => r.stop()));
    replicas = [];
  });

  it.each([
    ['both replicas about half', ['a', 'b']],
    ['a third replica takes its share', ['a', 'b', 'c']],
  ])(
    'reads every cluster once per period, one replica at a time, and %s',
    async (_, names) => {
      const knex = await databases.init(databaseId);
      const reads: Read[] = [];
      const clusters = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
      replicas = await replicasOn(knex, names, clusters, 2, reads);
      const startedAt = Date.now();
      await syncAll(replicas, clusters);
      const done = () => reads.filter(r => r.end !== undefined);
      await eventually(() =>
        clusters.every(c => done().filter(r => r.cluster === c).length >= 3),
      );
      const watched = done();
      const periods = (Date.now() - startedAt) / (PERIOD_S * 1000);
      for (const cluster of clusters) {
        const ofCluster = watched
          .filter(r => r.cluster === cluster)
          .sort((x, y) => x.start - y.start);
        // Once per period: no more reads than periods begun.
        expect({
          cluster,
          atMostOncePerPeriod: ofCluster.length <= Math.ceil(periods),
        }).toEqual({ cluster, atMostOncePerPeriod: true });
        for (let i = 1; i < ofCluster.length; i++) {
          expect({
            cluster,
            afterThePreviousEnded: ofCluster[i].start >= ofCluster[i - 1].end!,
            // The scheduler counts a period from when the task was due; the claim comes within a look (5 s) of that.
            notTwiceInAPeriod:
              ofCluster[i].start - ofCluster[i - 1].start >
              (PERIOD_S * 1000) / 2,
          }).toEqual({
            cluster,
            afterThePreviousEnded: true,
            notTwiceInAPeriod: true,
          });
        }
      }
      const shares = Object.fromEntries(
        names.map(name => [
          name,
          watched.filter(r => r.replica === name).length,
        ]),
      );
      // An even share is 1/n of the reads; each replica has at least 1/(2n - 1): a third of them with two, a fifth with three.
      const evenEnough =
        Math.min(...Object.values(shares)) * (2 * names.length - 1) >=
        watched.length;
      expect({ shares, evenEnough }).toEqual({ shares, evenEnough: true });
    },
    90_000,
  );

  it('hands a cluster that finds no free slot to the replica that has one', async () => {
    const knex = await databases.init(databaseId);
    const reads: Read[] = [];
    replicas = await replicasOn(knex, ['a', 'b'], ['prod'], 1, reads);
    const [a, b] = replicas;
    const releaseA = fillSlots(a);
    await eventually(() => a.scanner.freeSlots === 0);
    await syncAll(replicas, ['prod']);
    await eventually(() => reads.some(r => r.end !== undefined));
    expect(reads.map(r => `${r.cluster}@${r.replica}`)).toEqual(['prod@b']);
    // Claimed at most once by the full replica (handed on), once by the free one.
    expect(a.claims.get('prod') ?? 0).toBeLessThanOrEqual(1);
    expect(b.claims.get('prod')).toBe(1);
    await releaseA();
  }, 30_000);

  it('lets a replica started after another had claimed every cluster read those still waiting, within the period', async () => {
    const knex = await databases.init(databaseId);
    const reads: Read[] = [];
    const clusters = ['l1', 'l2', 'l3', 'l4', 'l5', 'l6'];
    // A period longer than the test may run: a cluster read within it was pulled, not due again.
    replicas = await replicasOn(knex, ['a', 'b'], clusters, 2, reads, 120);
    const [a, b] = replicas;
    let releaseA!: () => void;
    a.slow.open = new Promise<void>(resolve => {
      releaseA = resolve;
    });
    // Replica a alone: it reads two (held), and the four others come back to it full: they wait.
    await a.tasks.sync(clusters);
    const readBy = (replica: string) =>
      reads.filter(r => r.replica === replica).map(r => r.cluster);
    await eventually(
      () =>
        readBy('a').length === 2 &&
        clusters
          .filter(c => !readBy('a').includes(c))
          .every(c => (a.claims.get(c) ?? 0) >= 2),
    );
    const waiting = clusters.filter(c => !readBy('a').includes(c));
    // Replica b starts: it never claimed those four, yet its free slots pull them, two at a time.
    await b.tasks.sync(clusters);
    await eventually(() =>
      waiting.every(c =>
        reads.some(
          r => r.cluster === c && r.replica === 'b' && r.end !== undefined,
        ),
      ),
    );
    expect(readBy('b').sort()).toEqual(waiting);
    expect(readBy('a')).toHaveLength(2);
    a.slow.open = undefined;
    releaseA();
  }, 80_000);

  it('with every slot taken, claims each cluster a bounded number of times, and a freed slot reads them all', async () => {
    const knex = await databases.init(databaseId);
    const reads: Read[] = [];
    const clusters = ['w1', 'w2', 'w3', 'w4', 'w5', 'w6'];
    // A long period: within it, only hand-ons and pulls make a cluster due again.
    replicas = await replicasOn(knex, ['a', 'b'], clusters, 3, reads, 60);
    const [a, b] = replicas;
    const releases = [fillSlots(a), fillSlots(b)];
    await eventually(
      () => a.scanner.freeSlots === 0 && b.scanner.freeSlots === 0,
    );
    await syncAll(replicas, clusters);
    const claimsOf = (c: string) =>
      (a.claims.get(c) ?? 0) + (b.claims.get(c) ?? 0);
    // Every cluster has been to both replicas...
    await eventually(() =>
      clusters.every(
        c => (a.claims.get(c) ?? 0) > 0 && (b.claims.get(c) ?? 0) > 0,
      ),
    );
    // ...and four looks later (20 s), none has been claimed more than once by the first plus once by the second, then back.
    const until = Date.now() + 20_000;
    await eventually(() => Date.now() > until);
    const claimed = (c: string) =>
      `${c}: a ${a.claims.get(c) ?? 0}, b ${b.claims.get(c) ?? 0}`;
    expect(clusters.filter(c => claimsOf(c) > 3).map(claimed)).toEqual([]);
    expect(reads).toEqual([]);
    // A frees its slots: its slots pull the waiting clusters, three at a time, until all are read.
    await releases[0]();
    await eventually(() =>
      clusters.every(c =>
        reads.some(r => r.cluster === c && r.end !== undefined),
      ),
    );
    expect(new Set(reads.map(r => r.replica))).toEqual(new Set(['a']));
    expect(
      clusters.map(c => reads.filter(r => r.cluster === c).length),
    ).toEqual(clusters.map(() => 1));
    await releases[1]();
  }, 90_000);
});
