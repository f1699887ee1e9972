/*
 * Property-based tests: generated workloads and Services, invariants that
 * must hold for all of them.
 */
import fc from 'fast-check';
import { evaluate } from './engine';
import { RULE_DEFINITIONS } from './rules';
import {
  CONTAINER_UNREAD,
  isReadAnnotation,
  POD_SPEC_UNREAD,
} from './kube/podShape';
import { KubeObject, Report } from './types';

const APPS = ['web', 'api', 'db'];
const NAMESPACES = ['shop', 'pay'];
const PORT_NAMES = [
  'http',
  'http-web',
  'grpc',
  'tcp',
  'web',
  'udp-dns',
  'redis',
  '',
  'HTTP2-x',
];

const labels = fc.record(
  {
    app: fc.constantFrom(...APPS),
    version: fc.constantFrom('v1', 'v2'),
    'sidecar.istio.io/inject': fc.constantFrom('true', 'false'),
  },
  { requiredKeys: [] },
);

const containerPort = fc.record({
  name: fc.option(fc.constantFrom('http', 'admin', 'metrics'), {
    nil: undefined,
  }),
  containerPort: fc.oneof(
    fc.constantFrom(80, 8080, 15000, 15020, 9090),
    fc.integer({ min: -5, max: 70000 }),
  ),
  protocol: fc.option(fc.constantFrom('TCP', 'UDP'), { nil: undefined }),
});

const container = fc.record({
  name: fc.constantFrom('app', 'sidecar', 'istio-proxy'),
  image: fc.constant('img:1'),
  ports: fc.option(fc.array(containerPort, { maxLength: 3 }), {
    nil: undefined,
  }),
  securityContext: fc.option(
    fc.record({ runAsUser: fc.constantFrom(1000, 1337, 0) }),
    { nil: undefined },
  ),
  readinessProbe: fc.option(
    fc.record({
      httpGet: fc.record({
        path: fc.constant('/'),
        port: fc.oneof(fc.constantFrom(8080, 15021), fc.constant('http')),
      }),
    }),
    { nil: undefined },
  ),
});

const namespaceObject = (name: string) =>
  fc.record({
    apiVersion: fc.constant('v1'),
    kind: fc.constant('Namespace'),
    metadata: fc.record({
      name: fc.constant(name),
      labels: fc.record(
        {
          'istio-injection': fc.constantFrom('enabled', 'disabled'),
          'pod-security.kubernetes.io/enforce': fc.constantFrom(
            'baseline',
            'privileged',
          ),
        },
        { requiredKeys: [] },
      ),
    }),
  });

const workload = fc
  .record({
    kind: fc.constantFrom(
      'Deployment',
      'StatefulSet',
      'DaemonSet',
      'Job',
      'CronJob',
      'Pod',
    ),
    name: fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/),
    namespace: fc.constantFrom(...NAMESPACES),
    labels,
    annotations: fc.record(
      {
        'mesh-readiness.io/waive': fc.constantFrom(
          'MR001',
          'MR005,MR006',
          'MR003',
        ),
        'sidecar.istio.io/rewriteAppHTTPProbers': fc.constantFrom(
          'false',
          'true',
        ),
      },
      { requiredKeys: [] },
    ),
    hostNetwork: fc.option(fc.boolean(), { nil: undefined }),
    containers: fc.array(container, { maxLength: 3 }),
  })
  .map(w => {
    const podSpec = { hostNetwork: w.hostNetwork, containers: w.containers };
    const meta = { labels: w.labels, annotations: w.annotations };
    const base = {
      apiVersion: 'apps/v1',
      kind: w.kind,
      metadata: {
        name: w.name,
        namespace: w.namespace,
        annotations: w.annotations,
      },
    };
    if (w.kind === 'Pod')
      return {
        ...base,
        metadata: { ...base.metadata, ...meta },
        spec: podSpec,
      } as KubeObject;
    if (w.kind === 'CronJob') {
      return {
        ...base,
        spec: {
          jobTemplate: {
            spec: { template: { metadata: meta, spec: podSpec } },
          },
        },
      } as KubeObject;
    }
    return {
      ...base,
      spec: {
        selector: { matchLabels: w.labels },
        template: { metadata: meta, spec: podSpec },
      },
    } as KubeObject;
  });

const service = fc
  .record({
    name: fc.stringMatching(/^s-[a-z]{1,4}$/),
    namespace: fc.constantFrom(...NAMESPACES),
    headless: fc.boolean(),
    selector: fc.record(
      { app: fc.constantFrom(...APPS), version: fc.constantFrom('v1', 'v2') },
      { requiredKeys: [] },
    ),
    ports: fc.array(
      fc.record({
        name: fc.constantFrom(...PORT_NAMES),
        port: fc.constantFrom(80, 53, 3306, 8080),
        targetPort: fc.option(
          fc.oneof(
            fc.constantFrom(8080, 15020),
            fc.constantFrom('http', 'admin', 'nope'),
          ),
          { nil: undefined },
        ),
        protocol: fc.option(fc.constantFrom('TCP', 'UDP'), { nil: undefined }),
        appProtocol: fc.option(
          fc.constantFrom('http', 'kubernetes.io/h2c', 'odd'),
          { nil: undefined },
        ),
      }),
      { maxLength: 3 },
    ),
  })
  .map(
    s =>
      ({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: s.name, namespace: s.namespace },
        spec: {
          ...(s.headless ? { clusterIP: 'None' } : {}),
          selector: s.selector,
          ports: s.ports,
        },
      } as KubeObject),
  );

// One object per kind, namespace and name, as a cluster holds them (of two
// manifests with the same one, the later is kept, as kubectl apply would).
const keyOf = (o: KubeObject) =>
  `${o.kind}/${o.metadata?.namespace}/${o.metadata?.name}`;

const snapshotObjects = fc
  .tuple(
    fc.uniqueArray(workload, { minLength: 1, maxLength: 6, selector: keyOf }),
    fc.uniqueArray(service, { maxLength: 5, selector: keyOf }),
    fc
      .subarray(NAMESPACES)
      .chain(names => fc.tuple(...names.map(namespaceObject))),
  )
  .map(([ws, ss, ns]) => [...ns, ...ws, ...ss] as KubeObject[]);

const run = (objects: KubeObject[]): Report =>
  evaluate({ cluster: 'p', source: 'manifests', objects });

/**
 * A live Deployment and its running pods, which differ from each other
 * where real pods do (node, token volume, mounts, hostname, node affinity,
 * the CNI plugin's annotations) and sometimes where the rules look (a
 * user, a missing proxy, ambient capture).
 */
const liveWorkload = fc
  .record({
    name: fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/),
    namespace: fc.constantFrom(...NAMESPACES),
    labels,
    containers: fc.array(container, { minLength: 1, maxLength: 2 }),
    pods: fc.array(
      fc.record({
        node: fc.constantFrom('node-a', 'node-b', 'node-c'),
        token: fc.stringMatching(/^[a-z0-9]{5}$/),
        hostname: fc.option(fc.constantFrom('web-0', 'web-1'), {
          nil: undefined,
        }),
        runAsUser: fc.option(fc.constantFrom(1000, 1337), { nil: undefined }),
        proxy: fc.boolean(),
        podIP: fc.ipV4(),
        ambient: fc.option(fc.constantFrom('enabled', 'disabled'), {
          nil: undefined,
        }),
      }),
      { maxLength: 5 },
    ),
  })
  .map(w => {
    const uid = `uid-${w.namespace}-${w.name}`;
    const template = {
      metadata: { labels: w.labels },
      spec: { containers: w.containers },
    };
    const pods = w.pods.map((p, i) => {
      const volume = `kube-api-access-${p.token}`;
      const mount = {
        name: volume,
        mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
        readOnly: true,
      };
      return {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `${w.name}-${i}`,
          namespace: w.namespace,
          labels: w.labels,
          annotations: {
            // Written on each pod by the CNI plugin: no rule reads them.
            'cni.projectcalico.org/podIP': `${p.podIP}/32`,
            'k8s.v1.cni.cncf.io/network-status': JSON.stringify([
              { name: 'pod-net', ips: [p.podIP] },
            ]),
            // Read by MR008 in ambient namespaces.
            ...(p.ambient ? { 'ambient.istio.io/redirection': p.ambient } : {}),
          },
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: 'Deployment', name: w.name, uid },
          ],
        },
        spec: {
          nodeName: p.node,
          volumes: [
            {
              name: volume,
              projected: {
                sources: [{ serviceAccountToken: { path: 'token' } }],
              },
            },
          ],
          ...(p.hostname ? { hostname: p.hostname } : {}),
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  {
                    matchFields: [
                      {
                        key: 'metadata.name',
                        operator: 'In',
                        values: [p.node],
                      },
                    ],
                  },
                ],
              },
            },
          },
          ...(p.runAsUser
            ? { securityContext: { runAsUser: p.runAsUser } }
            : {}),
          containers: [
            ...w.containers.map(c => ({ ...c, volumeMounts: [mount] })),
            ...(p.proxy
              ? [
                  {
                    name: 'istio-proxy',
                    image: 'proxyv2',
                    volumeMounts: [mount],
                  },
                ]
              : []),
          ],
        },
      } as KubeObject;
    });
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: w.name, namespace: w.namespace, uid },
      spec: { selector: { matchLabels: w.labels }, template },
    } as KubeObject;
    return [deployment, ...pods];
  });

/** The pods without what no rule may read (POD_SPEC_UNREAD, CONTAINER_UNREAD, isReadAnnotation). */
function withoutUnreadFields(objects: KubeObject[]): KubeObject[] {
  return objects.map(o => {
    if (o.kind !== 'Pod') return o;
    const annotations = Object.fromEntries(
      Object.entries(o.metadata?.annotations ?? {}).filter(([key]) =>
        isReadAnnotation(key),
      ),
    );
    const spec = { ...(o.spec as any) };
    for (const key of POD_SPEC_UNREAD) delete spec[key];
    for (const list of [
      'containers',
      'initContainers',
      'ephemeralContainers',
    ]) {
      if (!Array.isArray(spec[list])) continue;
      spec[list] = spec[list].map((c: any) => {
        const copy = { ...c };
        for (const key of CONTAINER_UNREAD) delete copy[key];
        return copy;
      });
    }
    return { ...o, metadata: { ...o.metadata, annotations }, spec };
  });
}

describe('engine properties', () => {
  it('never throws and gives every workload exactly one finding per rule', () => {
    fc.assert(
      fc.property(snapshotObjects, objects => {
        const report = run(objects);
        for (const w of report.workloads) {
          expect(w.findings.map(f => f.ruleId)).toEqual(
            RULE_DEFINITIONS.map(r => r.id),
          );
          expect(w.score).toBeGreaterThanOrEqual(0);
          expect(w.score).toBeLessThanOrEqual(100);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never shows a waived finding as pass, and keeps what it would have been', () => {
    fc.assert(
      fc.property(snapshotObjects, objects => {
        for (const w of run(objects).workloads) {
          for (const f of w.findings.filter(x => x.status === 'waived')) {
            expect(['fail', 'warn', 'unknown']).toContain(f.waivedStatus);
            expect(f.waiver?.reason).toBeTruthy();
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('changes no finding when a Service that selects nothing is added', () => {
    fc.assert(
      fc.property(
        snapshotObjects,
        fc.constantFrom(...NAMESPACES),
        (objects, namespace) => {
          const before = run(objects);
          const after = run([
            ...objects,
            {
              apiVersion: 'v1',
              kind: 'Service',
              metadata: { name: 'manual', namespace },
              spec: { ports: [{ name: 'tcp', port: 80 }] },
            },
            {
              apiVersion: 'v1',
              kind: 'Service',
              metadata: { name: 'nobody', namespace },
              spec: { selector: { app: 'nobody' }, ports: [{ port: 9 }] },
            },
          ]);
          expect(after).toEqual(before);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('does not depend on the order of the documents', () => {
    fc.assert(
      fc.property(
        snapshotObjects.chain(objects =>
          fc.tuple(
            fc.constant(objects),
            fc.shuffledSubarray(objects, { minLength: objects.length }),
          ),
        ),
        ([objects, shuffled]) => {
          expect(run(shuffled)).toEqual(run(objects));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never passes a rule that needs Services when Services could not be read', () => {
    fc.assert(
      fc.property(snapshotObjects, objects => {
        const report = evaluate({
          source: 'live',
          objects: objects.filter(o => o.kind !== 'Service'),
          unreadable: [{ kind: 'Service', reason: 'forbidden' }],
        });
        for (const w of report.workloads) {
          for (const f of w.findings.filter(x =>
            ['MR001', 'MR002', 'MR006', 'MR010'].includes(x.ruleId),
          )) {
            expect(f.status).not.toBe('pass');
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('gives no finding that depends on the pod fields left out when pods share their per-pod work', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(liveWorkload, {
          minLength: 1,
          maxLength: 4,
          selector: objects => keyOf(objects[0]),
        }),
        fc.uniqueArray(service, { maxLength: 4, selector: keyOf }),
        fc.tuple(
          ...NAMESPACES.map(() => fc.constantFrom('sidecar', 'ambient')),
        ),
        (workloads, services, modes) => {
          // Namespaces whose pods get a sidecar or are captured by ambient (MR008 reads both).
          const namespaces = NAMESPACES.map((name, i) => ({
            apiVersion: 'v1',
            kind: 'Namespace',
            metadata: {
              name,
              labels: (modes[i] === 'ambient'
                ? { 'istio.io/dataplane-mode': 'ambient' }
                : { 'istio-injection': 'enabled' }) as Record<string, string>,
            },
          }));
          const objects = [...namespaces, ...workloads.flat(), ...services];
          const live = (list: KubeObject[]) =>
            evaluate({ cluster: 'p', source: 'live', objects: list });
          expect(live(objects)).toEqual(live(withoutUnreadFields(objects)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('survives any value in any field the rules read', () => {
    fc.assert(
      fc.property(
        fc.anything(),
        fc.anything(),
        fc.anything(),
        (spec, labelsValue, ports) => {
          const report = evaluate({
            source: 'manifests',
            objects: [
              {
                kind: 'Deployment',
                metadata: { name: 'd', labels: labelsValue as any },
                spec: spec as any,
              },
              {
                kind: 'Deployment',
                metadata: { name: 'e' },
                spec: {
                  template: {
                    metadata: { labels: labelsValue as any },
                    spec: { containers: [{ name: 'c', ports: ports as any }] },
                  },
                },
              },
              {
                kind: 'Service',
                metadata: { name: 's' },
                spec: { selector: labelsValue as any, ports: ports as any },
              },
              {
                kind: 'Pod',
                metadata: { name: 'p', annotations: labelsValue as any },
                spec: { containers: ports as any, initContainers: spec as any },
              },
            ],
          });
          expect(report.workloads.map(w => w.name).sort()).toEqual([
            'd',
            'e',
            'p',
          ]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
