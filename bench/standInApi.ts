/*
 * A counting stand-in for the Kubernetes API on loopback, serving a
 * generated cluster page by page. Benchmarks count the calls a scan makes.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import type { KubeObject } from '@mesh-readiness/plugin-mesh-readiness-common';
import { KubernetesBackendClient } from '../plugins/mesh-readiness-backend/src/service/KubernetesBackendClient';
import { KubernetesClusterSource } from '../plugins/mesh-readiness-backend/src/service/KubernetesClusterSource';

const PATHS: Record<string, string> = {
  '/api/v1/namespaces': 'Namespace',
  '/api/v1/pods': 'Pod',
  '/api/v1/services': 'Service',
  '/apis/apps/v1/deployments': 'Deployment',
  '/apis/apps/v1/statefulsets': 'StatefulSet',
  '/apis/apps/v1/daemonsets': 'DaemonSet',
  '/apis/apps/v1/replicasets': 'ReplicaSet',
  '/apis/batch/v1/jobs': 'Job',
  '/apis/batch/v1/cronjobs': 'CronJob',
  '/apis/networking.k8s.io/v1/networkpolicies': 'NetworkPolicy',
  '/api/v1/nodes': 'Node',
};

/**
 * Where the stand-in answers as the Kubernetes backend would: `/proxy/...`
 * is the Kubernetes API of the one cluster it serves, as the plugin's proxy
 * passes it on.
 */
const PROXY = '/proxy';

export async function startStandInApi(objects: KubeObject[]) {
  const byKind = new Map<string, KubeObject[]>();
  for (const o of objects)
    byKind.set(o.kind!, [...(byKind.get(o.kind!) ?? []), o]);
  let calls = 0;
  const server = http.createServer((req, res) => {
    calls++;
    const url = new URL(req.url!, 'http://x');
    const apiPath = url.pathname.startsWith(PROXY)
      ? url.pathname.slice(PROXY.length)
      : url.pathname;
    const kind = PATHS[apiPath];
    const items = kind ? byKind.get(kind) ?? [] : [];
    const limit =
      Number(url.searchParams.get('limit') ?? items.length) || items.length;
    const start = Number(url.searchParams.get('continue') ?? 0);
    const next =
      start + limit < items.length ? String(start + limit) : undefined;
    res.writeHead(kind ? 200 : 404, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        kind: `${kind}List`,
        apiVersion: 'v1',
        metadata: next ? { continue: next } : {},
        items: items
          .slice(start, start + limit)
          .map(({ kind: _k, ...rest }) => rest),
      }),
    );
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls: () => calls,
    reset: () => {
      calls = 0;
    },
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

/** N components, each a Deployment with two live pods and a Service, in 20 namespaces. */
export function componentsCluster(n: number): KubeObject[] {
  const objects: KubeObject[] = [];
  for (let ns = 0; ns < 20; ns++) {
    objects.push({
      kind: 'Namespace',
      metadata: { name: `ns-${ns}`, labels: { 'istio-injection': 'enabled' } },
    });
  }
  for (let i = 0; i < n; i++) {
    const namespace = `ns-${i % 20}`;
    const id = `svc-${i}`;
    const labels = { app: id, version: 'v1', 'backstage.io/kubernetes-id': id };
    const spec = {
      containers: [
        {
          name: id,
          image: 'img',
          ports: [{ name: 'http', containerPort: 8080 }],
        },
      ],
    };
    objects.push({
      kind: 'Deployment',
      metadata: { name: id, namespace, uid: `d-${i}` },
      spec: {
        selector: { matchLabels: { app: id } },
        template: { metadata: { labels }, spec },
      },
    });
    objects.push({
      kind: 'ReplicaSet',
      metadata: {
        name: `${id}-rs`,
        namespace,
        uid: `rs-${i}`,
        ownerReferences: [{ kind: 'Deployment', name: id, uid: `d-${i}` }],
      },
      spec: { template: { metadata: { labels }, spec } },
    });
    for (let p = 0; p < 2; p++) {
      objects.push({
        kind: 'Pod',
        metadata: {
          name: `${id}-rs-${p}`,
          namespace,
          labels,
          ownerReferences: [
            { kind: 'ReplicaSet', name: `${id}-rs`, uid: `rs-${i}` },
          ],
        },
        spec: {
          ...spec,
          containers: [
            ...spec.containers,
            { name: 'istio-proxy', image: 'proxyv2' },
          ],
        },
      });
    }
    objects.push({
      kind: 'Service',
      metadata: { name: id, namespace },
      spec: {
        selector: { app: id },
        ports: [{ name: 'http', port: 80, targetPort: 'http' }],
      },
    });
  }
  return objects;
}

export function componentEntities(n: number, teams = 10) {
  return Array.from({ length: n }, (_, i) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: `svc-${i}`,
      namespace: 'default',
      annotations: { 'backstage.io/kubernetes-id': `svc-${i}` },
    },
    spec: { type: 'service', owner: `team-${i % teams}` },
    relations: [
      { type: 'ownedBy', targetRef: `group:default/team-${i % teams}` },
    ],
  }));
}

/**
 * The live source the plugin builds, reading the stand-in through the
 * Kubernetes backend client as it reads a real cluster through the
 * Kubernetes plugin's proxy.
 */
export function standInSource(api: { url: string }, name = 'bench') {
  const discovery = {
    getBaseUrl: async () => api.url,
    getExternalBaseUrl: async () => api.url,
  };
  const auth = {
    getOwnServiceCredentials: async () => ({
      $$type: '@backstage/BackstageCredentials',
      principal: { type: 'service', subject: 'bench' },
    }),
    getPluginRequestToken: async () => ({ token: 'bench' }),
  };
  return new KubernetesClusterSource({
    name,
    locator: 'config',
    authProvider: 'serviceAccount',
    client: new KubernetesBackendClient({ discovery, auth } as any),
  });
}
