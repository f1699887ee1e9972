/*
 * Every rule fixture applied to a real kube-apiserver (yarn test:cluster),
 * each file into namespaces of its own, read back through the live source:
 * the API server's defaulting and validation must not change a finding.
 * Fixtures that describe what a live cluster has to tell (PSP answers,
 * unreadable kinds) are left to the unit tests. Skipped without a server.
 */
import fs from 'node:fs';
import path from 'node:path';
import { adminClient } from './adminClient';
import { evaluate, KubeObject, parseManifests } from '@mesh-readiness/plugin-mesh-readiness-common';
import { parseFixtureHeader } from '@mesh-readiness/plugin-mesh-readiness-common/testUtils';
import { startLiveClusters, testCluster } from './__testUtils__/liveClusters';

const server = process.env.MR_KUBE_SERVER;
const FIXTURES = path.resolve(
  require.resolve('@mesh-readiness/plugin-mesh-readiness-common/package.json'),
  '../src/rules/__fixtures__',
);

/** Rules that read namespace labels, which a namespace the fixture does not declare leaves unknown to the manifest evaluation. */
const READS_NAMESPACE = ['MR004', 'MR008', 'MR012', 'MR013', 'MR015'];

/** Fixtures a real API server cannot take as written, and why. */
const NOT_CREATABLE: Record<string, string> = {
  // Ephemeral containers are refused on create; they are only added later
  // through the pod's ephemeralcontainers subresource.
  'MR003/edge-ephemeral-and-injected.yaml': 'ephemeral containers cannot be set on create',
};

const cases = fs
  .readdirSync(FIXTURES)
  .filter(d => /^MR\d{3}$/.test(d))
  .sort()
  .flatMap(rule =>
    fs.readdirSync(path.join(FIXTURES, rule)).filter(f => f.endsWith('.yaml')).sort().map(f => [rule, f] as const),
  )
  .filter(([rule, file]) => !NOT_CREATABLE[`${rule}/${file}`])
  .filter(([rule, file]) => {
    const header = parseFixtureHeader(fs.readFileSync(path.join(FIXTURES, rule, file), 'utf8'));
    const declaresNamespaces = /^kind: Namespace$/m.test(fs.readFileSync(path.join(FIXTURES, rule, file), 'utf8'));
    // A namespace whose labels are unknown cannot exist on a live cluster.
    const needsNamespaces = READS_NAMESPACE.includes(rule) && !declaresNamespaces;
    return !header.unreadable && !header.environment?.pspUse && !header.environment?.podSecurityPolicyApi && !needsNamespaces;
  });

/** Each fixture's namespaces get a prefix of their own, so fixtures never collide. */
function renamed(objects: KubeObject[], prefix: string): KubeObject[] {
  return objects.map(o => {
    const copy = JSON.parse(JSON.stringify(o));
    delete copy.metadata.uid;
    if (copy.kind === 'Namespace') copy.metadata.name = `${prefix}-${copy.metadata.name}`;
    else if (copy.kind !== 'PodSecurityPolicy') copy.metadata.namespace = `${prefix}-${copy.metadata.namespace ?? 'default'}`;
    for (const ref of copy.metadata.ownerReferences ?? []) {
      ref.apiVersion ??= ref.kind === 'ReplicaSet' || ref.kind === 'Deployment' || ref.kind === 'StatefulSet' ? 'apps/v1' : 'batch/v1';
      ref.uid ??= '00000000-0000-0000-0000-000000000000';
      ref.uid = ref.uid.length < 10 ? '00000000-0000-0000-0000-000000000000' : ref.uid;
    }
    return copy;
  });
}

(server ? describe : describe.skip)('rule fixtures on a real API server', () => {
  let clusters: Awaited<ReturnType<typeof startLiveClusters>>;
  beforeAll(async () => {
    clusters = await startLiveClusters([testCluster('real', process.env.MR_KUBE_ADMIN_TOKEN!)]);
  });
  afterAll(() => clusters?.stop());

  it.each(cases.map(([rule, file], i) => [`${rule}/${file}`, rule, file, `f${i}`]))(
    '%s gives the same findings from the API server',
    async (_name, rule, file, prefix) => {
      const text = fs.readFileSync(path.join(FIXTURES, rule, file), 'utf8');
      const header = parseFixtureHeader(text);
      const objects = renamed(parseManifests(text, file).objects, prefix);
      // Namespaces the fixture uses but does not declare are created bare.
      const declared = new Set(objects.filter(o => o.kind === 'Namespace').map(o => o.metadata!.name));
      const client = adminClient();
      const used = new Set(objects.filter(o => o.kind !== 'Namespace' && o.kind !== 'PodSecurityPolicy').map(o => o.metadata!.namespace!));
      for (const ns of used) if (!declared.has(ns)) await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } as any);
      const rejected: string[] = [];
      for (const o of [...objects.filter(x => x.kind === 'Namespace'), ...objects.filter(x => x.kind !== 'Namespace')]) {
        await client.create(o as any).catch(e => rejected.push(`${o.kind}/${o.metadata?.name}: ${e.body?.message ?? e.message}`));
      }
      const expected = evaluate(
        { source: header.source, objects: objects.filter(o => !rejected.some(r => r.startsWith(`${o.kind}/${o.metadata?.name}:`))), environment: header.environment },
        { rules: [rule] },
      );
      const snapshot = await clusters.source('real').readSnapshot();
      const ours = { ...snapshot, objects: snapshot.objects.filter(o => o.kind === 'PodSecurityPolicy' || o.metadata?.namespace?.startsWith(`${prefix}-`) || o.metadata?.name?.startsWith(`${prefix}-`)) };
      const live = evaluate({ ...ours, environment: { ...snapshot.environment, ...header.environment } }, { rules: [rule] });
      const statusOf = (r: typeof live) =>
        Object.fromEntries(
          r.workloads
            .filter(w => !READS_NAMESPACE.includes(rule) || declared.has(w.namespace))
            .map(w => [`${w.kind}/${w.namespace}/${w.name}`, w.findings[0].status]),
        );
      expect({ compared: Object.keys(statusOf(expected)).length > 0, rejected }).toEqual({ compared: true, rejected: expect.any(Array) });
      expect(statusOf(live)).toEqual(statusOf(expected));
    },
    30_000,
  );
});
