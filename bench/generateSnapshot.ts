/*
 * Realistic, seeded snapshots for benchmarks: namespaces with injection and
 * Pod Security labels, Deployments with ReplicaSets and live pods, and
 * Services whose selectors overlap (a per-app Service, a per-version one,
 * and a few team-wide ones that select many apps).
 * Scale 1 = 10,000 pods, 2,000 Services, 100 namespaces.
 */
import type { ClusterSnapshot, KubeObject } from '@mesh-readiness/plugin-mesh-readiness-common';

/** mulberry32: a tiny seeded PRNG, so every run builds the same snapshot. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateSnapshot(scale: number, seed = 42): ClusterSnapshot {
  const rand = random(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const objects: KubeObject[] = [];
  const namespaces = 100 * scale;
  const appsPerNamespace = 10; // 1,000 apps at scale 1
  const podsPerApp = 10; // 10,000 pods
  for (let n = 0; n < namespaces; n++) {
    const ns = `team-${n}`;
    objects.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: ns,
        labels: {
          ...(rand() < 0.7 ? { 'istio-injection': 'enabled' } : {}),
          ...(rand() < 0.2 ? { 'pod-security.kubernetes.io/enforce': pick(['baseline', 'restricted', 'privileged']) } : {}),
        },
      },
    });
    for (let a = 0; a < appsPerNamespace; a++) {
      const app = `app-${a}`;
      const version = `v${1 + Math.floor(rand() * 3)}`;
      const port = pick([8080, 8080, 9090, 3000, 15020]);
      const labels = { app, version, team: `t${n % 7}` };
      const template = {
        metadata: { labels },
        spec: {
          securityContext: { runAsUser: rand() < 0.02 ? 1337 : 1000 },
          containers: [
            {
              name: app,
              image: `registry.local/${ns}/${app}:${version}`,
              ports: [{ name: 'http', containerPort: port }],
              readinessProbe: { httpGet: { path: '/ready', port: 'http' } },
            },
          ],
        },
      };
      const uid = `${ns}-${app}`;
      objects.push({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: app, namespace: ns, uid },
        spec: { selector: { matchLabels: { app } }, template },
      });
      objects.push({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: `${app}-rs`, namespace: ns, uid: `${uid}-rs`, ownerReferences: [{ kind: 'Deployment', name: app, uid }] },
        spec: { selector: { matchLabels: { app } }, template },
      });
      for (let p = 0; p < podsPerApp; p++) {
        objects.push({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: `${app}-rs-${p}`,
            namespace: ns,
            labels,
            ownerReferences: [{ kind: 'ReplicaSet', name: `${app}-rs`, uid: `${uid}-rs` }],
          },
          spec: {
            ...template.spec,
            containers: [...template.spec.containers, { name: 'istio-proxy', image: 'istio/proxyv2' }],
          },
        });
      }
      // Two Services per app: 2,000 at scale 1. The second overlaps the first
      // (same pods, by version), with a random protocol, so MR002 has work.
      objects.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: app, namespace: ns },
        spec: { selector: { app }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
      });
      objects.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `${app}-${version}`, namespace: ns },
        spec: {
          ...(rand() < 0.1 ? { clusterIP: 'None' } : {}),
          selector: { app, version },
          ports: [{ name: pick(['http-direct', 'tcp-direct', 'direct']), port, targetPort: port }],
        },
      });
    }
  }
  return { cluster: `bench-${scale}x`, source: 'live', objects };
}
