/*
 * Indexes over one snapshot, built once per evaluation so that rules never
 * compare every pod with every Service.
 */
import { ClusterSnapshot, KubeObject, UnreadableKind } from '../types';
import { asLabels, Labels } from './labels';
import { compareStrings, isRecord, nameOf, namespaceOf } from './objects';
import { findWorkloads, PodView, Workload } from './workloads';

/**
 * Sorts Services by name, stably, in place: an insertion sort for the few
 * that select one pod (the order a stable sort gives is the only one), as
 * sort() copies its array even for two.
 */
function sortByName(services: KubeObject[]) {
  if (services.length > 16) {
    services.sort((a, b) => compareStrings(nameOf(a), nameOf(b)));
    return;
  }
  for (let i = 1; i < services.length; i++) {
    const service = services[i];
    const name = nameOf(service);
    let j = i - 1;
    while (j >= 0 && compareStrings(nameOf(services[j]), name) > 0) {
      services[j + 1] = services[j];
      j--;
    }
    services[j + 1] = service;
  }
}

/**
 * What the rules know of one namespace.
 *
 * @public
 */
export interface NamespaceInfo {
  name: string;
  labels: Labels;
  annotations?: Labels;
}

/** @public */
export class SnapshotIndex {
  readonly workloads: Workload[];
  /** Namespace objects by name: absent means its labels are unknown. */
  private readonly namespaces = new Map<string, NamespaceInfo>();
  /** Services by namespace, then by one `key=value` of their selector. */
  private readonly servicesBySelectorPair = new Map<
    string,
    Map<
      string,
      Array<{ service: KubeObject; selector: Array<[string, string]> }>
    >
  >();
  /** Per-pod answers several rules ask for: computed once per evaluation. */
  private readonly selectingCache = new Map<PodView, KubeObject[]>();
  private readonly podCache = new Map<string, Map<PodView, unknown>>();
  private readonly policies = new Map<string, KubeObject>();
  private readonly networkPoliciesByNamespace = new Map<string, KubeObject[]>();

  constructor(readonly snapshot: ClusterSnapshot) {
    const objects = Array.isArray(snapshot.objects)
      ? snapshot.objects.filter(isRecord)
      : [];
    // An indexed loop: it runs once per evaluation over every object, and
    // before it is optimised a for-of allocates a result object per item.
    for (let i = 0; i < objects.length; i++) {
      const obj = objects[i] as KubeObject;
      switch (obj.kind) {
        case 'Namespace':
          if (nameOf(obj)) {
            this.namespaces.set(nameOf(obj), {
              name: nameOf(obj),
              labels: asLabels(obj.metadata?.labels),
              annotations: asLabels(obj.metadata?.annotations),
            });
          }
          break;
        case 'Service':
          this.addService(obj);
          break;
        case 'PodSecurityPolicy':
          this.policies.set(nameOf(obj), obj);
          break;
        case 'NetworkPolicy': {
          const ns = namespaceOf(obj);
          const list = this.networkPoliciesByNamespace.get(ns) ?? [];
          list.push(obj);
          this.networkPoliciesByNamespace.set(ns, list);
          break;
        }
        default:
          break;
      }
    }
    this.workloads = findWorkloads(objects as KubeObject[]);
  }

  private addService(service: KubeObject) {
    const selector = asLabels(
      isRecord(service.spec) ? service.spec.selector : undefined,
    );
    const ns = namespaceOf(service);
    let byPair = this.servicesBySelectorPair.get(ns);
    if (!byPair) {
      byPair = new Map();
      this.servicesBySelectorPair.set(ns, byPair);
    }
    // Index each Service under one pair of its selector: a pod it selects
    // carries every pair, so looking up each of the pod's labels finds it.
    const pairs = Object.entries(selector);
    if (pairs.length === 0) return; // no selector: selects nothing
    const key = `${pairs[0][0]}=${pairs[0][1]}`;
    const list = byPair.get(key) ?? [];
    list.push({ service, selector: pairs });
    byPair.set(key, list);
  }

  /** The Services in the pod's namespace whose selector selects it. */
  servicesSelecting(pod: PodView): KubeObject[] {
    const cached = this.selectingCache.get(pod.shape);
    if (cached) return cached;
    const found: KubeObject[] = [];
    const byPair = this.servicesBySelectorPair.get(pod.namespace);
    if (byPair) {
      for (const label in pod.labels) {
        if (!Object.prototype.hasOwnProperty.call(pod.labels, label)) continue;
        const candidates = byPair.get(`${label}=${pod.labels[label]}`);
        if (!candidates) continue;
        for (const { service, selector } of candidates) {
          let selects = true;
          for (let i = 0; i < selector.length && selects; i++) {
            selects = pod.labels[selector[i][0]] === selector[i][1];
          }
          if (selects) found.push(service);
        }
      }
      sortByName(found);
    }
    this.selectingCache.set(pod.shape, found);
    return found;
  }

  /**
   * Memoizes a per-pod computation for the life of this index, once per
   * pod shape: `compute` is given the shape, never a pod's own name, and
   * this index (so that it need not be a new closure per call).
   */
  perPod<T>(
    pod: PodView,
    key: string,
    compute: (shape: PodView, index: SnapshotIndex) => T,
  ): T {
    let values = this.podCache.get(key);
    if (!values) {
      values = new Map();
      this.podCache.set(key, values);
    }
    const known = values.get(pod.shape);
    if (known !== undefined || values.has(pod.shape)) return known as T;
    const value = compute(pod.shape, this);
    values.set(pod.shape, value);
    return value;
  }

  namespace(name: string): NamespaceInfo | undefined {
    return this.namespaces.get(name);
  }

  /** The NetworkPolicies of a namespace, in input order. */
  networkPolicies(namespace: string): KubeObject[] {
    return this.networkPoliciesByNamespace.get(namespace) ?? [];
  }

  podSecurityPolicy(name: string): KubeObject | undefined {
    return this.policies.get(name);
  }

  /** Why a kind could not be read in a namespace, if it could not. */
  unreadable(kind: string, namespace?: string): UnreadableKind | undefined {
    return (this.snapshot.unreadable ?? []).find(
      u =>
        u.kind === kind &&
        (!u.namespace || !namespace || u.namespace === namespace),
    );
  }

  get isLive(): boolean {
    return this.snapshot.source === 'live';
  }
}
