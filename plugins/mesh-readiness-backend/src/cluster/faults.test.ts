/*
 * Faults a real cluster has, against the real kube-apiserver of
 * `yarn test:cluster` (scripts/kube), with a relay in front of it only
 * where the fault cannot be had otherwise:
 * - a 401 mid-list (a token that expired while a scan ran): the relay
 *   answers one page 401, as the API server does to an expired token;
 * - a 410 Gone on a `continue` token: real, from the API server itself,
 *   after etcd is compacted past the list's revision mid-list;
 * - the API server going away mid-list: after a good scan, the relay
 *   resets every connection, as a restarting server does;
 * - an answer cut off mid-body: the relay passes on the API server's real
 *   answer's headers and first bytes, then the connection goes.
 * Skipped when no control plane is up.
 */
import { randomBytes } from 'node:crypto';
import {
  EntityReadinessResponse,
  ScansResponse,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import { adminClient } from './adminClient';
import { startLiveClusters, testCluster } from './__testUtils__/liveClusters';
import {
  mappedComponent,
  startMeshReadinessBackend,
} from './__testUtils__/meshReadinessBackend';
import { RelayDecision, startRelay } from './relay';

const server = process.env.MR_KUBE_SERVER;
const describeCluster = server ? describe : describe.skip;
const ADMIN = process.env.MR_KUBE_ADMIN_TOKEN!;
const PODS = 5;

/** etcd's current revision, and a compaction up to it: every older revision is gone. */
async function compactEtcd() {
  const etcd = process.env.MR_KUBE_ETCD!;
  const range = await fetch(`${etcd}/v3/kv/range`, {
    method: 'POST',
    body: JSON.stringify({
      key: Buffer.from('/').toString('base64'),
      limit: 1,
    }),
  });
  const revision = (await range.json()).header.revision;
  const compaction = await fetch(`${etcd}/v3/kv/compaction`, {
    method: 'POST',
    body: JSON.stringify({ revision, physical: true }),
  });
  expect(compaction.ok).toBe(true);
}

describeCluster('faults of a real cluster', () => {
  const ns = `mr-it-faults-${randomBytes(4).toString('hex')}`;
  const ours = (
    objects: Array<{
      kind?: string;
      metadata?: { namespace?: string; name?: string };
    }>,
  ) =>
    objects
      .filter(o => o.kind === 'Pod' && o.metadata?.namespace === ns)
      .map(o => o.metadata!.name!)
      .sort();
  const expectedPods = Array.from({ length: PODS }, (_, i) => `web-${i}`);

  beforeAll(async () => {
    const client = adminClient();
    await client.create({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns },
    } as any);
    for (const name of expectedPods) {
      await client.create({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          namespace: ns,
          labels: {
            'backstage.io/kubernetes-id': ns,
            app: 'web',
            version: 'v1',
          },
        },
        spec: { containers: [{ name: 'web', image: 'web:1' }] },
      } as any);
    }
  }, 60_000);

  it('gets fresh credentials and retries once when a page is answered 401 mid-list', async () => {
    let refused = '';
    const relay = await startRelay(req => {
      if (
        !refused &&
        req.url!.startsWith('/api/v1/pods?') &&
        req.url!.includes('continue=')
      ) {
        refused = req.url!;
        return res => {
          res.writeHead(401, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              kind: 'Status',
              apiVersion: 'v1',
              status: 'Failure',
              message: 'Unauthorized',
              reason: 'Unauthorized',
              code: 401,
            }),
          );
        };
      }
      return 'forward';
    });
    const clusters = await startLiveClusters([
      testCluster('expiring', ADMIN, relay.url),
    ]);
    try {
      const snapshot = await clusters
        .source('expiring', { pageSize: 2 })
        .readSnapshot();
      expect(ours(snapshot.objects)).toEqual(expectedPods);
      // The refused page was asked again, and only once.
      expect(refused).not.toBe('');
      expect(relay.requests.filter(r => r === refused)).toHaveLength(2);
    } finally {
      await clusters.stop();
      relay.close();
    }
  }, 60_000);

  it('starts a list again when the API server answers 410 Gone to its continue token', async () => {
    let expired = '';
    const relay = await startRelay(async (req): Promise<RelayDecision> => {
      if (
        !expired &&
        req.url!.startsWith('/api/v1/pods?') &&
        req.url!.includes('continue=')
      ) {
        expired = req.url!;
        // A write after the first page, then etcd compacted past the list's revision.
        await adminClient().create({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: `bump-${randomBytes(3).toString('hex')}`,
            namespace: ns,
          },
        } as any);
        await compactEtcd();
      }
      return 'forward';
    });
    const clusters = await startLiveClusters([
      testCluster('compacted', ADMIN, relay.url),
    ]);
    const answers: number[] = [];
    const request$ = clusters.client.request.bind(clusters.client);
    jest
      .spyOn(clusters.client, 'request')
      .mockImplementation(async (cluster, path, options) => {
        const response = await request$(cluster, path, options);
        if (path.startsWith('/api/v1/pods?')) answers.push(response.status);
        return response;
      });
    try {
      const snapshot = await clusters
        .source('compacted', { pageSize: 2 })
        .readSnapshot();
      // The API server itself said Gone; the list was read again from its first page, nothing twice.
      expect(answers).toContain(410);
      expect(
        relay.requests.filter(
          r => r.startsWith('/api/v1/pods?') && !r.includes('continue='),
        ).length,
      ).toBe(2);
      expect(ours(snapshot.objects)).toEqual(expectedPods);
    } finally {
      jest.restoreAllMocks();
      await clusters.stop();
      relay.close();
    }
  }, 60_000);

  it('fails only the cluster whose API server goes away mid-list, and serves its last result as stale', async () => {
    let down = false;
    const relay = await startRelay(() => {
      if (!down) return 'forward';
      // Connections reset while it restarts.
      return (_res, r) => r.socket.destroy();
    });
    const portal = await startMeshReadinessBackend({
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [
              testCluster('steady', ADMIN),
              testCluster('restarting', ADMIN, relay.url),
            ],
          },
        ],
      },
      meshReadiness: { clusterTimeoutSeconds: 30 },
      entities: [mappedComponent(ns)],
    });
    const { get } = portal;
    const clustersOf = (report: EntityReadinessResponse) =>
      [...new Set(report.workloads.map(w => w.cluster))].sort();
    try {
      const before = (await get('/entities/component/default/web?refresh=true'))
        .body as EntityReadinessResponse;
      expect(clustersOf(before)).toEqual(['restarting', 'steady']);

      down = true;
      const after = (await get('/entities/component/default/web?refresh=true'))
        .body as EntityReadinessResponse;
      const scans = (await get('/scans')).body as ScansResponse;
      const restarting = scans.clusters.find(c => c.cluster === 'restarting')!;
      expect(restarting).toMatchObject({
        status: 'error',
        stale: true,
        locator: 'config',
        authProvider: 'serviceAccount',
      });
      expect(restarting.error).toMatch(/listing \w+: /);
      expect(scans.clusters.find(c => c.cluster === 'steady')).toMatchObject({
        status: 'ok',
      });
      // Its workloads are still served, from the last good read, and the report says why they may be old.
      expect(clustersOf(after)).toEqual(['restarting', 'steady']);
      expect(
        after.workloads.filter(w => w.cluster === 'restarting'),
      ).toHaveLength(
        before.workloads.filter(w => w.cluster === 'restarting').length,
      );
      expect(JSON.stringify(after)).toMatch(/restarting/);
    } finally {
      relay.close();
      await portal.stop();
    }
  }, 60_000);

  it('fails a cluster whose answer is cut off mid-body at once, not at its timeout, and reads the others', async () => {
    let cut = '';
    const relay = await startRelay(req => {
      if (!cut && req.url!.startsWith('/api/v1/pods?')) {
        cut = req.url!;
        return { cutAfterBytes: 40 };
      }
      return 'forward';
    });
    // A timeout far beyond this test's own: the cluster can only fail in time by seeing the cut.
    const portal = await startMeshReadinessBackend({
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [
              testCluster('steady', ADMIN),
              testCluster('cut', ADMIN, relay.url),
            ],
          },
        ],
      },
      meshReadiness: { clusterTimeoutSeconds: 600 },
      entities: [mappedComponent(ns)],
    });
    try {
      const report = (
        await portal.get('/entities/component/default/web?refresh=true')
      ).body as EntityReadinessResponse;
      const scans = (await portal.get('/scans')).body as ScansResponse;
      expect(cut).not.toBe('');
      const failed = scans.clusters.find(c => c.cluster === 'cut')!;
      expect(failed).toMatchObject({
        status: 'error',
        locator: 'config',
        authProvider: 'serviceAccount',
      });
      expect(failed.error).toMatch(
        /^listing Pod: the answer broke off after \d+ (of \d+ )?bytes/,
      );
      expect(failed.error).not.toMatch(/timed out/);
      expect(scans.clusters.find(c => c.cluster === 'steady')).toMatchObject({
        status: 'ok',
      });
      expect([...new Set(report.workloads.map(w => w.cluster))]).toEqual([
        'steady',
      ]);
    } finally {
      relay.close();
      await portal.stop();
    }
  }, 60_000);
});
