/*
 * Target profile detection on a real kube-apiserver (yarn test:cluster):
 * istiod, ztunnel and istio-cni-node objects and Nodes are created as an
 * Istio install and kubelets would, read back through the live source, and
 * removed again so the other suites see a cluster without Istio (the suites
 * run one at a time: see test:cluster in the root package.json).
 */
import { adminClient } from './adminClient';
import { startLiveClusters, testCluster } from './__testUtils__/liveClusters';

const server = process.env.MR_KUBE_SERVER;
const NS = 'tp-istio-system';

const daemonSet = (name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name, namespace: NS },
  spec: {
    selector: { matchLabels: { k8s: name } },
    template: {
      metadata: { labels: { k8s: name } },
      spec: { containers: [{ name, image: `docker.io/istio/${name}:1.28.2` }] },
    },
  },
});
const istiod = (env: Array<{ name: string; value: string }>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'istiod',
    namespace: NS,
    labels: { app: 'istiod', 'istio.io/rev': 'default' },
  },
  spec: {
    selector: { matchLabels: { app: 'istiod' } },
    template: {
      metadata: { labels: { app: 'istiod' } },
      spec: {
        containers: [
          {
            name: 'discovery',
            image: 'docker.io/istio/pilot:1.28.2-distroless',
            env,
          },
        ],
      },
    },
  },
});
const node = (name: string, kubeletVersion: string) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  status: { nodeInfo: { kubeletVersion } },
});

let clusters: Awaited<ReturnType<typeof startLiveClusters>>;
/** The cluster's environment as read through the Kubernetes plugin with one identity of the test API server. */
const read = async (token: string) =>
  (
    await clusters
      .source(
        token === process.env.MR_KUBE_RESTRICTED_TOKEN ? 'restricted' : 'admin',
      )
      .readSnapshot()
  ).environment;

(server ? describe : describe.skip)(
  'target profile detection on a real API server',
  () => {
    beforeAll(async () => {
      clusters = await startLiveClusters([
        testCluster('admin', process.env.MR_KUBE_ADMIN_TOKEN!),
        testCluster('restricted', process.env.MR_KUBE_RESTRICTED_TOKEN!),
      ]);
    });
    afterAll(() => clusters?.stop());
    it('reads Istio’s version, CNI, ambient and native sidecars from what the cluster runs; unknown stays unknown', async () => {
      const client = adminClient();
      const created: any[] = [];
      const create = async (o: any) => {
        await client.create(o);
        created.push(o);
      };
      try {
        // Nothing installed: no version, no CNI, no ztunnel; native sidecars unknown.
        const bare = await read(process.env.MR_KUBE_ADMIN_TOKEN!);
        expect(bare).toMatchObject({ istioCni: false, ambient: false });
        expect(bare?.istioVersion).toBeUndefined();
        expect(bare?.nativeSidecars).toBeUndefined();

        await create({
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: NS },
        });
        await create(istiod([]));
        await create(daemonSet('ztunnel'));
        await create(daemonSet('istio-cni-node'));
        await create(node('tp-node-a', 'v1.33.4'));
        await create(node('tp-node-b', 'v1.34.1'));

        // 1.28 defaults ENABLE_NATIVE_SIDECARS to auto, and every kubelet is 1.33 or newer.
        expect(await read(process.env.MR_KUBE_ADMIN_TOKEN!)).toMatchObject({
          istioVersion: '1.28.2',
          istioCni: true,
          ambient: true,
          nativeSidecars: true,
        });

        // One older kubelet turns auto off (the API server keeps a new Node's status as given).
        await client.delete(node('tp-node-b', 'v1.34.1') as any);
        await create(node('tp-node-b', 'v1.32.9'));
        expect(
          (await read(process.env.MR_KUBE_ADMIN_TOKEN!))?.nativeSidecars,
        ).toBe(false);

        // An identity that may not list Nodes (nor DaemonSets) cannot tell: unknown, not false.
        const restricted = await read(process.env.MR_KUBE_RESTRICTED_TOKEN!);
        expect(restricted?.istioVersion).toBe('1.28.2');
        expect(restricted?.nativeSidecars).toBeUndefined();
        expect(restricted?.ambient).toBeUndefined();
      } finally {
        for (const o of created.reverse()) {
          if (o.kind !== 'Namespace')
            await client.delete(o).catch(() => undefined);
        }
      }
    }, 60_000);
  },
);
