/*
 * Owners' notices with two replicas of the app's real backend on one
 * PostgreSQL (`yarn test:reliability`): both scan on a schedule and both
 * are asked to scan at the same instant after a workload regressed; the
 * owner is told once. Skipped unless a control plane and a PostgreSQL
 * server are given (scripts/reliability.sh starts both).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Knex } from 'knex';
import { adminClient } from '../cluster/adminClient';
import {
  backendConfig,
  databaseOn,
  freePort,
  pluginDatabase,
  Replica,
  removeTempDir,
  tempDir,
  waitFor,
} from './harness';

const server = process.env.MR_KUBE_SERVER;
const postgres = process.env.MR_TEST_POSTGRES_URL;
const describeReliability =
  process.env.MR_RELIABILITY && server && postgres ? describe : describe.skip;
const NAMESPACE = 'mr-notify';
const ENTITY = 'component:default/notify-web';

/** The workload this suite owns on the shared API server; `uid` 1337 makes it regress (MR003). */
function workload(uid?: number) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'notify-web', namespace: NAMESPACE },
    spec: {
      selector: { matchLabels: { app: 'notify-web' } },
      template: {
        metadata: { labels: { app: 'notify-web', version: 'v1' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'shop/web:1.0',
              ports: [{ containerPort: 8080 }],
              ...(uid ? { securityContext: { runAsUser: uid } } : {}),
            },
          ],
        },
      },
    },
  };
}

describeReliability(
  'owners’ notices from two replicas on one PostgreSQL',
  () => {
    let dir: string;
    const prefix = `mr_notify_${process.pid}_`;
    let replicas: Replica[];
    let db: Knex;
    let notificationsDb: Knex;

    beforeAll(async () => {
      dir = tempDir();
      const client = adminClient();
      await client.create({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: NAMESPACE, labels: { 'istio-injection': 'enabled' } },
      } as any);
      await client.create({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'notify-web', namespace: NAMESPACE },
        spec: {
          selector: { app: 'notify-web' },
          ports: [{ name: 'http', port: 80, targetPort: 8080 }],
        },
      } as any);
      await client.create(workload() as any);
      const catalogFile = path.join(dir, 'catalog.yaml');
      fs.writeFileSync(
        catalogFile,
        [
          'apiVersion: backstage.io/v1alpha1',
          'kind: Component',
          'metadata:',
          '  name: notify-web',
          '  annotations:',
          '    backstage.io/kubernetes-label-selector: app=notify-web',
          'spec:',
          '  type: service',
          '  lifecycle: production',
          '  owner: team-platform',
        ].join('\n'),
      );
      replicas = [];
      for (const name of ['replica-a', 'replica-b']) {
        const port = await freePort();
        const config: any = backendConfig(port, postgres!, prefix, {
          kubernetes: {
            serviceLocatorMethod: { type: 'multiTenant' },
            clusterLocatorMethods: [
              {
                type: 'config',
                clusters: [
                  {
                    name: 'live',
                    url: server!,
                    authProvider: 'serviceAccount',
                    serviceAccountToken: process.env.MR_KUBE_ADMIN_TOKEN,
                    caData: process.env.MR_KUBE_CA_DATA,
                  },
                ],
              },
            ],
          },
          meshReadiness: {
            manifestSources: [],
            clusterTimeoutSeconds: 5,
            schedule: {
              frequency: { seconds: 4 },
              timeout: { seconds: 30 },
              initialDelay: { seconds: 1 },
            },
            notifications: { enabled: true },
          },
        });
        config.catalog.locations.push({ type: 'file', target: catalogFile });
        const file = path.join(dir, `${name}.json`);
        fs.writeFileSync(file, JSON.stringify(config));
        replicas.push(new Replica(name, port, file, dir));
      }
      for (const r of replicas) await r.start();
      db = pluginDatabase(postgres!, prefix);
      notificationsDb = databaseOn(postgres!, `${prefix}notifications`);
    }, 240_000);

    afterAll(async () => {
      await Promise.all((replicas ?? []).map(r => r.kill()));
      await db?.destroy();
      await notificationsDb?.destroy();
      await adminClient()
        .delete({
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: NAMESPACE },
        } as any)
        .catch(() => undefined);
      if (dir) removeTempDir(dir);
    }, 60_000);

    it('sends one notice for one regression, however many scans on however many replicas find it', async () => {
      const [a, b] = replicas;
      // A scheduled scan has seen the component ready: that is the state a regression is measured from.
      await waitFor('the component’s first state', 90, async () => {
        const row = await db('mesh_readiness_component_states')
          .where({ entity_ref: ENTITY })
          .first();
        return row?.ready ? row : undefined;
      });

      await adminClient().replace(workload(1337) as any);
      // Both replicas asked to scan at the same instant, twice, while the schedule scans too.
      for (let i = 0; i < 2; i++) {
        const answers = await Promise.all(
          [a, b].map(r =>
            r.get('/entities/component/default/notify-web/scan', 'POST'),
          ),
        );
        expect(answers.map(x => x.status)).toEqual([200, 200]);
      }
      const notices = await waitFor('the regression notice', 60, async () => {
        const rows = await notificationsDb('notification').where(
          'scope',
          'like',
          `regression:${ENTITY}:%`,
        );
        return rows.length ? rows : undefined;
      });
      // Let the schedule run a few more scans on either replica.
      const scansBefore = Number(
        (await db('mesh_readiness_scans').count({ n: '*' }))[0].n,
      );
      await waitFor('three more scans', 60, async () => {
        const n = Number(
          (
            await db('mesh_readiness_scans')
              .whereNotNull('finished_at')
              .count({ n: '*' })
          )[0].n,
        );
        return n >= scansBefore + 3 || undefined;
      });

      const after = await notificationsDb('notification').where(
        'scope',
        'like',
        `regression:${ENTITY}:%`,
      );
      expect(after.map(n => [n.user, n.title])).toEqual([
        ['user:default/ada', 'notify-web: mesh readiness regressed'],
      ]);
      expect(after[0].id).toBe(notices[0].id);
      // Sent once: a second send of the same scope would have updated it.
      expect(after[0].updated).toBeNull();
      expect(after[0].description).toContain(
        'MR003 No container runs as UID 1337 now fails',
      );
      expect(
        await db('mesh_readiness_notices').where(
          'notice_key',
          'like',
          `regression:${ENTITY}:%`,
        ),
      ).toHaveLength(1);
    }, 240_000);
  },
);
