/*
 * Clusters registered in the catalog, as the Kubernetes plugin's `catalog`
 * locator finds them, read by the backend with a stand-in API server on
 * loopback (a kubectl proxy: no credentials). A real API server behind a
 * proxy runs in src/cluster/catalogCluster.test.ts.
 */
import http from 'node:http';
import path from 'node:path';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { EntityReadinessResponse } from '@mesh-readiness/plugin-mesh-readiness-common';
import { meshReadinessPlugin } from '../plugin';
import { clusterUrlProblem } from './CatalogClusterLocator';

/** An API server that serves one Deployment, `web`, and records who asked. */
async function standIn() {
  const authorizations: Array<string | undefined> = [];
  const server = http.createServer((req, res) => {
    authorizations.push(req.headers.authorization);
    const list = new URL(req.url!, 'http://x').pathname;
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (list.includes('policy')) return send(404, { kind: 'Status', code: 404 });
    const items: any[] = [];
    if (list === '/api/v1/namespaces') items.push({ metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } });
    if (list === '/apis/apps/v1/deployments') {
      items.push({
        metadata: { name: 'web', namespace: 'shop' },
        spec: { template: { metadata: { labels: { 'backstage.io/kubernetes-id': 'web', app: 'web', version: 'v1' } }, spec: { containers: [{ name: 'web' }] } } },
      });
    }
    return send(200, { kind: 'List', metadata: {}, items });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, authorizations, close: () => server.close() };
}

const clusterEntity = (name: string, annotations: Record<string, string>, namespace = 'default'): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name, namespace, annotations },
  spec: { type: 'kubernetes-cluster', owner: 'platform' },
});
/** A kubectl proxy registered in the catalog, as the Kubernetes plugin reads it. */
const proxied = (name: string, url: string, namespace?: string) =>
  clusterEntity(
    name,
    {
      'kubernetes.io/api-server': url,
      'kubernetes.io/api-server-certificate-authority': '',
      'kubernetes.io/auth-provider': 'localKubectlProxy',
    },
    namespace,
  );
const web: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'web', namespace: 'default', annotations: { 'backstage.io/kubernetes-id': 'web' } },
  spec: { type: 'service', owner: 'shop-team' },
};

/**
 * The backend with a catalog locator that trusts 127.0.0.1, and a catalog
 * that shows cluster entities only to the plugin's own service credentials
 * (as a policy may): the scan must look them up as itself, not as a user.
 * `catalog.entities` can be changed while it runs.
 */
async function start(entities: Entity[], more: { manifestSources?: any[] } = {}) {
  const catalog = { entities, unavailable: false };
  const asked: string[] = [];
  const service = new Proxy({} as any, {
    get: (_, method) => typeof method !== 'string' || method === 'then' ? undefined : (...args: any[]) => {
      const credentials = args[args.length - 1]?.credentials;
      const asService = credentials?.principal?.type === 'service' && credentials.principal.subject === 'plugin:mesh-readiness';
      if (method === 'getEntities' && JSON.stringify(args[0]?.filter ?? {}).includes('kubernetes-cluster')) {
        asked.push(asService ? 'as the plugin' : 'as someone else');
        if (catalog.unavailable) return Promise.reject(new Error('catalog unavailable (503)'));
      }
      const visible = asService ? catalog.entities : catalog.entities.filter(e => e.kind !== 'Resource');
      return (catalogServiceMock({ entities: visible }) as any)[method](...args);
    },
  });
  const logs: string[] = [];
  const logger = mockServices.rootLogger.mock();
  const capture = (level: string) => (message: string) => logs.push(`${level} ${message}`);
  const child: any = { info: capture('info'), warn: capture('warn'), error: capture('error'), debug: capture('debug') };
  child.child = () => child;
  logger.child.mockImplementation(() => child);
  const { server } = await startTestBackend({
    features: [
      meshReadinessPlugin,
      logger.factory,
      createServiceFactory({ service: catalogServiceRef, deps: {}, factory: () => service }),
      mockServices.rootConfig.factory({
        data: {
          kubernetes: { clusterLocatorMethods: [{ type: 'catalog', dangerouslyAllowClusterUrls: ['127.0.0.1'] }] },
          meshReadiness: { clusterTimeoutSeconds: 5, manifestSources: more.manifestSources ?? [] },
        },
      }),
    ],
  });
  const get = (url: string) => request(server).get(`/api/mesh-readiness${url}`).set('Authorization', mockCredentials.user.header());
  const scannedClusters = async () =>
    ((await get('/scans')).body.clusters as any[]).map(c => `${c.cluster}:${c.status}:${c.workloads}`).sort();
  return { get, logs, asked, catalog, scannedClusters };
}

describe('clusters from the catalog', () => {
  it('reads a kubernetes-cluster Resource: its workloads show in the entity report and GET /scans', async () => {
    const api = await standIn();
    try {
      const { get, asked, scannedClusters } = await start([web, proxied('edge', api.url)]);
      const report = (await get('/entities/component/default/web?refresh=true')).body as EntityReadinessResponse;
      expect(report.workloads.map(w => `${w.cluster}/${w.namespace}/${w.name}`)).toEqual(['edge/shop/web']);
      expect(report.clusters).toEqual([expect.objectContaining({ cluster: 'edge', status: 'ok' })]);
      expect(await scannedClusters()).toEqual(['edge:ok:1']);
      // Looked up with the plugin's own credentials; a kubectl proxy gets no credentials.
      expect(new Set(asked)).toEqual(new Set(['as the plugin']));
      expect(api.authorizations.length).toBeGreaterThan(0);
      expect(api.authorizations.every(a => a === undefined)).toBe(true);
    } finally {
      api.close();
    }
  });

  it('skips an entity it cannot read with a warning naming it, and reads the others', async () => {
    const api = await standIn();
    try {
      const { get, logs, scannedClusters } = await start([
        web,
        clusterEntity('no-url', { 'kubernetes.io/auth-provider': 'localKubectlProxy', 'kubernetes.io/api-server-certificate-authority': '' }),
        proxied('edge', api.url),
        clusterEntity('with-token', {
          'kubernetes.io/api-server': api.url,
          'kubernetes.io/api-server-certificate-authority': '',
          'kubernetes.io/auth-provider': 'serviceAccount',
        }),
        proxied('metadata', 'http://169.254.169.254/latest'),
        proxied('private', 'https://10.1.2.3:6443'),
        clusterEntity('gke', {
          'kubernetes.io/api-server': 'https://203.0.113.10',
          'kubernetes.io/api-server-certificate-authority': '',
          'kubernetes.io/auth-provider': 'google',
        }),
      ]);
      const res = await get('/entities/component/default/web?refresh=true');
      expect(res.status).toBe(200);
      expect(res.body.workloads.map((w: any) => w.cluster)).toEqual(['edge']);
      expect(await scannedClusters()).toEqual(['edge:ok:1']);
      const warnings = logs.filter(l => l.startsWith('warn'));
      expect(warnings).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/catalog cluster resource:default\/no-url: it has no kubernetes.io\/api-server annotation/),
          expect.stringMatching(/catalog cluster resource:default\/with-token: the serviceAccount auth provider is not allowed/),
          expect.stringMatching(/catalog cluster resource:default\/metadata: its API server URL must use HTTPS/),
          expect.stringMatching(/catalog cluster resource:default\/private: its API server URL is a non-public address/),
          expect.stringMatching(/catalog cluster resource:default\/gke: auth provider "google" is not supported/),
        ]),
      );
      // The service account entity's URL was never called: only edge's reads reached the stand-in.
      expect(api.authorizations.every(a => a === undefined)).toBe(true);
    } finally {
      api.close();
    }
  });

  it('skips a catalog cluster whose name another source has, and scans the rest', async () => {
    const api = await standIn();
    try {
      const { get, logs, scannedClusters } = await start(
        [web, proxied('cluster-a', api.url), proxied('edge', api.url), proxied('edge', 'http://127.0.0.1:9', 'ops')],
        { manifestSources: [{ name: 'cluster-a', path: path.resolve(__dirname, '__fixtures__/cluster-a') }] },
      );
      const report = (await get('/entities/component/default/web?refresh=true')).body as EntityReadinessResponse;
      // cluster-a is the manifest folder (namespace shop, and a cart), not the stand-in.
      expect(await scannedClusters()).toEqual(['cluster-a:ok:2', 'edge:ok:1']);
      expect(report.workloads.map(w => w.cluster).sort()).toEqual(['cluster-a', 'edge']);
      expect(logs).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/catalog cluster resource:default\/cluster-a: another cluster source is already named "cluster-a"/),
          expect.stringMatching(/catalog cluster resource:ops\/edge: another cluster source is already named "edge"/),
        ]),
      );
    } finally {
      api.close();
    }
  });

  it('asks the catalog nothing to refresh an entity pinned to a configured cluster', async () => {
    const pinned: Entity = {
      ...web,
      metadata: { ...web.metadata, name: 'pinned', annotations: { ...web.metadata.annotations, 'backstage.io/kubernetes-cluster': 'cluster-a' } },
    };
    const { get, asked } = await start([web, pinned], {
      manifestSources: [{ name: 'cluster-a', path: path.resolve(__dirname, '__fixtures__/cluster-a') }],
    });
    expect((await get('/entities/component/default/pinned?refresh=true')).body.clusters).toEqual([
      expect.objectContaining({ cluster: 'cluster-a', status: 'ok' }),
    ]);
    expect(asked).toEqual([]);
    // An entity that names no cluster scans them all, the catalog's too.
    await get('/entities/component/default/web?refresh=true');
    expect(asked).toEqual(['as the plugin']);
  });

  it('reads a cluster added to the catalog at the next scan, without a restart', async () => {
    const api = await standIn();
    try {
      const { get, catalog, scannedClusters } = await start([web]);
      expect((await get('/entities/component/default/web?refresh=true')).body.workloads).toEqual([]);
      expect(await scannedClusters()).toEqual([]);
      catalog.entities = [web, proxied('late', api.url)];
      const report = (await get('/entities/component/default/web?refresh=true')).body as EntityReadinessResponse;
      expect(report.workloads.map(w => w.cluster)).toEqual(['late']);
      expect(await scannedClusters()).toEqual(['late:ok:1']);
    } finally {
      api.close();
    }
  });
});

describe('clusters that leave the catalog', () => {
  it('stop being served after the next full scan, but not while the catalog cannot be asked', async () => {
    const api = await standIn();
    try {
      const { get, catalog, scannedClusters, logs } = await start([web, proxied('edge', api.url)]);
      // The component names no cluster, so a refresh scans every cluster.
      const workloadsOfWeb = async () =>
        ((await get('/entities/component/default/web?refresh=true')).body as EntityReadinessResponse).workloads.map(
          w => `${w.cluster}/${w.name}`,
        );
      expect(await workloadsOfWeb()).toEqual(['edge/web']);

      // The catalog is down: its clusters cannot be told from removed ones, so they stay.
      catalog.unavailable = true;
      expect(await workloadsOfWeb()).toEqual(['edge/web']);
      expect(await scannedClusters()).toEqual(['edge:ok:1']);
      expect(logs).toContainEqual(expect.stringMatching(/^warn .*could not look up the catalog's clusters/));

      // The cluster's entity is deleted: its result is no longer shown as current.
      catalog.unavailable = false;
      catalog.entities = [web];
      expect(await workloadsOfWeb()).toEqual([]);
      expect(await scannedClusters()).toEqual([]);
      expect(logs).toContainEqual(expect.stringMatching(/^info .*edge no longer configured or in the catalog/));
    } finally {
      api.close();
    }
  });
});

describe('clusterUrlProblem', () => {
  it('lets the backend call public HTTPS API servers only, unless the host is allowed by name', async () => {
    expect(await clusterUrlProblem('https://203.0.113.1:6443', [])).toMatch(/non-public/); // documentation range
    expect(await clusterUrlProblem('https://8.8.8.8', [])).toBeUndefined();
    expect(await clusterUrlProblem('http://8.8.8.8', [])).toMatch(/must use HTTPS/);
    expect(await clusterUrlProblem('https://169.254.169.254', [])).toMatch(/non-public/);
    expect(await clusterUrlProblem('https://[::1]:6443', [])).toMatch(/non-public/);
    expect(await clusterUrlProblem('https://[::ffff:127.0.0.1]', [])).toMatch(/non-public/);
    expect(await clusterUrlProblem('https://[fd00::1]', [])).toMatch(/non-public/);
    expect(await clusterUrlProblem('https://localhost:6443', [])).toMatch(/localhost resolves to a non-public address/);
    expect(await clusterUrlProblem('https://user:pw@8.8.8.8', [])).toMatch(/credentials/);
    expect(await clusterUrlProblem('ftp://8.8.8.8', [])).toMatch(/http or https/);
    expect(await clusterUrlProblem('not a url', [])).toMatch(/not a valid URL/);
    // Allowed hosts may be private and plain HTTP.
    expect(await clusterUrlProblem('http://127.0.0.1:8001', ['127.0.0.1'])).toBeUndefined();
    expect(await clusterUrlProblem('http://k8s.corp.example', ['*.corp.example'])).toBeUndefined();
    expect(await clusterUrlProblem('http://corp.example', ['*.corp.example'])).toBeUndefined();
    expect(await clusterUrlProblem('http://evilcorp.example', ['*.corp.example'])).toMatch(/must use HTTPS/);
  });
});
