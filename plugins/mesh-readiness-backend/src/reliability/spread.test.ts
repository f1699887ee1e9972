/*
 * Two replicas share the reading (`yarn test:reliability`): two processes
 * of the app's real backend on one PostgreSQL, six clusters that are the
 * same real kube-apiserver under six names, behind a slow link so a read
 * takes a while, and one read slot per replica. Each cluster is its own
 * scheduler task: the replicas split the reads about evenly between them,
 * and together read every cluster once per period, never one cluster twice
 * at once nor twice in one period. Skipped unless a control plane and a PostgreSQL server are given.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ScanSummary } from '@mesh-readiness/plugin-mesh-readiness-common';
import {
  applyDemo,
  backendConfig,
  kubernetesConfig,
  Relay,
  Replica,
  removeTempDir,
  tempDir,
  waitFor,
  freePort,
} from './harness';

const server = process.env.MR_KUBE_SERVER;
const postgres = process.env.MR_TEST_POSTGRES_URL;
const describeReliability =
  process.env.MR_RELIABILITY && server && postgres ? describe : describe.skip;

const CLUSTERS = [
  'shard-1',
  'shard-2',
  'shard-3',
  'shard-4',
  'shard-5',
  'shard-6',
];
const PERIOD_S = 40;
const PERIODS_WATCHED = 3;

describeReliability('two replicas, six clusters, one read slot each', () => {
  let dir: string;
  const prefix = `mr_spread_${process.pid}_`;
  let relay: Relay;
  let replicas: Replica[];
  let bothUpAt: string;

  beforeAll(async () => {
    dir = tempDir();
    await applyDemo();
    // Every chunk the API server sends arrives half a second later: a read takes seconds, and holds its slot meanwhile.
    relay = new Relay(new URL(server!), 500);
    await relay.listen();
    replicas = [];
    const kubernetes = kubernetesConfig(
      CLUSTERS.map(name => ({
        name,
        url: relay.url,
        token: process.env.MR_KUBE_ADMIN_TOKEN!,
      })),
    );
    for (const name of ['spread-a', 'spread-b']) {
      const port = await freePort();
      const config = backendConfig(port, postgres!, prefix, {
        kubernetes,
        meshReadiness: {
          manifestSources: [],
          clusterTimeoutSeconds: 25,
          scan: { concurrency: 1 },
          schedule: {
            frequency: { seconds: PERIOD_S },
            timeout: { seconds: 60 },
            initialDelay: { seconds: 1 },
          },
        },
      });
      const file = path.join(dir, `${name}.json`);
      fs.writeFileSync(file, JSON.stringify(config));
      replicas.push(new Replica(name, port, file, dir));
    }
    for (const r of replicas) await r.start();
    bothUpAt = new Date().toISOString();
  }, 240_000);

  afterAll(async () => {
    await Promise.all((replicas ?? []).map(r => r.kill()));
    await relay?.close();
    if (dir) removeTempDir(dir);
  }, 60_000);

  it(
    'splits the clusters between the replicas, and reads each one once per period',
    async () => {
      const [a, b] = replicas;
      const watchUntil =
        Date.parse(bothUpAt) + PERIODS_WATCHED * PERIOD_S * 1000;
      const reads: ScanSummary[] = await waitFor(
        `${PERIODS_WATCHED} periods of reads with both replicas up`,
        PERIODS_WATCHED * PERIOD_S + 60,
        async () => {
          if (Date.now() < watchUntil) return undefined;
          const scans: ScanSummary[] = (await a.get('/scans?limit=200')).body
            .scans;
          const watched = scans.filter(
            s =>
              s.trigger === 'schedule' &&
              s.startedAt >= bothUpAt &&
              Date.parse(s.startedAt) < watchUntil,
          );
          // Every read that started in the window has ended.
          return watched.every(s => s.state === 'finished')
            ? watched
            : undefined;
        },
      );

      const byReplica = (r: Replica) =>
        reads.filter(s => s.runner.endsWith(`:${r.pid}`)).length;
      const shares = { a: byReplica(a), b: byReplica(b) };
      process.stderr.write(
        `spread: ${
          reads.length
        } reads in ${PERIODS_WATCHED} periods, ${JSON.stringify(shares)}\n`,
      );
      expect(shares.a + shares.b).toBe(reads.length);
      // About half each: neither replica reads less than a third, whichever of them the scheduler asks first.
      expect({
        shares,
        evenEnough: Math.min(shares.a, shares.b) * 3 >= reads.length,
      }).toEqual({ shares, evenEnough: true });

      for (const cluster of CLUSTERS) {
        const ofCluster = reads
          .filter(s => s.planned?.includes(cluster))
          .sort((x, y) => x.startedAt.localeCompare(y.startedAt));
        // Once per period: read in the periods watched (the first may fall just before the window), never twice in one.
        expect({
          cluster,
          readAtLeast: ofCluster.length >= PERIODS_WATCHED - 1,
        }).toEqual({ cluster, readAtLeast: true });
        for (let i = 1; i < ofCluster.length; i++) {
          const previous = ofCluster[i - 1];
          expect({
            cluster,
            // Never read by both replicas at once...
            startedAfterPreviousEnded:
              ofCluster[i].startedAt >= previous.finishedAt!,
            // ...nor again within the period.
            aPeriodLater:
              Date.parse(ofCluster[i].startedAt) -
                Date.parse(previous.startedAt) >
              (PERIOD_S * 1000) / 2,
          }).toEqual({
            cluster,
            startedAfterPreviousEnded: true,
            aPeriodLater: true,
          });
        }
        expect(ofCluster.every(s => s.clusters?.[0]?.ok)).toBe(true);
      }
    },
    PERIODS_WATCHED * PERIOD_S * 1000 + 120_000,
  );
});
