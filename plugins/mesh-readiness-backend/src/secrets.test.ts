/*
 * A canary token configured for a live cluster must never appear in an
 * API response, a stored row or a log line, whatever happens to the scan.
 * A token written on a catalog cluster entity is never even used.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import knexFactory from 'knex';
import { mockServices } from '@backstage/backend-test-utils';
import { capturingLogger } from './cluster/__testUtils__/capturingLogger';
import { startMeshReadinessBackend } from './cluster/__testUtils__/meshReadinessBackend';

const CANARY = 'canary-7f3a9c1e-do-not-leak';
const CATALOG_CANARY = 'canary-c4ta1og-do-not-use';

/** A cluster entity pointing at `url`, with a token annotation as old Kubernetes plugins read it. */
const clusterEntity = (name: string, url: string, authProvider: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name,
    namespace: 'default',
    annotations: {
      'kubernetes.io/api-server': url,
      'kubernetes.io/api-server-certificate-authority': '',
      'kubernetes.io/auth-provider': authProvider,
      serviceAccountToken: CATALOG_CANARY,
    },
  },
  spec: { type: 'kubernetes-cluster', owner: 'team' },
});

it('never returns, stores or logs the cluster token', async () => {
  // A cluster that answers pods, refuses services (403) and fails namespaces (500).
  const seenTokens: string[] = [];
  const api = http.createServer((req, res) => {
    seenTokens.push(String(req.headers.authorization));
    const path = new URL(req.url!, 'http://x').pathname;
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path === '/api/v1/services')
      return send(403, {
        kind: 'Status',
        code: 403,
        message: `forbidden for token ${req.headers.authorization}`,
      });
    if (path.includes('podsecuritypolicies'))
      return send(404, { kind: 'Status', code: 404 });
    return send(200, { kind: 'List', metadata: {}, items: [] });
  });
  await new Promise<void>(r => api.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;

  const { lines: logs, factory: loggerFactory } = capturingLogger();

  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: ':memory:' },
    useNullAsDefault: true,
  });
  // The Kubernetes plugin reaches the clusters for us: its logs are searched too.
  const { get } = await startMeshReadinessBackend({
    services: [mockServices.database.factory({ knex }), loggerFactory],
    kubernetes: {
      clusterLocatorMethods: [
        {
          type: 'config',
          clusters: [
            {
              name: 'live',
              url,
              authProvider: 'serviceAccount',
              serviceAccountToken: CANARY,
              skipTLSVerify: true,
            },
            {
              name: 'down',
              url: 'http://127.0.0.1:9',
              authProvider: 'serviceAccount',
              serviceAccountToken: CANARY,
              skipTLSVerify: true,
            },
          ],
        },
        { type: 'catalog', dangerouslyAllowClusterUrls: ['127.0.0.1'] },
      ],
    },
    entities: [
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: 'web',
          namespace: 'default',
          annotations: { 'backstage.io/kubernetes-id': 'web' },
        },
        spec: { owner: 'team' },
        relations: [{ type: 'ownedBy', targetRef: 'group:default/team' }],
      },
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Group',
        metadata: { name: 'team', namespace: 'default' },
        spec: {},
      },
      clusterEntity('proxied', url, 'localKubectlProxy'),
      clusterEntity('with-token', url, 'serviceAccount'),
    ],
  });

  const responses = [
    await get('/entities/component/default/web?refresh=true'),
    await get('/groups/default/team/scorecard'),
    await get('/scorecards'),
    await get('/rules'),
  ];
  api.close();

  // The token did reach the cluster: the canary is real.
  expect(seenTokens).toContain(`Bearer ${CANARY}`);
  const entity = responses[0].body;
  expect(
    entity.clusters.map((c: any) => `${c.cluster}:${c.status}`).sort(),
  ).toEqual(['down:error', 'live:ok', 'proxied:ok']);
  // The catalog's token went nowhere: the proxied cluster was read without credentials, the other not at all.
  // (Backstage 1.55's Kubernetes backend passes the caller's Backstage token on to a
  // kubectl proxy; later ones send none. Neither is a cluster credential.)
  expect(
    seenTokens.some(
      t => t === 'undefined' || t.startsWith('Bearer mock-service-token:'),
    ),
  ).toBe(true);
  expect(seenTokens.join('\n')).not.toContain(CATALOG_CANARY);
  for (const res of responses)
    expect(JSON.stringify(res.body)).not.toContain(CANARY);
  for (const res of responses)
    expect(JSON.stringify(res.body)).not.toContain(CATALOG_CANARY);
  const rows = [
    ...(await knex('mesh_readiness_clusters').select()),
    ...(await knex('mesh_readiness_history').select()),
  ];
  expect(rows.length).toBeGreaterThan(0);
  expect(JSON.stringify(rows)).not.toContain(CANARY);
  expect(JSON.stringify(rows)).not.toContain(CATALOG_CANARY);
  await knex.destroy();
  expect(logs.length).toBeGreaterThan(0);
  expect(logs.join('\n')).not.toContain(CANARY);
  expect(logs.join('\n')).not.toContain(CATALOG_CANARY);
}, 60_000);
