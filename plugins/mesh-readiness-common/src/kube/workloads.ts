/*
 * Finds the workloads in a snapshot and the pods that belong to them.
 */
import { KubeObject, WorkloadKind } from '../types';
import {
  annotationsOf,
  asArray,
  compareStrings,
  asString,
  isRecord,
  labelsOf,
  nameOf,
  namespaceOf,
} from './objects';
import { Labels } from './labels';

export const WORKLOAD_KINDS: WorkloadKind[] = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'Pod',
];

/** A pod as the rules read it: a workload's template or a live pod. */
export interface PodView {
  /** `template` for the workload's pod template, `pod` for a live pod. */
  source: 'template' | 'pod';
  /** For evidence: the workload for templates, the pod's name otherwise. */
  kind: string;
  name: string;
  namespace: string;
  labels: Labels;
  annotations: Labels;
  /** The pod spec, always an object (empty when the input had none). */
  spec: Record<string, any>;
  /** Field path of the spec inside its object, for evidence. */
  specPath: string;
}

export interface Workload {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  object: KubeObject;
  template: PodView;
  /** Live pods owned by the workload (live snapshots only). */
  pods: PodView[];
}

function templateOf(obj: KubeObject): { template: unknown; path: string } {
  const spec = isRecord(obj.spec) ? obj.spec : {};
  switch (obj.kind) {
    case 'Pod':
      return { template: { metadata: obj.metadata, spec: obj.spec }, path: 'spec' };
    case 'CronJob': {
      const jobSpec = isRecord(spec.jobTemplate) && isRecord(spec.jobTemplate.spec)
        ? spec.jobTemplate.spec
        : {};
      return { template: jobSpec.template, path: 'spec.jobTemplate.spec.template.spec' };
    }
    default:
      return { template: spec.template, path: 'spec.template.spec' };
  }
}

export function podViewOfTemplate(obj: KubeObject): PodView {
  const { template, path } = templateOf(obj);
  const t = isRecord(template) ? template : {};
  return {
    source: obj.kind === 'Pod' ? 'pod' : 'template',
    kind: asString(obj.kind) ?? 'Object',
    name: nameOf(obj),
    namespace: namespaceOf(obj),
    labels: labelsOf(t.metadata),
    annotations: annotationsOf(t.metadata),
    spec: isRecord(t.spec) ? t.spec : {},
    specPath: path,
  };
}

function ownersOf(obj: KubeObject): Array<{ kind?: string; name?: string; uid?: string }> {
  return asArray(obj.metadata?.ownerReferences).filter(isRecord);
}

/** Objects the snapshot holds, by `Kind/namespace/name`. */
function keyOf(kind: unknown, namespace: string, name: unknown): string {
  return `${String(kind)}/${namespace}/${String(name)}`;
}

/**
 * Lists the workloads of a snapshot: Deployments, StatefulSets,
 * DaemonSets, Jobs and CronJobs, plus ReplicaSets, Jobs and Pods that no
 * other object owns. Live pods are attached to the workload at the top of
 * their owner chain (Pod -> ReplicaSet -> Deployment, Pod -> Job -> CronJob).
 */
export function findWorkloads(objects: KubeObject[]): Workload[] {
  const byKey = new Map<string, KubeObject>();
  const byUid = new Map<string, KubeObject>();
  for (const obj of objects) {
    if (!obj || !WORKLOAD_KINDS.includes(obj.kind as WorkloadKind)) continue;
    byKey.set(keyOf(obj.kind, namespaceOf(obj), nameOf(obj)), obj);
    const uid = asString(obj.metadata?.uid);
    if (uid) byUid.set(uid, obj);
  }

  const resolveOwner = (obj: KubeObject): KubeObject | undefined => {
    for (const ref of ownersOf(obj)) {
      const owner =
        (ref.uid && byUid.get(String(ref.uid))) ||
        byKey.get(keyOf(ref.kind, namespaceOf(obj), ref.name));
      if (owner) return owner;
    }
    return undefined;
  };

  const workloads = new Map<KubeObject, Workload>();
  const pods: KubeObject[] = [];
  for (const obj of byKey.values()) {
    const kind = obj.kind as WorkloadKind;
    if (!nameOf(obj)) continue;
    const owned = ownersOf(obj).length > 0;
    if (kind === 'Pod') {
      pods.push(obj);
      if (owned) continue;
    } else if ((kind === 'ReplicaSet' || kind === 'Job') && owned) {
      // Owned by a Deployment or CronJob (or by a controller we do not
      // model): it is part of that workload, not one of its own.
      continue;
    }
    workloads.set(obj, {
      kind,
      namespace: namespaceOf(obj),
      name: nameOf(obj),
      object: obj,
      template: podViewOfTemplate(obj),
      pods: [],
    });
  }

  for (const pod of pods) {
    if (ownersOf(pod).length === 0) continue;
    let top: KubeObject | undefined = resolveOwner(pod);
    for (let hops = 0; top && hops < 5 && !workloads.has(top); hops++) {
      top = resolveOwner(top);
    }
    const workload = top && workloads.get(top);
    if (workload) workload.pods.push(podViewOfTemplate(pod));
  }

  return [...workloads.values()].sort(compareWorkloads);
}

export function compareWorkloads(
  a: { namespace: string; kind: string; name: string },
  b: { namespace: string; kind: string; name: string },
): number {
  return (
    compareStrings(a.namespace, b.namespace) ||
    compareStrings(a.kind, b.kind) ||
    compareStrings(a.name, b.name)
  );
}

const allPodViews = new WeakMap<Workload, PodView[]>();

/** The template, then every live pod: what most rules look at. */
export function podViewsOf(workload: Workload): PodView[] {
  let views = allPodViews.get(workload);
  if (!views) {
    views = [workload.template, ...workload.pods];
    allPodViews.set(workload, views);
  }
  return views;
}
