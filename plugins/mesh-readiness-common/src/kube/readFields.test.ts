/*
 * A live scan keeps only readFieldsOf of each listed object. The findings
 * must be exactly those of the whole objects: every rule fixture, and one
 * app as a real kube-apiserver lists it, are evaluated both ways.
 */
import fs from 'fs';
import path from 'path';
import { evaluate } from '../engine';
import { parseManifests } from '../manifests';
import { parseFixtureHeader } from '../testUtils';
import { FIXTURES_DIR, fixtureFiles } from '../rules/__fixtures__/harness';
import { ClusterSnapshot, KubeObject } from '../types';
import { readFieldsOf, readFieldsOfEach } from './readFields';

const ruleFixtures = fs
  .readdirSync(FIXTURES_DIR)
  .filter(d => /^MR\d{3}$/.test(d))
  .flatMap(rule => fixtureFiles(rule));

const LISTED = path.join(__dirname, '__fixtures__/listed-app.yaml');

function listed(): KubeObject[] {
  return parseManifests(fs.readFileSync(LISTED, 'utf8'), LISTED).objects;
}

/** The snapshot both ways, the second as a live source keeps it. */
const bothWays = (snapshot: ClusterSnapshot) => {
  const keep = readFieldsOfEach();
  // As a list's items come: without a kind of their own.
  const kept = snapshot.objects.map(({ kind, ...item }) => keep(item, kind));
  return [evaluate(snapshot), evaluate({ ...snapshot, objects: kept })];
};

describe('the fields a live scan keeps', () => {
  it.each(ruleFixtures.map(f => [path.relative(FIXTURES_DIR, f), f]))(
    'give the same report on %s',
    (_name, file) => {
      const text = fs.readFileSync(file, 'utf8');
      const header = parseFixtureHeader(text);
      const [whole, kept] = bothWays({
        cluster: 'fixtures',
        source: 'live',
        objects: parseManifests(text, file).objects,
        environment: header.environment,
        unreadable: header.unreadable,
      });
      expect(kept).toEqual(whole);
    },
  );

  it('give the same report on an app as the API server lists it', () => {
    const [whole, kept] = bothWays({
      cluster: 'listed',
      source: 'live',
      objects: listed(),
    });
    expect(whole.workloads.map(w => `${w.kind}/${w.name}`)).toEqual([
      'Deployment/app-0',
    ]);
    expect(kept).toEqual(whole);
  });

  it('drop what no rule reads from a listed pod: status, managedFields, token volume and mounts, other annotations', () => {
    const pod = listed().find(o => o.kind === 'Pod')!;
    expect(pod).toMatchObject({
      status: expect.anything(),
      metadata: { managedFields: expect.anything() },
    });
    // As an item of a pod list: without a kind of its own.
    const { kind, ...item } = pod;
    const kept = readFieldsOf(item, 'Pod');
    expect(kept.kind).toBe('Pod');
    expect(Object.keys(kept).sort()).toEqual([
      'apiVersion',
      'kind',
      'metadata',
      'spec',
    ]);
    expect(Object.keys(kept.metadata!).sort()).toEqual([
      'annotations',
      'labels',
      'name',
      'namespace',
      'ownerReferences',
      'uid',
    ]);
    expect(Object.keys(kept.metadata!.annotations!).sort()).toEqual([
      'istio.io/rev',
      'sidecar.istio.io/status',
    ]);
    expect(kept.metadata!.labels).toEqual(pod.metadata!.labels);
    expect(kept.spec.volumes).toBeUndefined();
    expect(kept.spec.nodeName).toBeUndefined();
    expect(kept.spec.containers.map((c: any) => c.volumeMounts)).toEqual([
      undefined,
      undefined,
    ]);
    expect(kept.spec.containers.map((c: any) => c.ports)).toEqual(
      pod.spec.containers.map((c: any) => c.ports),
    );
    expect(JSON.stringify(kept).length).toBeLessThan(
      JSON.stringify(pod).length / 2,
    );
    // The listed object itself is left as it was.
    expect(pod.status).toBeDefined();
    expect(pod.spec.volumes).toBeDefined();
  });

  it('cut down the pod template of a workload, a CronJob inside its job template', () => {
    const deployment = listed().find(o => o.kind === 'Deployment')!;
    const kept = readFieldsOf(deployment);
    expect(kept.status).toBeUndefined();
    expect(kept.spec.replicas).toBe(deployment.spec.replicas);
    expect(kept.spec.template.metadata.labels).toEqual(
      deployment.spec.template.metadata.labels,
    );
    expect(kept.spec.template.metadata.creationTimestamp).toBeUndefined();
    const cronJob = readFieldsOf({
      kind: 'CronJob',
      metadata: {
        name: 'c',
        annotations: { 'mesh-readiness.io/waive': 'MR005', other: 'x' },
      },
      spec: {
        schedule: '* * * * *',
        jobTemplate: {
          spec: {
            template: {
              spec: {
                nodeName: 'n',
                containers: [{ name: 'c', volumeMounts: [] }],
              },
            },
          },
        },
      },
    });
    expect(cronJob).toEqual({
      kind: 'CronJob',
      metadata: {
        name: 'c',
        annotations: { 'mesh-readiness.io/waive': 'MR005' },
      },
      spec: {
        schedule: '* * * * *',
        jobTemplate: {
          spec: { template: { spec: { containers: [{ name: 'c' }] } } },
        },
      },
    });
  });

  it('hold once what the pods of one ReplicaSet, listed one after another, share', () => {
    const pod = listed().find(o => o.kind === 'Pod')!;
    // A sibling as the API server lists it: its own name, uid, node and token volume.
    const sibling = JSON.parse(
      JSON.stringify(pod)
        .replaceAll(pod.metadata!.name!, 'sibling')
        .replaceAll(pod.metadata!.uid!, 'uid-2'),
    );
    sibling.spec.nodeName = 'node-other';
    sibling.spec.volumes[sibling.spec.volumes.length - 1].name =
      'kube-api-access-other';
    const reordered = {
      ...sibling,
      metadata: {
        ...sibling.metadata,
        labels: Object.fromEntries(
          Object.entries(sibling.metadata.labels).reverse(),
        ),
      },
    };
    const keep = readFieldsOfEach();
    const [a, b, c] = [pod, sibling, reordered].map(o => keep(o));
    expect(b.spec).toBe(a.spec);
    expect(b.metadata!.labels).toBe(a.metadata!.labels);
    expect(b.metadata!.ownerReferences).toBe(a.metadata!.ownerReferences);
    expect(b.metadata!.name).toBe('sibling');
    // Labels in another order are not shared: rules may walk them in order.
    expect(c.metadata!.labels).not.toBe(b.metadata!.labels);
    expect(Object.keys(c.metadata!.labels!)).toEqual(
      Object.keys(reordered.metadata.labels),
    );
    expect([a, b, c]).toEqual(
      [pod, sibling, reordered].map(o => readFieldsOf(o)),
    );
  });

  it('keep a `__proto__` key as data, never as a prototype', () => {
    const hostile = JSON.parse(
      '{"kind":"Pod","metadata":{"name":"p"},"spec":{"__proto__":{"hostNetwork":true},"containers":[]}}',
    );
    const kept = readFieldsOf(hostile);
    expect(Object.getPrototypeOf(kept.spec)).toBe(Object.prototype);
    expect(kept.spec.hostNetwork).toBeUndefined();
    expect(Object.keys(kept.spec)).toEqual(['__proto__', 'containers']);
  });
});
