/*
 * A canary token configured for a live cluster must never appear in an
 * API response, a stored row or a log line, whatever happens to the scan.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import knexFactory from 'knex';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { meshReadinessPlugin } from './plugin';

const CANARY = 'canary-7f3a9c1e-do-not-leak';

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
    if (path === '/api/v1/services') return send(403, { kind: 'Status', code: 403, message: `forbidden for token ${req.headers.authorization}` });
    if (path.includes('podsecuritypolicies')) return send(404, { kind: 'Status', code: 404 });
    return send(200, { kind: 'List', metadata: {}, items: [] });
  });
  await new Promise<void>(r => api.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;

  const logs: string[] = [];
  const logger = mockServices.rootLogger.mock();
  const capture = (level: string) => (message: string, meta?: unknown) => logs.push(`${level} ${message} ${JSON.stringify(meta ?? {})}`);
  const child: any = { info: capture('info'), warn: capture('warn'), error: capture('error'), debug: capture('debug') };
  child.child = () => child;
  logger.child.mockImplementation(() => child);
  for (const level of ['info', 'warn', 'error', 'debug'] as const) (logger[level] as jest.Mock).mockImplementation(capture(level));

  const knex = knexFactory({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
  const { server } = await startTestBackend({
    features: [
      meshReadinessPlugin,
      mockServices.database.factory({ knex }),
      logger.factory,
      mockServices.rootConfig.factory({
        data: {
          kubernetes: {
            clusterLocatorMethods: [
              { type: 'config', clusters: [
                { name: 'live', url, authProvider: 'serviceAccount', serviceAccountToken: CANARY, skipTLSVerify: true },
                { name: 'down', url: 'http://127.0.0.1:9', authProvider: 'serviceAccount', serviceAccountToken: CANARY, skipTLSVerify: true },
              ] },
            ],
          },
        },
      }),
      catalogServiceMock.factory({
        entities: [
          { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'web', namespace: 'default', annotations: { 'backstage.io/kubernetes-id': 'web' } }, spec: { owner: 'team' }, relations: [{ type: 'ownedBy', targetRef: 'group:default/team' }] },
          { apiVersion: 'backstage.io/v1alpha1', kind: 'Group', metadata: { name: 'team', namespace: 'default' }, spec: {} },
        ],
      }),
    ],
  });
  const get = (path: string) => request(server).get(`/api/mesh-readiness${path}`).set('Authorization', mockCredentials.user.header());

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
  expect(entity.clusters.map((c: any) => `${c.cluster}:${c.status}`).sort()).toEqual(['down:error', 'live:ok']);
  for (const res of responses) expect(JSON.stringify(res.body)).not.toContain(CANARY);
  const rows = [
    ...(await knex('mesh_readiness_clusters').select()),
    ...(await knex('mesh_readiness_history').select()),
  ];
  expect(rows.length).toBeGreaterThan(0);
  expect(JSON.stringify(rows)).not.toContain(CANARY);
  await knex.destroy();
  expect(logs.length).toBeGreaterThan(0);
  expect(logs.join('\n')).not.toContain(CANARY);
});
