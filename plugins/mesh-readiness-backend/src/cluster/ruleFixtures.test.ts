/*
 * Every rule fixture applied to a real kube-apiserver (yarn test:cluster),
 * each file into namespaces of its own, read back through the live source:
 * the API server's defaulting and validation must not change a finding.
 * Skipped without a server.
 *
 * A live cluster has every namespace a workload is in, so a namespace a
 * fixture uses without declaring it is created bare and is part of the
 * manifest evaluation we compare with: both sides judge the same objects.
 * A fixture whose cluster denies a kind is read as the restricted identity
 * of scripts/kube, which may not list DaemonSets.
 */
import fs from 'node:fs';
import path from 'node:path';
import { adminClient, adminCoreClient } from './adminClient';
import {
  evaluate,
  KubeObject,
  parseManifests,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import {
  FixtureHeader,
  parseFixtureHeader,
} from '@mesh-readiness/plugin-mesh-readiness-common/testUtils';
import { startLiveClusters, testCluster } from './__testUtils__/liveClusters';

const server = process.env.MR_KUBE_SERVER;
const FIXTURES = path.resolve(
  require.resolve('@mesh-readiness/plugin-mesh-readiness-common/package.json'),
  '../src/rules/__fixtures__',
);

/** What the restricted identity of scripts/kube may not list (scripts/kube/README.md). */
const RESTRICTED_CANNOT_LIST = ['DaemonSet'];

/** Why a fixture cannot be put on this API server, or undefined when it can. */
function whyNotApplied(header: FixtureHeader): string | undefined {
  if (header.environment?.podSecurityPolicyApi || header.environment?.pspUse) {
    return `it describes pod security policies, which Kubernetes removed in 1.25 (this API server is ${
      process.env.MR_KUBE_VERSION ?? 'newer'
    }); the unit tests cover them`;
  }
  const denied = (header.unreadable ?? [])
    .map(u => u.kind)
    .filter(kind => !RESTRICTED_CANNOT_LIST.includes(kind));
  if (denied.length)
    return `no identity of scripts/kube is denied ${denied.join(', ')}`;
  return undefined;
}

const fixtures = fs
  .readdirSync(FIXTURES)
  .filter(d => /^MR\d{3}$/.test(d))
  .sort()
  .flatMap(rule =>
    fs
      .readdirSync(path.join(FIXTURES, rule))
      .filter(f => f.endsWith('.yaml'))
      .sort()
      .map(file => {
        const text = fs.readFileSync(path.join(FIXTURES, rule, file), 'utf8');
        const header = parseFixtureHeader(text);
        return {
          name: `${rule}/${file}`,
          rule,
          file,
          text,
          header,
          whyNot: whyNotApplied(header),
        };
      }),
  );
const applied = fixtures.filter(f => !f.whyNot);
const notApplied = fixtures.filter(f => f.whyNot);

/** Each fixture's namespaces get a prefix of their own, so fixtures never collide. */
function renamed(objects: KubeObject[], prefix: string): KubeObject[] {
  return objects.map(o => {
    const copy = JSON.parse(JSON.stringify(o));
    delete copy.metadata.uid;
    if (copy.kind === 'Namespace')
      copy.metadata.name = `${prefix}-${copy.metadata.name}`;
    else if (copy.kind !== 'PodSecurityPolicy')
      copy.metadata.namespace = `${prefix}-${
        copy.metadata.namespace ?? 'default'
      }`;
    for (const ref of copy.metadata.ownerReferences ?? []) {
      ref.apiVersion ??=
        ref.kind === 'ReplicaSet' ||
        ref.kind === 'Deployment' ||
        ref.kind === 'StatefulSet'
          ? 'apps/v1'
          : 'batch/v1';
      ref.uid ??= '00000000-0000-0000-0000-000000000000';
      ref.uid =
        ref.uid.length < 10 ? '00000000-0000-0000-0000-000000000000' : ref.uid;
    }
    return copy;
  });
}

/** The namespaces the fixture's objects are in that it does not declare, as the API server holds them: bare. */
function undeclaredNamespaces(objects: KubeObject[]): KubeObject[] {
  const declared = new Set(
    objects.filter(o => o.kind === 'Namespace').map(o => o.metadata!.name),
  );
  const used = new Set(
    objects
      .filter(o => o.kind !== 'Namespace' && o.metadata?.namespace)
      .map(o => o.metadata!.namespace!),
  );
  return [...used]
    .filter(ns => !declared.has(ns))
    .map(name => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
}

/**
 * Creates the objects, namespaces first. A Pod's ephemeral containers are
 * refused on create, so they are added after, through the pod's
 * `ephemeralcontainers` subresource, as `kubectl debug` does.
 */
async function apply(objects: KubeObject[]): Promise<string[]> {
  const client = adminClient();
  const rejected: string[] = [];
  const ordered = [
    ...objects.filter(o => o.kind === 'Namespace'),
    ...objects.filter(o => o.kind !== 'Namespace'),
  ];
  for (const o of ordered) {
    const { ephemeralContainers, ...spec } = (o as any).spec ?? {};
    const body = o.kind === 'Pod' ? { ...o, spec } : o;
    try {
      await client.create(body as any);
      if (o.kind === 'Pod' && ephemeralContainers) {
        const core = adminCoreClient();
        const pod = await core.readNamespacedPod({
          name: o.metadata!.name!,
          namespace: o.metadata!.namespace!,
        });
        await core.replaceNamespacedPodEphemeralcontainers({
          name: o.metadata!.name!,
          namespace: o.metadata!.namespace!,
          body: { ...pod, spec: { ...pod.spec!, ephemeralContainers } },
        });
      }
    } catch (e: any) {
      rejected.push(
        `${o.kind}/${o.metadata?.name}: ${e.body?.message ?? e.message}`,
      );
    }
  }
  return rejected;
}

(server ? describe : describe.skip)(
  'rule fixtures on a real API server',
  () => {
    let clusters: Awaited<ReturnType<typeof startLiveClusters>>;
    beforeAll(async () => {
      clusters = await startLiveClusters([
        testCluster('admin', process.env.MR_KUBE_ADMIN_TOKEN!),
        testCluster('restricted', process.env.MR_KUBE_RESTRICTED_TOKEN!),
      ]);
    });
    afterAll(() => clusters?.stop());

    it.each(applied.map((f, i) => [f.name, f, `f${i}`] as const))(
      '%s gives the same findings from the API server',
      async (_name, { rule, file, text, header }, prefix) => {
        const fromFile = renamed(parseManifests(text, file).objects, prefix);
        const objects = [...fromFile, ...undeclaredNamespaces(fromFile)];
        expect(await apply(objects)).toEqual([]);

        const snapshot = await clusters
          .source(header.unreadable ? 'restricted' : 'admin')
          .readSnapshot();
        // The kinds the fixture says are denied, in the live source's words.
        const deniedKinds = (header.unreadable ?? []).map(u => u.kind);
        const unreadable =
          header.unreadable &&
          snapshot.unreadable?.filter(u => deniedKinds.includes(u.kind));
        expect(unreadable?.map(u => u.kind)).toEqual(
          header.unreadable && deniedKinds,
        );
        const expected = evaluate(
          {
            source: header.source,
            objects,
            environment: header.environment,
            unreadable,
          },
          { rules: [rule] },
        );
        const ours = snapshot.objects.filter(
          o =>
            o.metadata?.namespace?.startsWith(`${prefix}-`) ||
            o.metadata?.name?.startsWith(`${prefix}-`),
        );
        const live = evaluate(
          {
            ...snapshot,
            objects: ours,
            environment: { ...snapshot.environment, ...header.environment },
          },
          { rules: [rule] },
        );

        const findings = (r: typeof live) =>
          Object.fromEntries(
            r.workloads.map(w => [
              `${w.kind}/${w.namespace}/${w.name}`,
              { status: w.findings[0].status, message: w.findings[0].message },
            ]),
          );
        expect(Object.keys(findings(expected))).toEqual(
          expect.arrayContaining([expect.any(String)]),
        );
        expect(findings(live)).toEqual(findings(expected));
      },
      30_000,
    );

    // Printed as skipped, with the reason, so a fixture left out is seen and explained.
    // eslint-disable-next-line jest/no-disabled-tests, jest/expect-expect
    it.skip.each(notApplied.map(f => [f.name, f.whyNot] as const))(
      '%s is not applied: %s',
      () => {},
    );
  },
);
