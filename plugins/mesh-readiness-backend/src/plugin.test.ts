import path from 'node:path';
import request from 'supertest';
import {
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Entity } from '@backstage/catalog-model';
import {
  meshReadinessClusterSourcesExtensionPoint,
  MeshReadinessRule,
  meshReadinessRulesExtensionPoint,
} from '@mesh-readiness/plugin-mesh-readiness-node';
import {
  EntityReadinessResponse,
  fail,
  pass,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import { meshReadinessPlugin } from './plugin';
import { inMemoryDatabaseFactory } from './service/__testUtils__/inMemoryDatabase';

const FIXTURES = path.resolve(__dirname, 'service/__fixtures__');

const component = (
  name: string,
  owner: string,
  annotations: Record<string, string> = {},
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations },
  spec: { type: 'service', owner },
  relations: [{ type: 'ownedBy', targetRef: `group:default/${owner}` }],
});
const group = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [] },
});

const ENTITIES = [
  group('shop-team'),
  component('web', 'shop-team', { 'backstage.io/kubernetes-id': 'web' }),
  component('cart', 'shop-team', {
    'backstage.io/kubernetes-label-selector': 'app=cart',
  }),
  component('cart-waived', 'shop-team', {
    'backstage.io/kubernetes-label-selector': 'app=cart',
    'mesh-readiness.io/waive': 'MR003',
    'mesh-readiness.io/waive-reason': 'image fixed next sprint',
  }),
  component('legacy', 'shop-team'),
];

/** What the `changes` source reads: the test edits it between scans. */
const changing: {
  labels: Record<string, string>;
  reads: number;
  delayMs: number;
} = { labels: {}, reads: 0, delayMs: 0 };

/** A cluster source a module adds: hangs forever, answers 403 on Services, or reads `changing`. */
const extraSources = (
  sources: Array<'hangs' | 'forbids-services' | 'changes'>,
) =>
  createBackendModule({
    pluginId: 'mesh-readiness',
    moduleId: 'test-sources',
    register(env) {
      env.registerInit({
        deps: { sources: meshReadinessClusterSourcesExtensionPoint },
        async init({ sources: ep }) {
          for (const kind of sources) {
            if (kind === 'changes') {
              ep.addClusterSource({
                name: kind,
                readSnapshot: async () => {
                  changing.reads++;
                  await new Promise(r => setTimeout(r, changing.delayMs));
                  return {
                    source: 'live' as const,
                    objects: [
                      {
                        kind: 'Namespace',
                        metadata: {
                          name: 'shop',
                          labels: { 'istio-injection': 'enabled' },
                        },
                      },
                      {
                        kind: 'Deployment',
                        metadata: { name: 'web', namespace: 'shop' },
                        spec: {
                          template: {
                            metadata: {
                              labels: {
                                'backstage.io/kubernetes-id': 'web',
                                ...changing.labels,
                              },
                            },
                            spec: { containers: [{ name: 'web' }] },
                          },
                        },
                      },
                    ],
                  };
                },
              });
              continue;
            }
            ep.addClusterSource({
              name: kind,
              readSnapshot: () =>
                kind === 'hangs'
                  ? new Promise(() => {})
                  : Promise.resolve({
                      source: 'live' as const,
                      objects: [
                        {
                          kind: 'Namespace',
                          metadata: {
                            name: 'shop',
                            labels: { 'istio-injection': 'enabled' },
                          },
                        },
                        {
                          kind: 'Deployment',
                          metadata: { name: 'web', namespace: 'shop' },
                          spec: {
                            template: {
                              metadata: {
                                labels: {
                                  'backstage.io/kubernetes-id': 'web',
                                  app: 'web',
                                  version: 'v1',
                                },
                              },
                              spec: { containers: [{ name: 'web' }] },
                            },
                          },
                        },
                      ],
                      unreadable: [
                        {
                          kind: 'Service',
                          reason:
                            'services is forbidden: User "system:serviceaccount:backstage:reader" cannot list resource "services" (403)',
                        },
                      ],
                    }),
            });
          }
        },
      });
    },
  });

/** An adopter's rule: every pod template needs a `team` label. */
const teamLabel: MeshReadinessRule = {
  id: 'ACME001',
  slug: 'team-label',
  title: 'Pods carry a team label',
  severity: 'error',
  rationale: 'Our on-call routing reads it.',
  remediation: 'Add a `team` label to the pod template.',
  docsUrl: 'https://wiki.example.com/team-label',
  onboardingOrder: 50,
  check: ({ workload }) =>
    workload.template.labels.team
      ? pass('It has one.')
      : fail('The pods have no team label.'),
};

const customRules = (rules: MeshReadinessRule[]) =>
  createBackendModule({
    pluginId: 'mesh-readiness',
    moduleId: 'acme-rules',
    register(env) {
      env.registerInit({
        deps: { ep: meshReadinessRulesExtensionPoint },
        async init({ ep }) {
          ep.addRules(...rules);
        },
      });
    },
  });

/**
 * The catalog as the permission framework makes it: the plugin's own service
 * credentials (the scans) read every entity, a user only those not hidden.
 */
function catalogHidingFromUsers(entities: Entity[], hidden: string[]) {
  const full = catalogServiceMock({ entities });
  // What a user may see is decided when they ask: a test may hide more as it goes.
  const asCaller = (args: any[]) => {
    const options = args[args.length - 1];
    return options?.credentials?.principal?.type === 'user'
      ? catalogServiceMock({
          entities: entities.filter(e => !hidden.includes(e.metadata.name)),
        })
      : full;
  };
  const catalog = new Proxy(full, {
    get: (target: any, method: string) =>
      typeof target[method] === 'function'
        ? (...args: any[]) => (asCaller(args) as any)[method](...args)
        : target[method],
  });
  return createServiceFactory({
    service: catalogServiceRef,
    deps: {},
    factory: () => catalog,
  });
}

async function startWith(
  options: {
    entities?: Entity[];
    hiddenFromUser?: string[];
    sources?: Array<'hangs' | 'forbids-services' | 'changes'>;
    manifestSources?: any[];
    rules?: MeshReadinessRule[];
    features?: any[];
  } = {},
) {
  const actions = actionsRegistryServiceMock();
  const { server } = await startTestBackend({
    features: [
      inMemoryDatabaseFactory,
      createServiceFactory({
        service: actionsRegistryServiceRef,
        deps: {},
        factory: () => actions,
      }),
      meshReadinessPlugin,
      extraSources(options.sources ?? []),
      customRules(options.rules ?? []),
      ...(options.features ?? []),
      mockServices.rootConfig.factory({
        data: {
          meshReadiness: {
            clusterTimeoutSeconds: 1,
            manifestSources: options.manifestSources ?? [
              { name: 'cluster-a', path: path.join(FIXTURES, 'cluster-a') },
              { name: 'cluster-b', path: path.join(FIXTURES, 'cluster-b') },
              { name: 'gone', path: path.join(FIXTURES, 'does-not-exist') },
            ],
          },
        },
      }),
      catalogHidingFromUsers(
        options.entities ?? ENTITIES,
        options.hiddenFromUser ?? [],
      ),
    ],
  });
  const get = (url: string) =>
    request(server)
      .get(`/api/mesh-readiness${url}`)
      .set('Authorization', mockCredentials.user.header());
  return { server, get, actions };
}

describe('the mesh-readiness backend', () => {
  it('serves the rule catalogue', async () => {
    const { get } = await startWith();
    const res = await get('/rules');
    expect(res.status).toBe(200);
    expect(res.body.rules.map((r: any) => r.id)).toEqual([
      'MR001',
      'MR002',
      'MR003',
      'MR004',
      'MR005',
      'MR006',
      'MR007',
      'MR008',
      'MR009',
      'MR010',
      'MR011',
      'MR012',
      'MR013',
      'MR014',
      'MR015',
      'MR016',
    ]);
  });

  it('serves an entity’s workloads from every cluster, and reports the cluster that failed beside them', async () => {
    const { get } = await startWith();
    const res = await get('/entities/component/default/web?refresh=true');
    expect(res.status).toBe(200);
    const body: EntityReadinessResponse = res.body;
    expect(body.mapped).toBe(true);
    expect(
      body.workloads.map(w => `${w.cluster}/${w.namespace}/${w.name}`).sort(),
    ).toEqual(['cluster-a/shop/web', 'cluster-b/staging/web']);
    expect(body.clusters.find(c => c.cluster === 'gone')).toMatchObject({
      status: 'error',
      error: expect.stringContaining('cannot read manifest folder'),
      workloads: [],
    });
    // The broken document in cluster-b is reported, its other documents served.
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { cluster: 'gone', message: expect.stringContaining('ENOENT') },
        {
          cluster: 'cluster-b',
          message: expect.stringContaining('other.yaml'),
        },
      ]),
    );
    expect(body.summary).toMatchObject({ workloads: 2, readyWorkloads: 2 });
  });

  it('maps by label selector and applies the entity’s waivers', async () => {
    const { get } = await startWith();
    await get('/entities/component/default/cart?refresh=true');
    const cart = (await get('/entities/component/default/cart'))
      .body as EntityReadinessResponse;
    const waived = (await get('/entities/component/default/cart-waived'))
      .body as EntityReadinessResponse;
    const mr003 = (r: EntityReadinessResponse) =>
      r.workloads[0].findings.find(f => f.ruleId === 'MR003')!;
    expect(cart.workloads.map(w => w.name)).toEqual(['cart']);
    expect(mr003(cart).status).toBe('fail');
    expect(cart.summary.readyWorkloads).toBe(0);
    expect(mr003(waived)).toMatchObject({
      status: 'waived',
      waivedStatus: 'fail',
      waiver: { reason: 'image fixed next sprint' },
    });
    expect(waived.summary.readyWorkloads).toBe(1);
  });

  it('tells how to map a component with no annotation', async () => {
    const { get } = await startWith();
    const body = (await get('/entities/component/default/legacy')).body;
    expect(body).toMatchObject({
      mapped: false,
      suggestedAnnotations: { 'backstage.io/kubernetes-id': 'legacy' },
      workloads: [],
    });
  });

  it('finishes a scan when a cluster hangs past the timeout, serving the others', async () => {
    const { get } = await startWith({ sources: ['hangs'] });
    const started = Date.now();
    const body = (await get('/entities/component/default/web?refresh=true'))
      .body as EntityReadinessResponse;
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(body.clusters.find(c => c.cluster === 'hangs')).toMatchObject({
      status: 'error',
      error: 'timed out after 1 s',
    });
    expect(body.workloads.length).toBe(2);
  });

  it('schedules a read task for each cluster beside the period’s task, and a cluster’s task reads that cluster', async () => {
    // Backstage's test scheduler, kept at hand: a task runs when triggered.
    const scheduler = mockServices.scheduler() as ReturnType<
      typeof mockServices.scheduler
    > & {
      factory(options?: {
        skipTaskRunOnStartup?: boolean;
      }): ReturnType<typeof mockServices.scheduler.factory>;
    };
    const { get } = await startWith({
      features: [scheduler.factory({ skipTaskRunOnStartup: true })],
    });
    expect((await scheduler.getScheduledTasks()).map(t => t.id).sort()).toEqual(
      [
        'mesh-readiness-scan',
        'mesh-readiness-scan:cluster-a',
        'mesh-readiness-scan:cluster-b',
        'mesh-readiness-scan:gone',
      ],
    );
    await scheduler.triggerTask('mesh-readiness-scan:cluster-b');
    const res = await get('/scans');
    expect(res.body.scans).toEqual([
      expect.objectContaining({
        trigger: 'schedule',
        state: 'finished',
        planned: ['cluster-b'],
        clusters: [{ cluster: 'cluster-b', ok: true }],
      }),
    ]);
    expect(res.body.clusters.map((c: any) => c.cluster)).toEqual(['cluster-b']);
  });

  it('records each scan with the replica that ran it, and each cluster’s latest attempt', async () => {
    const { get } = await startWith({ sources: ['hangs'] });
    await get('/entities/component/default/web?refresh=true');
    const res = await get('/scans?limit=5');
    expect(res.status).toBe(200);
    const [scan] = res.body.scans;
    expect(scan).toMatchObject({
      trigger: 'refresh',
      state: 'finished',
      runner: expect.stringContaining(`:${process.pid}`),
    });
    expect(Date.parse(scan.finishedAt)).toBeGreaterThanOrEqual(
      Date.parse(scan.startedAt),
    );
    expect(scan.clusters).toEqual(
      expect.arrayContaining([
        { cluster: 'cluster-a', ok: true },
        { cluster: 'hangs', ok: false, error: 'timed out after 1 s' },
      ]),
    );
    expect(
      res.body.clusters.find((c: any) => c.cluster === 'cluster-a'),
    ).toMatchObject({ status: 'ok', workloads: 2 });
    expect(
      res.body.clusters.find((c: any) => c.cluster === 'hangs'),
    ).toMatchObject({ status: 'error', workloads: 0 });
    expect((await get('/scans?limit=0')).status).toBe(400);
  });

  it('turns a 403 on one kind into unknown findings, never pass, and says why', async () => {
    const { get } = await startWith({
      sources: ['forbids-services'],
      manifestSources: [],
    });
    const body = (await get('/entities/component/default/web?refresh=true'))
      .body as EntityReadinessResponse;
    const [web] = body.workloads;
    expect(web.findings.find(f => f.ruleId === 'MR001')).toMatchObject({
      status: 'unknown',
      message: expect.stringContaining('403'),
    });
    expect(web.findings.find(f => f.ruleId === 'MR003')!.status).toBe('pass');
    expect(web.ready).toBe(false);
    expect(body.errors).toEqual([
      { cluster: 'forbids-services', message: expect.stringContaining('403') },
    ]);
  });

  it('serves the team scorecard with levels, failing rules and a trend', async () => {
    const { get } = await startWith();
    await get('/entities/component/default/web?refresh=true');
    const res = await get('/groups/default/shop-team/scorecard');
    expect(res.status).toBe(200);
    expect(res.body.components.map((c: any) => c.name).sort()).toEqual([
      'cart',
      'cart-waived',
      'legacy',
      'web',
    ]);
    expect(res.body.levelDistribution.notMapped).toBe(1);
    expect(res.body.topFailingRules[0]).toMatchObject({
      ruleId: 'MR003',
      workloads: 1,
    });
    const org = await get('/scorecards');
    expect(org.body.teams).toEqual([
      expect.objectContaining({
        groupRef: 'group:default/shop-team',
        components: 4,
        mappedComponents: 3,
      }),
    ]);
  });

  it('shows a new scan’s results in the scorecards, not the previous ones', async () => {
    const { get } = await startWith({
      sources: ['changes'],
      manifestSources: [],
    });
    const webScore = async () =>
      (await get('/groups/default/shop-team/scorecard')).body.components.find(
        (c: any) => c.name === 'web',
      );
    changing.labels = {};
    const before = (await get('/entities/component/default/web?refresh=true'))
      .body as EntityReadinessResponse;
    expect(await webScore()).toMatchObject({
      score: before.summary.score,
      level: before.summary.level,
    });
    changing.labels = { app: 'web', version: 'v1' };
    const after = (await get('/entities/component/default/web?refresh=true'))
      .body as EntityReadinessResponse;
    expect(after.summary.score).not.toBe(before.summary.score);
    expect(await webScore()).toMatchObject({
      score: after.summary.score,
      level: after.summary.level,
    });
    const org = (await get('/scorecards')).body;
    expect(org.teams[0].averageScore).toBe(Math.round(after.summary.score / 3));
  });

  it('scans on demand only when the permission policy allows it for that entity', async () => {
    const asked: any[] = [];
    const permissions = mockServices.permissions.mock({
      authorize: async (requests: any[]) => {
        asked.push(...requests);
        return requests.map(() => ({ result: AuthorizeResult.DENY }));
      },
    });
    const { get } = await startWith({ features: [permissions.factory] });
    const denied = await get('/entities/component/default/web?refresh=true');
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toContain(
      'You may not scan component:default/web now',
    );
    // The policy is told which entity, so it can allow its owners only.
    expect(asked).toEqual([
      {
        permission: expect.objectContaining({
          name: 'mesh-readiness.entity.refresh',
          resourceType: 'catalog-entity',
        }),
        resourceRef: 'component:default/web',
      },
    ]);
    // Reading what is stored needs no more than reading the entity.
    expect((await get('/entities/component/default/web')).status).toBe(200);
  });

  it('reads a cluster once for refreshes asked at the same time', async () => {
    const { get } = await startWith({
      sources: ['changes'],
      manifestSources: [],
    });
    Object.assign(changing, { labels: {}, reads: 0, delayMs: 300 });
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        get('/entities/component/default/web?refresh=true'),
      ),
    );
    expect(answers.map(a => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.every(a => a.body.workloads.length === 1)).toBe(true);
    expect(changing.reads).toBe(1);
    // Once that read is done, the next refresh reads again.
    await get('/entities/component/default/web?refresh=true');
    expect(changing.reads).toBe(2);
    changing.delayMs = 0;
  });

  it('runs the rules a module adds beside the built-in ones, everywhere findings show', async () => {
    const { get } = await startWith({ rules: [teamLabel] });
    expect(
      (await get('/rules')).body.rules.map((r: any) => r.id).slice(-2),
    ).toEqual(['MR016', 'ACME001']);
    const web = (await get('/entities/component/default/web?refresh=true'))
      .body as EntityReadinessResponse;
    expect(
      web.workloads[0].findings.find(f => f.ruleId === 'ACME001'),
    ).toMatchObject({
      status: 'fail',
      title: 'Pods carry a team label',
      docsUrl: 'https://wiki.example.com/team-label',
    });
    // An error rule that fails makes the workload not ready.
    expect(web.summary.readyWorkloads).toBe(0);
    const team = (await get('/groups/default/shop-team/scorecard')).body;
    // web in two clusters, and cart as seen by both components that map to it.
    expect(team.topFailingRules[0]).toEqual({
      ruleId: 'ACME001',
      title: 'Pods carry a team label',
      severity: 'error',
      workloads: 4,
    });
  });

  it('refuses to start with a custom rule that takes a built-in id', async () => {
    await expect(
      startWith({ rules: [{ ...teamLabel, id: 'MR001' }] }),
    ).rejects.toThrow(
      'Custom mesh-readiness rule "MR001": ids MR<number> belong to the built-in catalogue',
    );
  });

  it('says so when an entity is pinned to a cluster no source reads, naming the ones read', async () => {
    const pinned = component('pinned', 'shop-team', {
      'backstage.io/kubernetes-id': 'web',
      'backstage.io/kubernetes-cluster': 'prod-eu',
    });
    const { get } = await startWith({ entities: [...ENTITIES, pinned] });
    await get('/entities/component/default/web?refresh=true'); // every cluster read once
    const body: EntityReadinessResponse = (
      await get('/entities/component/default/pinned?refresh=true')
    ).body;
    expect(body.workloads).toEqual([]);
    expect(body.errors).toContainEqual({
      cluster: 'prod-eu',
      message: expect.stringMatching(
        /^No cluster named "prod-eu" has been read: .*read so far: cluster-a, cluster-b, gone\)/,
      ),
    });
    // An entity pinned to a cluster that is read gets no such error.
    const web = component('web-a', 'shop-team', {
      'backstage.io/kubernetes-id': 'web',
      'backstage.io/kubernetes-cluster': 'cluster-a',
    });
    const started = await startWith({ entities: [...ENTITIES, web] });
    const a: EntityReadinessResponse = (
      await started.get('/entities/component/default/web-a?refresh=true')
    ).body;
    expect(a.workloads.map(w => w.cluster)).toEqual(['cluster-a']);
    expect(a.errors.filter(e => e.cluster === 'cluster-a')).toEqual([]);
  });

  it('shows nothing of an entity the catalog does not let the caller read', async () => {
    const { get } = await startWith({ entities: [] });
    expect(
      (await get('/entities/component/default/web?refresh=true')).status,
    ).toBe(404);
    expect((await get('/groups/default/shop-team/scorecard')).status).toBe(404);
    expect((await get('/scorecards')).body.teams).toEqual([]);
  });

  it('hides a scanned entity from a caller the catalog denies it to, everywhere', async () => {
    const { get } = await startWith({ hiddenFromUser: ['web'] });
    expect(
      (await get('/entities/component/default/cart?refresh=true')).status,
    ).toBe(200);
    expect((await get('/entities/component/default/web')).status).toBe(404);
    expect(
      (await get('/entities/component/default/web?refresh=true')).status,
    ).toBe(404);
    const team = await get('/groups/default/shop-team/scorecard');
    expect(team.body.components.map((c: any) => c.name).sort()).toEqual([
      'cart',
      'cart-waived',
      'legacy',
    ]);
    expect((await get('/scorecards')).body.teams).toEqual([
      expect.objectContaining({ components: 3 }),
    ]);
  });

  it('answers a browser that has the report already with 304, until a scan changes it or the catalog hides the entity', async () => {
    const hiddenFromUser: string[] = [];
    const { get } = await startWith({ hiddenFromUser });
    await get('/entities/component/default/cart?refresh=true');
    const first = await get('/entities/component/default/cart');
    expect(first.status).toBe(200);
    expect(first.headers['cache-control']).toBe('private, no-cache');
    const etag = first.headers.etag;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await get('/entities/component/default/cart').set(
      'If-None-Match',
      etag,
    );
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    // Another entity's report has its own tag.
    expect(
      (await get('/entities/component/default/web')).headers.etag,
    ).not.toBe(etag);
    // A scan stores a new result: the report changes, and so does its tag.
    await get('/entities/component/default/cart?refresh=true');
    const rescanned = await get('/entities/component/default/cart').set(
      'If-None-Match',
      etag,
    );
    expect(rescanned.status).toBe(200);
    expect(rescanned.body.entityRef).toBe('component:default/cart');
    expect(rescanned.headers.etag).not.toBe(etag);
    // The moment the catalog hides the entity from the caller, their tag gets them nothing.
    hiddenFromUser.push('cart');
    expect(
      (
        await get('/entities/component/default/cart').set(
          'If-None-Match',
          rescanned.headers.etag,
        )
      ).status,
    ).toBe(404);
  });

  it('serves an entity’s readiness as an action for the MCP endpoint', async () => {
    const { get, actions } = await startWith();
    await get('/entities/component/default/cart?refresh=true');
    const { output } = (await actions.invoke({
      id: 'test:get-mesh-readiness',
      input: { entityRef: 'component:default/cart' },
    })) as { output: any };
    expect(output).toMatchObject({
      entityRef: 'component:default/cart',
      mapped: true,
      levelName: 'Not compatible',
      readyWorkloads: 0,
    });
    expect(output.issues).toEqual([
      expect.objectContaining({
        ruleId: 'MR003',
        status: 'fail',
        docsUrl: expect.stringContaining('istio.io'),
      }),
    ]);
    // What could not be read is said, so that few issues never reads as the whole story.
    expect(output.caveats).toEqual([
      expect.stringMatching(/^cluster gone: cannot read manifest folder/),
      expect.stringMatching(/^cluster cluster-b: .*other\.yaml:24/),
    ]);
    await expect(
      actions.invoke({
        id: 'test:get-mesh-readiness',
        input: { entityRef: 'component:default/none' },
      }),
    ).rejects.toThrow('No entity component:default/none');
  });

  it('serves its OpenAPI spec and validates requests against it', async () => {
    const { get } = await startWith();
    const spec = await get('/openapi.json');
    expect(spec.status).toBe(200);
    expect(Object.keys(spec.body.paths)).toEqual([
      '/api/mesh-readiness/rules',
      '/api/mesh-readiness/entities/{kind}/{namespace}/{name}',
      '/api/mesh-readiness/entities/{kind}/{namespace}/{name}/scan',
      '/api/mesh-readiness/groups/{namespace}/{name}/scorecard',
      '/api/mesh-readiness/scans',
      '/api/mesh-readiness/scorecards',
    ]);
    // Reading an entity and scanning it answer the same report, modes included.
    const answer = (route: string, method: string) =>
      spec.body.paths[`/api/mesh-readiness${route}`][method].responses['200']
        .content['application/json'].schema;
    const read = answer('/entities/{kind}/{namespace}/{name}', 'get');
    expect(answer('/entities/{kind}/{namespace}/{name}/scan', 'post')).toEqual(
      read,
    );
    expect(read.properties.workloads.items.properties.modes.required).toEqual([
      'sidecar',
      'ambient',
    ]);
    const res = await get('/groups/default/-bad/scorecard');
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(/pattern|must match/i);
  });

  it('rejects bad input and unauthenticated callers', async () => {
    const { get, server } = await startWith();
    expect(
      (await get('/entities/component/default/web?refresh=yes')).status,
    ).toBe(400);
    expect((await get('/entities/component/default/we%20b')).status).toBe(400);
    expect(
      (
        await request(server)
          .get('/api/mesh-readiness/scorecards')
          .set('Authorization', mockCredentials.none.header())
      ).status,
    ).toBe(401);
  });
});
