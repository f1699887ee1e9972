/*
 * With a permission policy that denies everything, the portal's backend
 * (catalog, auth, permission and Mesh Readiness, as a process) has scanned
 * the demo cluster and knows every demo component, yet no endpoint shows
 * a signed-in user any of them. Run by `yarn test:reliability`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Knex } from 'knex';
import {
  backendConfig,
  freePort,
  pluginDatabase,
  Replica,
  repoPath,
  removeTempDir,
  tempDir,
  waitFor,
} from './harness';

const postgres = process.env.MR_TEST_POSTGRES_URL;
const describeReliability =
  process.env.MR_RELIABILITY && postgres ? describe : describe.skip;

const DEMO_COMPONENTS = [
  'storefront-web',
  'cart',
  'search',
  'recommendations',
  'ledger',
  'payment-gateway',
  'settlement',
  'log-agent',
  'metrics-gateway',
  'status-page',
];

describeReliability(
  'a backend whose permission policy denies everything',
  () => {
    // Made in beforeAll: a skipped suite must leave nothing behind.
    let dir: string;
    const prefix = `mr_deny_${process.pid}_`;
    let backend: Replica;
    let db: Knex;

    beforeAll(async () => {
      dir = tempDir();
      const port = await freePort();
      const config = backendConfig(port, postgres!, prefix, {
        meshReadiness: {
          manifestSources: [
            {
              name: 'demo-cluster',
              path: repoPath('examples/mesh-demo/cluster'),
            },
          ],
          schedule: {
            frequency: { seconds: 3 },
            timeout: { seconds: 30 },
            initialDelay: { seconds: 1 },
          },
        },
      });
      fs.writeFileSync(path.join(dir, 'deny-all.json'), JSON.stringify(config));
      backend = new Replica(
        'deny-all',
        port,
        path.join(dir, 'deny-all.json'),
        dir,
        'src/testing/denyAllBackend.ts',
      );
      await backend.start();
      db = pluginDatabase(postgres!, prefix);
    }, 180_000);

    afterAll(async () => {
      await backend?.kill();
      await db?.destroy();
      if (dir) removeTempDir(dir);
    }, 60_000);

    it('has scanned the demo and recorded every component, as the plugin’s own service', async () => {
      // History is written with the plugin's service credentials, which read the catalog in full.
      const recorded = await waitFor(
        'history of every demo component',
        120,
        async () => {
          const rows = await db('mesh_readiness_history').distinct(
            'entity_ref',
          );
          return rows.length === DEMO_COMPONENTS.length
            ? rows.map(r => r.entity_ref).sort()
            : undefined;
        },
      );
      expect(recorded).toEqual(
        DEMO_COMPONENTS.map(n => `component:default/${n}`).sort(),
      );
    }, 150_000);

    it('answers a user as if no entity existed: 404 for each, empty scorecards', async () => {
      const notFound = async (apiPath: string, name: string) => {
        const res = await backend.get(apiPath);
        // Nothing tells an entity that exists from one that does not.
        return {
          status: res.status,
          body: res.text.split(name).join('<name>'),
        };
      };
      const missing = await notFound(
        '/entities/component/default/no-such-component',
        'no-such-component',
      );
      expect(missing.status).toBe(404);
      for (const name of DEMO_COMPONENTS) {
        expect(
          await notFound(`/entities/component/default/${name}`, name),
        ).toEqual(missing);
        expect(
          await notFound(
            `/entities/component/default/${name}?refresh=true`,
            name,
          ),
        ).toMatchObject({ status: 404 });
      }
      const team = await backend.get('/groups/default/team-payments/scorecard');
      expect(team.status).toBe(404);
      const organisation = await backend.get('/scorecards');
      expect(organisation.status).toBe(200);
      const { teams, topFailingRules } = organisation.body;
      expect({ teams, topFailingRules }).toEqual({
        teams: [],
        topFailingRules: [],
      });
      // The cluster status names clusters and counts workloads, never an entity.
      const scans = await backend.get('/scans');
      expect(scans.body.clusters).toEqual([
        expect.objectContaining({
          cluster: 'demo-cluster',
          status: 'ok',
          workloads: 10,
        }),
      ]);
      for (const name of DEMO_COMPONENTS) {
        expect({
          name,
          inScans: scans.text.includes(name),
          inOrganisation: organisation.text.includes(name),
        }).toEqual({
          name,
          inScans: false,
          inOrganisation: false,
        });
      }
    }, 60_000);
  },
);
