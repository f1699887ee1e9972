/*
 * The live path against a real kube-apiserver (scripts/kube, run by
 * `yarn test:cluster`): the demo manifests are applied with the admin
 * token, read back through KubernetesClusterSource, and must give the same
 * findings as the manifest source for the same YAML. A restricted identity
 * that may not list DaemonSets gets unknown where that matters and the
 * rest served. Skipped when no control plane is up.
 */
import fs from 'node:fs';
import path from 'node:path';
import { adminClient } from './adminClient';
import {
  evaluate,
  KubeObject,
  parseManifests,
  Report,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import { startLiveClusters, testCluster } from './__testUtils__/liveClusters';
import { ManifestClusterSource } from '../service/ManifestClusterSource';

const server = process.env.MR_KUBE_SERVER;
const DEMO = path.resolve(__dirname, '../../../../examples/mesh-demo/cluster');
const describeCluster = server ? describe : describe.skip;

function demoObjects(): KubeObject[] {
  return fs
    .readdirSync(DEMO)
    .filter(f => f.endsWith('.yaml'))
    .flatMap(
      f =>
        parseManifests(fs.readFileSync(path.join(DEMO, f), 'utf8'), f).objects,
    );
}

const statuses = (report: Report) =>
  Object.fromEntries(
    report.workloads.flatMap(w =>
      w.findings.map(f => [
        `${w.kind}/${w.namespace}/${w.name}/${f.ruleId}`,
        f.status,
      ]),
    ),
  );

const DEMO_NAMESPACES = new Set(['storefront', 'payments', 'observability']);

let clusters: Awaited<ReturnType<typeof startLiveClusters>>;
/** The cluster read with each identity of the test API server. */
const identity = (token: string) =>
  token === process.env.MR_KUBE_RESTRICTED_TOKEN ? 'restricted' : 'admin';

/** The demo's part of the cluster: other suites apply their own objects to it. */
const read = async (token: string) => {
  const snapshot = await clusters.source(identity(token)).readSnapshot();
  return {
    ...snapshot,
    objects: snapshot.objects.filter(o =>
      DEMO_NAMESPACES.has(
        o.kind === 'Namespace'
          ? o.metadata!.name!
          : o.metadata?.namespace ?? '',
      ),
    ),
  };
};
const source = (token: string) => ({ readSnapshot: () => read(token) });

describeCluster('the live cluster source against a real API server', () => {
  afterAll(() => clusters?.stop());
  beforeAll(async () => {
    clusters = await startLiveClusters([
      testCluster('admin', process.env.MR_KUBE_ADMIN_TOKEN!),
      testCluster('restricted', process.env.MR_KUBE_RESTRICTED_TOKEN!),
    ]);
    const client = adminClient();
    const objects = demoObjects();
    // Namespaces first, then what lives in them.
    for (const o of [
      ...objects.filter(x => x.kind === 'Namespace'),
      ...objects.filter(x => x.kind !== 'Namespace'),
    ]) {
      await client.create(o as any);
    }
  }, 60_000);

  it('gives the same finding for every workload and rule as the manifest source', async () => {
    const manifest = evaluate(
      await new ManifestClusterSource('real', DEMO).readSnapshot(),
    );
    const snapshot = await source(
      process.env.MR_KUBE_ADMIN_TOKEN!,
    ).readSnapshot();
    expect(snapshot.unreadable).toEqual([]);
    expect(snapshot.environment).toMatchObject({
      istioCni: false,
      ambient: false,
      podSecurityPolicyApi: false,
    });
    const live = evaluate(snapshot);
    expect(live.workloads.length).toBe(manifest.workloads.length);
    expect(statuses(live)).toEqual(statuses(manifest));
  }, 60_000);

  it('as an identity that may not list DaemonSets: unknown where it matters, the rest served', async () => {
    const full = statuses(
      evaluate(await new ManifestClusterSource('real', DEMO).readSnapshot()),
    );
    const snapshot = await source(
      process.env.MR_KUBE_RESTRICTED_TOKEN!,
    ).readSnapshot();
    expect(snapshot.unreadable).toEqual([
      { kind: 'DaemonSet', reason: expect.stringContaining('403') },
    ]);
    const restricted = statuses(evaluate(snapshot));
    // MR004 in the baseline namespace depends on whether the CNI DaemonSet runs.
    expect(restricted['Deployment/payments/ledger/MR004']).toBe('unknown');
    expect(full['Deployment/payments/ledger/MR004']).toBe('fail');
    // Everything else about the other workloads is served as before.
    for (const [key, status] of Object.entries(restricted)) {
      if (key.endsWith('/MR004') && key.includes('/payments/')) continue;
      expect({ key, status }).toEqual({ key, status: full[key] });
    }
  }, 60_000);

  it('checks the pods of a DaemonSet the identity may not list, under the DaemonSet, saying why', async () => {
    const client = adminClient();
    const labels = { app: 'node-agent', version: 'v3' };
    await client.create({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'owners-live',
        labels: { 'istio-injection': 'enabled' },
      },
    } as any);
    const daemonSet: any = await client.create({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'node-agent', namespace: 'owners-live' },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: 'agent', image: 'obs/node-agent:3' }] },
        },
      },
    } as any);
    // No controller runs here: the pod the DaemonSet controller would make, owned by it.
    await client.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'node-agent-7xk2p',
        namespace: 'owners-live',
        labels,
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'DaemonSet',
            name: 'node-agent',
            uid: daemonSet.metadata.uid,
            controller: true,
          },
        ],
      },
      spec: {
        securityContext: { runAsUser: 1337 },
        containers: [{ name: 'agent', image: 'obs/node-agent:3' }],
      },
    } as any);
    const inNamespace = async (token: string) => {
      const snapshot = await clusters.source(identity(token)).readSnapshot();
      return evaluate({
        ...snapshot,
        objects: snapshot.objects.filter(
          o =>
            o.metadata?.namespace === 'owners-live' ||
            o.metadata?.name === 'owners-live',
        ),
      });
    };
    const full = await inNamespace(process.env.MR_KUBE_ADMIN_TOKEN!);
    const restricted = await inNamespace(process.env.MR_KUBE_RESTRICTED_TOKEN!);
    const summary = (r: Report) =>
      r.workloads.map(w => ({
        workload: `${w.kind}/${w.namespace}/${w.name}`,
        mr003: w.findings.find(f => f.ruleId === 'MR003')!.status,
      }));
    expect(summary(full)).toEqual([
      { workload: 'DaemonSet/owners-live/node-agent', mr003: 'fail' },
    ]);
    expect(full.workloads[0].notice).toBeUndefined();
    // Read without the DaemonSet, the same workload with what its pod shows.
    expect(summary(restricted)).toEqual(summary(full));
    expect(restricted.workloads[0].notice).toMatch(
      /DaemonSet owners-live\/node-agent itself could not be read \(DaemonSet forbidden \(403\)/,
    );
  }, 60_000);

  it('keeps only the fields rules read of what the API server lists, and all of them when asked (custom rules)', async () => {
    const kept = await source(process.env.MR_KUBE_ADMIN_TOKEN!).readSnapshot();
    const whole = await clusters
      .source('admin')
      .readSnapshot({ fields: 'all' });
    const storefront = (s: { objects: KubeObject[] }) =>
      s.objects.find(
        o => o.kind === 'Namespace' && o.metadata?.name === 'storefront',
      )!;
    // What the server adds to every object it stores, and a status: none of it is read by a rule.
    expect(storefront(whole)).toMatchObject({
      status: { phase: 'Active' },
      metadata: {
        managedFields: expect.any(Array),
        resourceVersion: expect.any(String),
      },
    });
    expect(storefront(kept).status).toBeUndefined();
    expect(Object.keys(storefront(kept).metadata!).sort()).toEqual([
      'labels',
      'name',
      'uid',
    ]);
    const demo = <T extends { objects: KubeObject[] }>(s: T): T => ({
      ...s,
      objects: s.objects.filter(o =>
        DEMO_NAMESPACES.has(
          o.kind === 'Namespace'
            ? o.metadata!.name!
            : o.metadata?.namespace ?? '',
        ),
      ),
    });
    expect(evaluate(kept)).toEqual(evaluate(demo(whole)));
  }, 60_000);

  it('pages through lists with a real continue token', async () => {
    const requested: string[] = [];
    // What passed through the Kubernetes plugin's proxy.
    const request = clusters.client.request.bind(clusters.client);
    jest
      .spyOn(clusters.client, 'request')
      .mockImplementation((cluster, apiPath, options) => {
        requested.push(apiPath);
        return request(cluster, apiPath, options);
      });
    const snapshot = await clusters
      .source('admin', { pageSize: 2 })
      .readSnapshot();
    jest.restoreAllMocks();
    expect(
      requested.filter(
        r =>
          r.startsWith('/apis/apps/v1/deployments?') && r.includes('continue='),
      ).length,
    ).toBeGreaterThan(0);
    expect(
      snapshot.objects.filter(
        o =>
          o.kind === 'Deployment' &&
          DEMO_NAMESPACES.has(o.metadata!.namespace!),
      ),
    ).toHaveLength(demoObjects().filter(o => o.kind === 'Deployment').length);
  }, 60_000);
});
