/*
 * Owners' notices through the real notifications backend: the backend
 * resolves the owning group to its members and keeps the notices, and a
 * member reads them from its API as the notifications page does.
 */
import request from 'supertest';
import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Entity } from '@backstage/catalog-model';
import { meshReadinessClusterSourcesExtensionPoint } from '@mesh-readiness/plugin-mesh-readiness-node';
import {
  dayAfter,
  KubeObject,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import notificationsPlugin from '@backstage/plugin-notifications-backend';
import { meshReadinessPlugin } from '../../plugin';
import { inMemoryDatabaseFactory } from '../__testUtils__/inMemoryDatabase';

/** What the test cluster holds: the test changes it between scans. */
const cluster: { runAsUser?: number } = {};

function objects(): KubeObject[] {
  const deployment = (name: string, extra: Record<string, unknown> = {}) => ({
    kind: 'Deployment',
    metadata: { name, namespace: 'shop' },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, version: 'v1' } },
        spec: {
          containers: [{ name, ports: [{ containerPort: 8080 }], ...extra }],
        },
      },
    },
  });
  const service = (name: string, portName?: string) => ({
    kind: 'Service',
    metadata: { name, namespace: 'shop' },
    spec: {
      selector: { app: name },
      ports: [
        { ...(portName ? { name: portName } : {}), port: 80, targetPort: 8080 },
      ],
    },
  });
  return [
    {
      kind: 'Namespace',
      metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } },
    },
    deployment(
      'web',
      cluster.runAsUser
        ? { securityContext: { runAsUser: cluster.runAsUser } }
        : {},
    ),
    service('web', 'http'),
    deployment('billing'),
    service('billing'),
  ];
}

const testCluster = createBackendModule({
  pluginId: 'mesh-readiness',
  moduleId: 'notifier-test-cluster',
  register(env) {
    env.registerInit({
      deps: { sources: meshReadinessClusterSourcesExtensionPoint },
      async init({ sources }) {
        sources.addClusterSource({
          name: 'prod',
          readSnapshot: async () => ({ source: 'live', objects: objects() }),
        });
      },
    });
  },
});

const expiresSoon = dayAfter(new Date(), 3);
const ownedBy = [{ type: 'ownedBy', targetRef: 'group:default/shop-team' }];
const ENTITIES: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'shop-team', namespace: 'default' },
    spec: { type: 'team', children: [] },
    relations: [{ type: 'hasMember', targetRef: 'user:default/alice' }],
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'alice', namespace: 'default' },
    spec: {},
    relations: [{ type: 'memberOf', targetRef: 'group:default/shop-team' }],
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'web',
      namespace: 'default',
      annotations: { 'backstage.io/kubernetes-label-selector': 'app=web' },
    },
    spec: { type: 'service', owner: 'shop-team' },
    relations: ownedBy,
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'billing',
      namespace: 'default',
      annotations: {
        'backstage.io/kubernetes-label-selector': 'app=billing',
        'mesh-readiness.io/waive': 'MR006',
        'mesh-readiness.io/waive-reason':
          'the gateway sniffs this port until it moves',
        'mesh-readiness.io/waive-until': expiresSoon,
      },
    },
    spec: { type: 'service', owner: 'shop-team' },
    relations: ownedBy,
  },
];

async function start() {
  const { server } = await startTestBackend({
    features: [
      inMemoryDatabaseFactory,
      meshReadinessPlugin,
      testCluster,
      notificationsPlugin,
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          meshReadiness: { notifications: { enabled: true } },
        },
      }),
      catalogServiceMock.factory({ entities: ENTITIES }),
    ],
  });
  const scan = (name: string) =>
    request(server)
      .post(`/api/mesh-readiness/entities/component/default/${name}/scan`)
      .set('Authorization', mockCredentials.user.header());
  const alicesNotifications = async () => {
    const res = await request(server)
      .get('/api/notifications/notifications')
      .set('Authorization', mockCredentials.user.header('user:default/alice'));
    expect(res.status).toBe(200);
    return res.body.notifications as Array<{
      payload: { title: string; description?: string; link?: string };
    }>;
  };
  return { scan, alicesNotifications };
}

describe('owners are told, through the notifications backend', () => {
  beforeEach(() => {
    delete cluster.runAsUser;
  });

  it('tells the owning team once when a component regresses, with what changed and a link to the tab', async () => {
    const { scan, alicesNotifications } = await start();
    expect((await scan('web')).status).toBe(200);
    const regressions = async () =>
      (await alicesNotifications())
        .filter(n => n.payload.title.includes('regressed'))
        .map(n => n.payload);
    expect(await regressions()).toEqual([]);

    cluster.runAsUser = 1337;
    await scan('web');
    const told = await regressions();
    expect(told).toEqual([
      expect.objectContaining({
        title: 'web: mesh readiness regressed',
        description: expect.stringMatching(
          /^It is no longer ready for the mesh\. MR003 No container runs as UID 1337 now fails \(Deployment shop\/web\)\./,
        ),
        link: '/catalog/default/component/web/mesh-readiness',
        severity: 'high',
        topic: 'mesh-readiness',
        scope: expect.stringMatching(
          /^regression:component:default\/web:v\d+$/,
        ),
      }),
    ]);

    // Later scans of the same state tell nobody again.
    await scan('web');
    await scan('web');
    expect(await regressions()).toHaveLength(1);
  });

  it('tells the owners once that a waiver runs out within a week', async () => {
    const { scan, alicesNotifications } = await start();
    await scan('billing');
    await scan('billing');
    const notices = (await alicesNotifications()).filter(n =>
      n.payload.title.includes('waiver'),
    );
    expect(notices.map(n => n.payload)).toEqual([
      expect.objectContaining({
        title: `billing: the waiver of MR006 runs out on ${expiresSoon}`,
        description: expect.stringContaining(
          'It was waived because: the gateway sniffs this port until it moves.',
        ),
        link: '/catalog/default/component/billing/mesh-readiness',
      }),
    ]);
  });
});
