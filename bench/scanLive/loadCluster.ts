/*
 * Puts a generated cluster (bench/generateSnapshot.ts) into a real
 * kube-apiserver, as its controllers would have left it: no controller runs
 * there, so each Deployment, its ReplicaSet and its pods are created
 * directly, owners first so that owner references carry the server's uids,
 * and each status is written through the status subresource (a create
 * drops it). Requests run in parallel, bounded by the client's agent.
 *
 * Pod Security enforcement is labelled onto a namespace after its pods
 * exist (admission would refuse Istio's init container), which is how a
 * cluster that adopts it later looks too.
 */
import type { KubeObject } from '@mesh-readiness/plugin-mesh-readiness-common';
import type { KubeApi } from './kubeApi';

const ENFORCE = 'pod-security.kubernetes.io/enforce';

const collection: Record<string, string> = {
  Namespace: '/api/v1/namespaces',
  Pod: '/api/v1/namespaces/{ns}/pods',
  Service: '/api/v1/namespaces/{ns}/services',
  Deployment: '/apis/apps/v1/namespaces/{ns}/deployments',
  ReplicaSet: '/apis/apps/v1/namespaces/{ns}/replicasets',
  NetworkPolicy: '/apis/networking.k8s.io/v1/namespaces/{ns}/networkpolicies',
};

/** What the server sets itself and refuses or overwrites on create. */
function forCreate(obj: KubeObject): KubeObject {
  const { resourceVersion, uid, creationTimestamp, generation, ...metadata } =
    obj.metadata ?? {};
  const { status, ...rest } = obj;
  return { ...rest, metadata };
}

export interface LoadProgress {
  created: number;
  total: number;
}

export async function loadCluster(
  api: KubeApi,
  objects: KubeObject[],
  onProgress: (p: LoadProgress) => void,
): Promise<void> {
  const total = objects.length;
  let created = 0;
  const timer = setInterval(() => onProgress({ created, total }), 2000);
  const fail = (what: string, r: { status: number; body: any }) => {
    throw new Error(
      `${what}: ${r.status} ${
        r.body?.message ?? JSON.stringify(r.body)?.slice(0, 300)
      }`,
    );
  };

  /** Creates one object (and writes its status, when it has one); returns what the server stored. */
  const create = async (obj: KubeObject): Promise<KubeObject> => {
    const ns = obj.metadata?.namespace;
    const path = collection[obj.kind!].replace('{ns}', ns);
    let body = forCreate(obj);
    let r = await api.request('POST', path, body);
    if (
      r.status === 422 &&
      obj.kind === 'Service' &&
      /already allocated/.test(r.body?.message ?? '')
    ) {
      // A generated cluster IP that another Service drew already: let the server pick one.
      const { clusterIP, clusterIPs, ...spec } = body.spec;
      body = { ...body, spec };
      r = await api.request('POST', path, body);
    }
    if (r.status === 409) {
      // Left by a load that was stopped part way: take it as it is.
      const existing = await api.request(
        'GET',
        `${path}/${obj.metadata!.name}`,
      );
      if (existing.status !== 200)
        fail(`reading ${obj.kind} ${ns}/${obj.metadata?.name}`, existing);
      created++;
      return existing.body;
    }
    if (r.status !== 201)
      fail(`creating ${obj.kind} ${ns}/${obj.metadata?.name}`, r);
    let stored = r.body;
    if (
      obj.status &&
      (obj.kind === 'Pod' ||
        obj.kind === 'Deployment' ||
        obj.kind === 'ReplicaSet')
    ) {
      const s = await api.request(
        'PUT',
        `${path}/${obj.metadata!.name}/status`,
        { ...stored, status: obj.status },
      );
      if (s.status !== 200)
        fail(
          `writing the status of ${obj.kind} ${ns}/${obj.metadata?.name}`,
          s,
        );
      stored = s.body;
    }
    created++;
    return stored;
  };

  try {
    const namespaces = objects.filter(o => o.kind === 'Namespace');
    await Promise.all(
      namespaces.map(ns => {
        const { [ENFORCE]: _, ...labels } = ns.metadata?.labels ?? {};
        return create({ ...ns, metadata: { ...ns.metadata, labels } });
      }),
    );
    // One app at a time per task: Deployment, then its ReplicaSet, then its pods; Services and NetworkPolicies beside them.
    const byDeployment = new Map<
      string,
      { deployment: KubeObject; replicaSets: KubeObject[]; pods: KubeObject[] }
    >();
    const services: KubeObject[] = [];
    const rsOwner = new Map<string, string>();
    for (const o of objects) {
      const key = (name: string) => `${o.metadata?.namespace}/${name}`;
      if (o.kind === 'Deployment')
        byDeployment.set(key(o.metadata!.name), {
          deployment: o,
          replicaSets: [],
          pods: [],
        });
      else if (o.kind === 'ReplicaSet') {
        const owner = key(o.metadata!.ownerReferences[0].name);
        byDeployment.get(owner)!.replicaSets.push(o);
        rsOwner.set(key(o.metadata!.name), owner);
      } else if (o.kind === 'Pod')
        byDeployment
          .get(rsOwner.get(key(o.metadata!.ownerReferences[0].name))!)!
          .pods.push(o);
      else if (o.kind === 'Service' || o.kind === 'NetworkPolicy')
        services.push(o);
      else if (o.kind !== 'Namespace')
        throw new Error(`the loader does not create ${o.kind}`);
    }
    const ownedBy = (obj: KubeObject, owner: KubeObject): KubeObject => ({
      ...obj,
      metadata: {
        ...obj.metadata,
        ownerReferences: obj.metadata!.ownerReferences.map((ref: any) => ({
          ...ref,
          uid: owner.metadata!.uid,
        })),
      },
    });
    const apps = [...byDeployment.values()];
    const loadApp = async ({
      deployment,
      replicaSets,
      pods,
    }: (typeof apps)[number]) => {
      const d = await create(deployment);
      for (const rs of replicaSets) {
        const stored = await create(ownedBy(rs, d));
        await Promise.all(
          pods
            .filter(
              p => p.metadata!.ownerReferences[0].name === rs.metadata!.name,
            )
            .map(p => create(ownedBy(p, stored))),
        );
      }
    };
    // Enough apps at once to keep every socket busy; the agent bounds what is in flight.
    let next = 0;
    const worker = async () => {
      while (next < apps.length) await loadApp(apps[next++]);
    };
    let nextService = 0;
    const serviceWorker = async () => {
      while (nextService < services.length)
        await create(services[nextService++]);
    };
    await Promise.all([
      ...Array.from({ length: 24 }, worker),
      ...Array.from({ length: 8 }, serviceWorker),
    ]);
    await Promise.all(
      namespaces
        .filter(ns => ns.metadata?.labels?.[ENFORCE])
        .map(async ns => {
          const r = await api.request(
            'PATCH',
            `/api/v1/namespaces/${ns.metadata!.name}`,
            {
              metadata: { labels: { [ENFORCE]: ns.metadata!.labels[ENFORCE] } },
            },
            'application/merge-patch+json',
          );
          if (r.status !== 200)
            fail(`labelling namespace ${ns.metadata!.name}`, r);
        }),
    );
  } finally {
    clearInterval(timer);
  }
  onProgress({ created, total });
}
