/*
 * The live source against a stand-in Kubernetes API server on loopback:
 * the cheapest faithful way to test pagination, a 403 on one kind and an
 * unreachable cluster. (A real API server runs in the cluster suite.)
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { KubernetesClusterSource, LOCAL_KUBECTL_PROXY_URL, PAGE_SIZE } from './KubernetesClusterSource';

const PODS = Array.from({ length: 1203 }, (_, i) => ({
  metadata: { name: `web-${i}`, namespace: 'shop', labels: { app: 'web' } },
  spec: { containers: [{ name: 'web' }] },
}));

/** With `psp`, the stand-in is a pre-1.25 cluster: the "web" account may use "istio", nobody else anything. */
function standIn(options: { psp?: boolean } = {}) {
  const requests: string[] = [];
  const reviews: any[] = [];
  const server = http.createServer(async (req, res) => {
    requests.push(req.url!);
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const url = new URL(req.url!, 'http://x');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== 'Bearer s3cret-token') return send(401, { kind: 'Status', code: 401 });
    if (url.pathname === '/apis/policy/v1beta1') {
      if (!options.psp) return send(404, { kind: 'Status', code: 404, reason: 'NotFound' });
      return send(200, { kind: 'APIResourceList', groupVersion: 'policy/v1beta1', resources: [{ name: 'podsecuritypolicies', namespaced: false, kind: 'PodSecurityPolicy', verbs: ['list'] }] });
    }
    if (url.pathname === '/apis/policy/v1beta1/podsecuritypolicies') {
      if (!options.psp) return send(403, { kind: 'Status', code: 403, reason: 'Forbidden' });
      return send(200, { kind: 'PodSecurityPolicyList', metadata: {}, items: [
        { metadata: { name: 'istio' }, spec: { allowedCapabilities: ['NET_ADMIN', 'NET_RAW'] } },
        { metadata: { name: 'restricted' }, spec: { allowedCapabilities: [] } },
      ] });
    }
    if (url.pathname === '/apis/authorization.k8s.io/v1/subjectaccessreviews') {
      const review = JSON.parse(raw);
      reviews.push(review.spec);
      const allowed = review.spec.user === 'system:serviceaccount:shop:web' && review.spec.resourceAttributes.name === 'istio';
      return send(201, { ...review, status: { allowed } });
    }
    if (url.pathname === '/apis/apps/v1/daemonsets') {
      return send(403, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403, message: 'daemonsets.apps is forbidden' });
    }
    if (url.pathname === '/api/v1/pods') {
      const limit = Number(url.searchParams.get('limit'));
      const start = Number(url.searchParams.get('continue') ?? 0);
      const items = PODS.slice(start, start + limit);
      const next = start + limit < PODS.length ? String(start + limit) : undefined;
      return send(200, { kind: 'PodList', apiVersion: 'v1', metadata: next ? { continue: next } : {}, items });
    }
    if (url.pathname === '/api/v1/namespaces') {
      return send(200, { kind: 'NamespaceList', apiVersion: 'v1', metadata: {}, items: [{ metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } }] });
    }
    const list = url.pathname.split('/').pop();
    return send(200, { kind: 'List', apiVersion: 'v1', metadata: {}, items: list === 'deployments' ? [
      { metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { serviceAccountName: 'web', containers: [{ name: 'web' }] } } } },
      { metadata: { name: 'api', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api' }] } } } },
      { metadata: { name: 'api-v2', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'api2' } }, template: { metadata: { labels: { app: 'api2' } }, spec: { containers: [{ name: 'api' }] } } } },
    ] : [] });
  });
  return new Promise<{ url: string; requests: string[]; reviews: any[]; close: () => void }>(resolve =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests,
        reviews,
        close: () => server.close(),
      }),
    ),
  );
}

describe('KubernetesClusterSource', () => {
  it('lists every kind cluster-wide, page by page, and never a Secret', async () => {
    const api = await standIn();
    try {
      const source = new KubernetesClusterSource({ name: 'prod', url: api.url, token: 's3cret-token', skipTLSVerify: true });
      const snapshot = await source.readSnapshot();
      expect(snapshot.objects.filter(o => o.kind === 'Pod')).toHaveLength(1203);
      expect(snapshot.objects.find(o => o.kind === 'Deployment')?.metadata?.name).toBe('web');
      const podCalls = api.requests.filter(r => r.startsWith('/api/v1/pods'));
      expect(podCalls).toHaveLength(Math.ceil(1203 / PAGE_SIZE));
      expect(podCalls.every(r => r.includes(`limit=${PAGE_SIZE}`))).toBe(true);
      // One list per kind (plus continuations and the policy API check): never one call per workload.
      expect(api.requests.length).toBe(10 + podCalls.length - 1);
      expect(snapshot.environment?.podSecurityPolicyApi).toBe(false);
      expect(api.requests.some(r => r.includes('secrets'))).toBe(false);
    } finally {
      api.close();
    }
  });

  it('asks, as each service account, which pod security policies it may use', async () => {
    const api = await standIn({ psp: true });
    try {
      const snapshot = await new KubernetesClusterSource({ name: 'old', url: api.url, token: 's3cret-token', skipTLSVerify: true }).readSnapshot();
      expect(snapshot.environment?.podSecurityPolicyApi).toBe(true);
      expect(snapshot.environment?.pspUse).toHaveLength(2);
      expect(snapshot.environment?.pspUse).toEqual(
        expect.arrayContaining([
          { namespace: 'shop', serviceAccount: 'web', policies: ['istio'] },
          { namespace: 'shop', serviceAccount: 'default', policies: [] },
        ]),
      );
      // Two accounts times two policies: per account, not per workload (1,206 workloads).
      expect(api.reviews).toHaveLength(4);
      expect(api.reviews.find(r => r.user.endsWith(':web') && r.resourceAttributes.name === 'istio')).toMatchObject({
        user: 'system:serviceaccount:shop:web',
        resourceAttributes: { verb: 'use', group: 'policy', resource: 'podsecuritypolicies', name: 'istio' },
      });
      // The engine then decides MR004 from these answers.
      const { evaluate } = require('@mesh-readiness/plugin-mesh-readiness-common');
      const mr004 = Object.fromEntries(
        evaluate(snapshot).workloads.filter((w: any) => w.kind === 'Deployment').map((w: any) => [w.name, w.findings.find((f: any) => f.ruleId === 'MR004').status]),
      );
      expect(mr004).toEqual({ web: 'pass', api: 'fail', 'api-v2': 'fail' });
    } finally {
      api.close();
    }
  });

  it('turns a 403 on one kind into an unreadable kind and keeps the rest', async () => {
    const api = await standIn();
    try {
      const snapshot = await new KubernetesClusterSource({ name: 'prod', url: api.url, token: 's3cret-token', skipTLSVerify: true }).readSnapshot();
      expect(snapshot.unreadable).toEqual([{ kind: 'DaemonSet', reason: expect.stringContaining('403') }]);
      // Without DaemonSets the CNI plugin cannot be seen: unknown, not "absent".
      expect(snapshot.environment?.istioCni).toBeUndefined();
      expect(snapshot.objects.some(o => o.kind === 'Namespace')).toBe(true);
    } finally {
      api.close();
    }
  });

  it('fails the whole cluster when it cannot be reached or refuses the token, naming no secret', async () => {
    const api = await standIn();
    try {
      const wrongToken = new KubernetesClusterSource({ name: 'prod', url: api.url, token: 'wrong', skipTLSVerify: true });
      await expect(wrongToken.readSnapshot()).rejects.toMatchObject({ code: 401 });
    } finally {
      api.close();
    }
    const down = new KubernetesClusterSource({ name: 'gone', url: 'http://127.0.0.1:9', token: 's3cret-token', skipTLSVerify: true });
    const error = await down.readSnapshot().then(() => undefined, e => e);
    expect(error).toBeDefined();
    expect(String(error?.message)).not.toContain('s3cret-token');
  });

  it('reads the clusters of the Kubernetes plugin’s config locator and skips what it cannot use', () => {
    const { ConfigReader } = require('@backstage/config');
    const config = new ConfigReader({
      kubernetes: {
        clusterLocatorMethods: [
          { type: 'config', clusters: [
            { name: 'prod', url: 'https://prod.example:6443', authProvider: 'serviceAccount', serviceAccountToken: 't' },
            { name: 'gke', url: 'https://gke.example', authProvider: 'google' },
          ] },
          { type: 'gke', projectId: 'p' },
          { type: 'localKubectlProxy' },
          { type: 'catalog', dangerouslyAllowClusterUrls: ['127.0.0.1'] },
        ],
      },
    });
    const { sources, skipped, catalogLocators } = KubernetesClusterSource.fromKubernetesConfig(config);
    // The kubectl proxy is the cluster "local", as the Kubernetes plugin names it.
    expect(sources.map(s => s.name)).toEqual(['prod', 'local']);
    expect(skipped).toEqual([
      expect.stringContaining('auth provider "google"'),
      expect.stringContaining('cluster locator "gke"'),
    ]);
    // The catalog's clusters are looked up when a scan starts, with this entry's options.
    expect(catalogLocators.map(c => c.getStringArray('dangerouslyAllowClusterUrls'))).toEqual([['127.0.0.1']]);
  });

  it('reads the kubectl proxy of the localKubectlProxy locator without credentials', async () => {
    // A stand-in for `kubectl proxy` where it listens by default: it adds the credentials itself.
    const seen: Array<string | undefined> = [];
    const proxy = http.createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'application/json' });
      const path = new URL(req.url!, 'http://x').pathname;
      res.end(JSON.stringify(path.includes('policy') ? { kind: 'Status', code: 404 } : { kind: 'List', metadata: {}, items: path === '/api/v1/namespaces' ? [{ metadata: { name: 'dev' } }] : [] }));
    });
    const { hostname, port } = new URL(LOCAL_KUBECTL_PROXY_URL);
    const listening = await new Promise<boolean>(resolve => {
      proxy.once('error', () => resolve(false));
      proxy.listen(Number(port), hostname, () => resolve(true));
    });
    if (!listening) {
      // A real kubectl proxy (or something else) holds the port: do not read it.
      console.warn(`${LOCAL_KUBECTL_PROXY_URL} is taken; the kubectl proxy read was not tested`);
      return;
    }
    try {
      const { ConfigReader } = require('@backstage/config');
      const { sources } = KubernetesClusterSource.fromKubernetesConfig(
        new ConfigReader({ kubernetes: { clusterLocatorMethods: [{ type: 'localKubectlProxy' }] } }),
      );
      const snapshot = await sources[0].readSnapshot();
      expect(snapshot.objects.filter(o => o.kind === 'Namespace').map(o => o.metadata?.name)).toEqual(['dev']);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every(a => a === undefined)).toBe(true);
    } finally {
      proxy.close();
    }
  });
});
