/*
 * Reliability of the product as deployed (`yarn test:reliability`): two
 * processes of the app's real backend on one PostgreSQL, scanning a real
 * kube-apiserver four ways at once: healthy; as an identity that gets 403
 * on DaemonSets; through a relay that is made to hang; and at an address
 * that refuses connections. The steps run in order on the same replicas.
 * Skipped unless a control plane and a PostgreSQL server are given
 * (scripts/reliability.sh starts both).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Knex } from 'knex';
import {
  EntityReadinessResponse,
  ScanSummary,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import {
  applyDemo,
  backendConfig,
  databaseOn,
  dumpTables,
  freePort,
  kubernetesConfig,
  pluginDatabase,
  Relay,
  Replica,
  responses,
  removeTempDir,
  tempDir,
  waitFor,
} from './harness';

const server = process.env.MR_KUBE_SERVER;
const postgres = process.env.MR_TEST_POSTGRES_URL;
const describeReliability =
  process.env.MR_RELIABILITY && server && postgres ? describe : describe.skip;

const ADMIN = process.env.MR_KUBE_ADMIN_TOKEN ?? '';
const RESTRICTED = process.env.MR_KUBE_RESTRICTED_TOKEN ?? '';
const CANARY = 'canary-reliability-3b9d-do-not-leak';
const SECRETS = [ADMIN, RESTRICTED, CANARY];
const CLUSTER_TIMEOUT_S = 3;
const FREQUENCY_S = 6;
const TASK_TIMEOUT_S = 20;

/** What both replicas answer; asked up to three times, should a scan land between two reads. */
async function bothAnswer(
  x: Replica,
  y: Replica,
  apiPath: string,
): Promise<[unknown, unknown]> {
  let pair: string[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    pair = (await Promise.all([x.get(apiPath), y.get(apiPath)])).map(
      r => r.text,
    );
    if (pair[0] === pair[1]) break;
  }
  return [JSON.parse(pair[0]), JSON.parse(pair[1])];
}

const scheduled = (scans: ScanSummary[]) =>
  scans.filter(s => s.trigger === 'schedule');
/** The scheduled reads of one cluster (each cluster is its own scheduler task). */
const readsOf = (scans: ScanSummary[], cluster: string) =>
  scheduled(scans).filter(s => s.planned?.includes(cluster));
const CLUSTERS = ['flaky', 'healthy', 'restricted', 'unreachable'];
const byCluster = (report: EntityReadinessResponse, cluster: string) =>
  report.clusters.find(c => c.cluster === cluster)!;

describeReliability(
  'two backend replicas on one PostgreSQL, four clusters of which two fail',
  () => {
    // Made in beforeAll: a skipped suite must leave nothing behind.
    let dir: string;
    const prefix = `mr_rel_${process.pid}_`;
    let relay: Relay;
    let replicas: Replica[];
    let db: Knex;
    const startedAt = Date.now();

    const scans = async (r: Replica): Promise<ScanSummary[]> =>
      (await r.get('/scans?limit=200')).body.scans;
    const alive = () => replicas.filter(r => r.pid !== undefined);

    beforeAll(async () => {
      dir = tempDir();
      await applyDemo();
      relay = new Relay(new URL(server!));
      await relay.listen();
      const refused = await freePort();
      const kubernetes = kubernetesConfig([
        { name: 'healthy', url: server!, token: ADMIN },
        { name: 'restricted', url: server!, token: RESTRICTED },
        { name: 'flaky', url: relay.url, token: ADMIN },
        {
          name: 'unreachable',
          url: `https://127.0.0.1:${refused}`,
          token: CANARY,
        },
      ]);
      replicas = [];
      for (const name of ['replica-a', 'replica-b']) {
        const port = await freePort();
        const config = backendConfig(port, postgres!, prefix, {
          kubernetes,
          meshReadiness: {
            manifestSources: [],
            clusterTimeoutSeconds: CLUSTER_TIMEOUT_S,
            schedule: {
              frequency: { seconds: FREQUENCY_S },
              timeout: { seconds: TASK_TIMEOUT_S },
              initialDelay: { seconds: 1 },
            },
          },
        });
        const file = path.join(dir, `${name}.json`);
        fs.writeFileSync(file, JSON.stringify(config));
        replicas.push(new Replica(name, port, file, dir));
      }
      // One after the other, as a rollout does: two processes creating the
      // same new databases at the same instant race on Backstage's migrations.
      for (const r of replicas) await r.start();
      db = pluginDatabase(postgres!, prefix);
    }, 240_000);

    afterAll(async () => {
      await Promise.all((replicas ?? []).map(r => r.kill()));
      await relay?.close();
      await db?.destroy();
      if (dir) removeTempDir(dir);
    }, 60_000);

    it('serves the healthy clusters and reports each failure with its reason, on both replicas', async () => {
      const [a, b] = replicas;
      // The catalog is read and a scan has stored the healthy clusters.
      // Each cluster is read by its own task, on either replica: wait for every one to have been read once.
      const report: EntityReadinessResponse = await waitFor(
        'a demo component read on every cluster',
        90,
        async () => {
          const res = await a.get('/entities/component/default/ledger');
          const attempted = (await a.get('/scans')).body.clusters
            .map((c: any) => c.cluster)
            .sort();
          const read = ['healthy', 'restricted', 'flaky'].every(
            c => byCluster(res.body, c)?.workloads.length,
          );
          return res.status === 200 &&
            read &&
            JSON.stringify(attempted) === JSON.stringify(CLUSTERS)
            ? res.body
            : undefined;
        },
      );
      expect(byCluster(report, 'healthy')).toMatchObject({ status: 'ok' });
      expect(byCluster(report, 'flaky')).toMatchObject({ status: 'ok' });
      expect(byCluster(report, 'unreachable')).toMatchObject({
        status: 'error',
        error: expect.stringMatching(/ECONNREFUSED/),
        workloads: [],
      });
      // 403 on DaemonSets: the rule that needs them is unknown there, never pass.
      const mr004 = (cluster: string) =>
        byCluster(report, cluster).workloads[0].findings.find(
          f => f.ruleId === 'MR004',
        )!;
      expect(mr004('healthy').status).toBe('fail');
      expect(mr004('restricted')).toMatchObject({
        status: 'unknown',
        message: expect.stringContaining('403'),
      });
      expect(report.errors).toEqual(
        expect.arrayContaining([
          {
            cluster: 'unreachable',
            message: expect.stringMatching(/ECONNREFUSED/),
          },
          {
            cluster: 'restricted',
            message: expect.stringMatching(/DaemonSet.*403/),
          },
        ]),
      );
      // Findings the restricted identity could read are the same as the healthy ones.
      const statuses = (cluster: string) =>
        byCluster(report, cluster)
          .workloads[0].findings.filter(f => f.ruleId !== 'MR004')
          .map(f => `${f.ruleId}:${f.status}`);
      expect(statuses('restricted')).toEqual(statuses('healthy'));

      // The other replica serves the same stored result (asked again should a scan land in between).
      const [fromA, fromB] = await bothAnswer(
        a,
        b,
        '/entities/component/default/ledger',
      );
      expect(fromB).toEqual(fromA);
    }, 120_000);

    it('ends a cluster’s read within the timeout when it hangs, keeping its last good result, stale, with its time', async () => {
      const [a] = replicas;
      const before = byCluster(
        (await a.get('/entities/component/default/ledger')).body,
        'flaky',
      );
      expect(before.status).toBe('ok');
      await relay.set('hang');
      const hungAt = new Date().toISOString();
      const read = await waitFor(
        'a scheduled read of the flaky cluster while it hangs',
        60,
        async () =>
          readsOf(await scans(a), 'flaky').find(
            s => s.startedAt > hungAt && s.state === 'finished',
          ),
      );
      expect(
        Date.parse(read.finishedAt!) - Date.parse(read.startedAt),
      ).toBeLessThan((CLUSTER_TIMEOUT_S + 5) * 1000);
      expect(read.clusters).toEqual([
        {
          cluster: 'flaky',
          ok: false,
          error: `timed out after ${CLUSTER_TIMEOUT_S} s`,
        },
      ]);
      // The other clusters are read meanwhile, each by its own task.
      const healthy = await waitFor(
        'a scheduled read of the healthy cluster meanwhile',
        60,
        async () =>
          readsOf(await scans(a), 'healthy').find(
            s => s.startedAt > hungAt && s.state === 'finished',
          ),
      );
      expect(healthy.clusters).toEqual([{ cluster: 'healthy', ok: true }]);
      const flaky = byCluster(
        (await a.get('/entities/component/default/ledger')).body,
        'flaky',
      );
      expect(flaky).toMatchObject({
        status: 'error',
        stale: true,
        error: `timed out after ${CLUSTER_TIMEOUT_S} s`,
      });
      // Still the last good workloads, from the read before it hung.
      expect(flaky.workloads).toEqual(before.workloads);
      expect(flaky.scannedAt! < hungAt).toBe(true);
      const status = (await a.get('/scans')).body.clusters.find(
        (c: any) => c.cluster === 'flaky',
      );
      expect(status).toMatchObject({
        status: 'error',
        stale: true,
        scannedAt: before.scannedAt,
        workloads: expect.any(Number),
      });
      expect(status.attemptedAt > hungAt).toBe(true);
    }, 90_000);

    it('reads each cluster on one replica at a time, once per period', async () => {
      const all = await waitFor(
        'four scheduled reads of every cluster',
        60,
        async () => {
          const finished = scheduled(await scans(replicas[0])).filter(
            s => s.finishedAt,
          );
          return CLUSTERS.every(c => readsOf(finished, c).length >= 4)
            ? finished
            : undefined;
        },
      );
      const elapsed = (Date.now() - startedAt) / 1000;
      for (const cluster of CLUSTERS) {
        const sorted = readsOf(all, cluster).sort((x, y) =>
          x.startedAt.localeCompare(y.startedAt),
        );
        for (let i = 1; i < sorted.length; i++) {
          // Had both replicas read it in one period, their reads would overlap.
          expect({
            cluster,
            read: sorted[i].id,
            startedAfterPreviousEnded:
              sorted[i].startedAt >= sorted[i - 1].finishedAt!,
          }).toEqual({
            cluster,
            read: sorted[i].id,
            startedAfterPreviousEnded: true,
          });
        }
        expect({
          cluster,
          atMostOncePerPeriod:
            sorted.length <= Math.ceil(elapsed / FREQUENCY_S) + 1,
        }).toEqual({
          cluster,
          atMostOncePerPeriod: true,
        });
      }
    }, 90_000);

    it('killed mid-read, a replica leaves every stored row whole and the other replica reads the cluster again', async () => {
      // The flaky cluster still hangs, so each of its reads lasts the cluster timeout: kill its reader then.
      // One that started a moment ago, so that it is still running when the kill lands.
      const running = await waitFor(
        'a scheduled read of the flaky cluster just started',
        60,
        async () =>
          readsOf(await scans(replicas[0]), 'flaky').find(
            s =>
              s.state === 'running' &&
              Date.now() - Date.parse(s.startedAt) < 1500,
          ),
      );
      const victim = replicas.find(r => running.runner.endsWith(`:${r.pid}`));
      expect(victim).toBeDefined();
      await victim!.kill();
      const killedAt = new Date().toISOString();
      const survivor = alive()[0];

      const historyBefore = await db('mesh_readiness_history')
        .select()
        .orderBy('id');
      const clustersBefore = await db('mesh_readiness_clusters')
        .select()
        .orderBy('cluster');

      // The survivor reads the same results, and the stopped read is not forgotten.
      const interrupted = (await scans(survivor)).find(
        s => s.id === running.id,
      )!;
      expect(interrupted.finishedAt).toBeUndefined();
      // The scheduler frees the dead replica's claim on the cluster once the task
      // timeout has passed (its janitor looks every minute); then the survivor reads it.
      const rerun = await waitFor(
        'the survivor to read the flaky cluster',
        TASK_TIMEOUT_S + 90,
        async () =>
          readsOf(await scans(survivor), 'flaky').find(
            s => s.startedAt > killedAt && s.state === 'finished',
          ),
      );
      expect(rerun.runner.endsWith(`:${survivor.pid}`)).toBe(true);
      expect(
        (await scans(survivor)).find(s => s.id === running.id)!.state,
      ).toBe('interrupted');

      // Nothing stored before the kill was lost or changed, and nothing is half-written.
      const historyAfter = await db('mesh_readiness_history')
        .select()
        .orderBy('id');
      expect(historyAfter.slice(0, historyBefore.length)).toEqual(
        historyBefore,
      );
      const perScan = new Map<string, number>();
      for (const row of historyAfter) {
        const at = new Date(row.scanned_at).toISOString();
        perScan.set(at, (perScan.get(at) ?? 0) + 1);
      }
      // Once the catalog was read, every period's point recorded every mapped demo component (ten).
      const sizes = [...perScan.values()];
      const full = sizes.indexOf(10);
      expect(full).toBeGreaterThanOrEqual(0);
      expect(new Set(sizes.slice(full))).toEqual(new Set([10]));
      const clustersAfter = await db('mesh_readiness_clusters')
        .select()
        .orderBy('cluster');
      const whole = (row: any) => {
        try {
          const body = row.workloads ? JSON.parse(row.workloads) : undefined;
          return row.status === 'ok'
            ? Boolean(row.scanned_at && Array.isArray(body?.workloads))
            : row.status === 'error';
        } catch {
          return false;
        }
      };
      expect(clustersAfter.map(r => `${r.cluster}:${whole(r)}`)).toEqual(
        clustersAfter.map(r => `${r.cluster}:true`),
      );
      expect(clustersAfter.map(r => r.cluster)).toEqual(
        clustersBefore.map(r => r.cluster),
      );
    }, 240_000);

    it('restarted, the killed replica serves the same results and takes reads again', async () => {
      const restarted = replicas.find(r => r.pid === undefined)!;
      const survivor = alive()[0];
      await relay.set('pass');
      await restarted.start();
      const entity = '/entities/component/default/ledger';
      await waitFor(
        'both replicas to serve the same recovered result',
        60,
        async () => {
          const [x, y] = await Promise.all([
            restarted.get(entity),
            survivor.get(entity),
          ]);
          return (
            byCluster(x.body, 'flaky')?.status === 'ok' &&
            JSON.stringify(x.body) === JSON.stringify(y.body)
          );
        },
      );
      const [fromRestarted, fromSurvivor] = await bothAnswer(
        restarted,
        survivor,
        '/groups/default/team-payments/scorecard',
      );
      expect(fromRestarted).toEqual(fromSurvivor);
      // With one replica killed now, the restarted one carries on alone.
      await survivor.kill();
      const killedAt = new Date().toISOString();
      // Every cluster, including those the killed survivor held when it died.
      await waitFor(
        'the restarted replica to read every cluster alone',
        TASK_TIMEOUT_S + 90,
        async () => {
          const mine = scheduled(await scans(restarted)).filter(
            s =>
              s.startedAt > killedAt &&
              s.state === 'finished' &&
              s.runner.endsWith(`:${restarted.pid}`),
          );
          return CLUSTERS.every(c => readsOf(mine, c).length > 0) || undefined;
        },
      );
    }, 240_000);

    it('never returns, logs or stores a cluster token', async () => {
      const logs = replicas.map(r => r.log()).join('\n');
      // The logs are real: they hold the scans and the failures.
      expect(logs).toContain('Scan of cluster unreachable failed');
      const databases = await db.raw(
        'select datname from pg_database where datname like ?',
        [`${prefix}%`],
      );
      const stored: string[] = [];
      for (const { datname } of databases.rows) {
        const knex = databaseOn(postgres!, datname);
        try {
          stored.push(await dumpTables(knex));
        } finally {
          await knex.destroy();
        }
      }
      expect(databases.rows.length).toBeGreaterThan(3);
      expect(stored.join('\n')).toContain('mesh-readiness-scan');
      expect(responses.length).toBeGreaterThan(10);
      for (const secret of SECRETS) {
        expect(secret.length).toBeGreaterThan(8);
        const where = [
          logs.includes(secret) && 'a log line',
          responses.some(r => r.includes(secret)) && 'an API response',
          stored.some(s => s.includes(secret)) && 'a stored row',
        ].filter(Boolean);
        expect(where).toEqual([]);
      }
    }, 60_000);
  },
);
