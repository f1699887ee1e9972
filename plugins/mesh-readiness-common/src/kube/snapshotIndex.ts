/*
 * Indexes over one snapshot, built once per evaluation so that rules never
 * compare every pod with every Service.
 */
import { ClusterSnapshot, KubeObject, UnreadableKind } from '../types';
import { asLabels, Labels, serviceSelects } from './labels';
import { isRecord, nameOf, namespaceOf } from './objects';
import { findWorkloads, PodView, Workload } from './workloads';

export interface NamespaceInfo {
  name: string;
  labels: Labels;
}

export class SnapshotIndex {
  readonly workloads: Workload[];
  /** Namespace objects by name: absent means its labels are unknown. */
  private readonly namespaces = new Map<string, NamespaceInfo>();
  /** Services by namespace, then by each `key=value` of their selector. */
  private readonly servicesBySelectorPair = new Map<string, Map<string, KubeObject[]>>();
  private readonly policies = new Map<string, KubeObject>();

  constructor(readonly snapshot: ClusterSnapshot) {
    const objects = Array.isArray(snapshot.objects) ? snapshot.objects.filter(isRecord) : [];
    for (const obj of objects as KubeObject[]) {
      switch (obj.kind) {
        case 'Namespace':
          if (nameOf(obj)) {
            this.namespaces.set(nameOf(obj), {
              name: nameOf(obj),
              labels: asLabels(obj.metadata?.labels),
            });
          }
          break;
        case 'Service':
          this.addService(obj);
          break;
        case 'PodSecurityPolicy':
          this.policies.set(nameOf(obj), obj);
          break;
        default:
          break;
      }
    }
    this.workloads = findWorkloads(objects as KubeObject[]);
  }

  private addService(service: KubeObject) {
    const selector = asLabels(isRecord(service.spec) ? service.spec.selector : undefined);
    const ns = namespaceOf(service);
    let byPair = this.servicesBySelectorPair.get(ns);
    if (!byPair) {
      byPair = new Map();
      this.servicesBySelectorPair.set(ns, byPair);
    }
    // Index each Service under one pair of its selector: a pod it selects
    // carries every pair, so looking up each of the pod's labels finds it.
    const [first] = Object.entries(selector);
    if (!first) return; // no selector: selects nothing
    const key = `${first[0]}=${first[1]}`;
    const list = byPair.get(key) ?? [];
    list.push(service);
    byPair.set(key, list);
  }

  /** The Services in the pod's namespace whose selector selects it. */
  servicesSelecting(pod: PodView): KubeObject[] {
    const byPair = this.servicesBySelectorPair.get(pod.namespace);
    if (!byPair) return [];
    const found: KubeObject[] = [];
    for (const [k, v] of Object.entries(pod.labels)) {
      for (const service of byPair.get(`${k}=${v}`) ?? []) {
        if (serviceSelects(service.spec?.selector, pod.labels)) found.push(service);
      }
    }
    return found.sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
  }

  /** Services selecting any of the pods, each once. */
  servicesSelectingAny(pods: PodView[]): KubeObject[] {
    const seen = new Set<KubeObject>();
    for (const pod of pods) for (const s of this.servicesSelecting(pod)) seen.add(s);
    return [...seen].sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
  }

  namespace(name: string): NamespaceInfo | undefined {
    return this.namespaces.get(name);
  }

  podSecurityPolicy(name: string): KubeObject | undefined {
    return this.policies.get(name);
  }

  /** Why a kind could not be read in a namespace, if it could not. */
  unreadable(kind: string, namespace?: string): UnreadableKind | undefined {
    return (this.snapshot.unreadable ?? []).find(
      u => u.kind === kind && (!u.namespace || !namespace || u.namespace === namespace),
    );
  }

  get isLive(): boolean {
    return this.snapshot.source === 'live';
  }
}
