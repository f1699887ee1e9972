/*
 * Finds the workloads in a snapshot and the pods that belong to them
 * (owner chains). Pods of one shape share their per-pod work: see podShape.ts.
 */
import { KubeObject, WorkloadKind } from '../types';
import {
  annotationsOf,
  compareStrings,
  asString,
  isRecord,
  labelsOf,
  nameOf,
  namespaceOf,
} from './objects';
import { Labels } from './labels';
import { MAX_SHAPES, sameShape } from './podShape';

/** @public */
export const WORKLOAD_KINDS: WorkloadKind[] = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'Pod',
];

/**
 * A pod as the rules read it: a workload's template or a live pod.
 *
 * @public
 */
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
  /**
   * The workload's first pod view that the rules cannot tell apart from
   * this one (same source, namespace, labels, annotations and spec, apart
   * from the pod's name and what no rule reads that differs from pod to
   * pod: see podShape.ts), or this view itself.
   * Per-pod answers are computed once per shape: the live pods of one
   * ReplicaSet differ only there. A rule reading a pod's own name, labels
   * or annotations reads its own view, not its shape.
   */
  shape: PodView;
}

/** @public */
export interface Workload {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  object: KubeObject;
  /**
   * The pod template. For a workload whose own object the snapshot does
   * not hold (see `unreadOwner`), the template of the ReplicaSet or Job
   * below it, or else its first pod (then also `pods[0]`).
   */
  template: PodView;
  /** Live pods owned by the workload (live snapshots only). */
  pods: PodView[];
  /**
   * Set when the snapshot does not hold the workload's own object, only
   * what it owns: a kind the cluster would not let us list, a controller
   * the engine does not model (an Argo Rollout), or an owner deleted since.
   * The workload is named by its owners' reference and `object` stands in
   * for it with that reference's kind, name and uid only.
   */
  unreadOwner?: boolean;
}

/** The pod template of a workload (a pod is its own), and the path of its spec. */
function templateOf(obj: KubeObject): { template: unknown; path: string } {
  const spec = isRecord(obj.spec) ? obj.spec : {};
  switch (obj.kind) {
    case 'Pod':
      return { template: obj, path: 'spec' };
    case 'CronJob': {
      const jobSpec =
        isRecord(spec.jobTemplate) && isRecord(spec.jobTemplate.spec)
          ? spec.jobTemplate.spec
          : {};
      return {
        template: jobSpec.template,
        path: 'spec.jobTemplate.spec.template.spec',
      };
    }
    default:
      return { template: spec.template, path: 'spec.template.spec' };
  }
}

/** Field path of a pod view's metadata (beside its spec), for evidence. */
export function metadataPathOf(view: PodView): string {
  return view.specPath === 'spec'
    ? 'metadata'
    : view.specPath.replace(/\.spec$/, '.metadata');
}

export function podViewOfTemplate(obj: KubeObject): PodView {
  const { template, path } = templateOf(obj);
  const t = isRecord(template) ? template : {};
  const view = {
    source: obj.kind === 'Pod' ? 'pod' : 'template',
    kind: asString(obj.kind) ?? 'Object',
    name: nameOf(obj),
    namespace: namespaceOf(obj),
    labels: labelsOf(t.metadata),
    annotations: annotationsOf(t.metadata),
    spec: isRecord(t.spec) ? t.spec : {},
    specPath: path,
  } as PodView;
  view.shape = view;
  return view;
}

/** Whether any owner reference is an object. */
function hasOwners(obj: KubeObject): boolean {
  return firstOwnerRef(obj) !== undefined;
}

/** The first owner reference that is an object. */
function firstOwnerRef(obj: KubeObject): Record<string, any> | undefined {
  const refs = obj.metadata?.ownerReferences;
  return Array.isArray(refs) ? refs.find(isRecord) : undefined;
}

/** Objects the snapshot holds, by `Kind/namespace/name`. */
function keyOf(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

/**
 * Objects by their `Kind/namespace/name` key, listed in the order each key
 * was first seen, the last object of each key kept (as a Map keyed by the
 * key string). Keys without a `/` in their parts are held by part, so that
 * no key string is built per object; the others by the whole string. A
 * whole key of parts without `/` has exactly two, any other more, so the
 * two never meet.
 */
class ObjectsByKey {
  readonly objects: KubeObject[] = [];
  private readonly byPart = new Map<string, Map<string, Map<string, number>>>();
  private readonly byString = new Map<string, number>();
  private lastKind?: string;
  private lastNamespace?: string;
  private lastNames?: Map<string, number>;

  private names(
    kind: string,
    namespace: string,
    create: boolean,
  ): Map<string, number> | undefined {
    if (kind === this.lastKind && namespace === this.lastNamespace)
      return this.lastNames;
    let namespaces = this.byPart.get(kind);
    if (!namespaces) {
      if (!create) return undefined;
      namespaces = new Map();
      this.byPart.set(kind, namespaces);
    }
    let names = namespaces.get(namespace);
    if (!names) {
      if (!create) return undefined;
      names = new Map();
      namespaces.set(namespace, names);
    }
    this.lastKind = kind;
    this.lastNamespace = namespace;
    this.lastNames = names;
    return names;
  }

  set(kind: string, namespace: string, name: string, obj: KubeObject) {
    const whole =
      kind.includes('/') || namespace.includes('/') || name.includes('/');
    const positions = whole
      ? this.byString
      : this.names(kind, namespace, true)!;
    const key = whole ? keyOf(kind, namespace, name) : name;
    const at = positions.get(key);
    if (at === undefined) {
      positions.set(key, this.objects.length);
      this.objects.push(obj);
    } else {
      this.objects[at] = obj;
    }
  }

  get(kind: string, namespace: string, name: string): KubeObject | undefined {
    const whole =
      kind.includes('/') || namespace.includes('/') || name.includes('/');
    const at = whole
      ? this.byString.get(keyOf(kind, namespace, name))
      : this.names(kind, namespace, false)?.get(name);
    return at === undefined ? undefined : this.objects[at];
  }
}

const WORKLOAD_KIND_SET = new Set<unknown>(WORKLOAD_KINDS);

/**
 * Lists the workloads of a snapshot: Deployments, StatefulSets,
 * DaemonSets, Jobs and CronJobs, plus ReplicaSets, Jobs and Pods that no
 * other object owns. Live pods are attached to the workload at the top of
 * their owner chain (Pod → ReplicaSet → Deployment, Pod → Job → CronJob).
 *
 * @public
 */
export function findWorkloads(objects: KubeObject[]): Workload[] {
  const byKey = new ObjectsByKey();
  const byUid = new Map<string, KubeObject>();
  // Indexed loops here: this runs once per evaluation over every object, and
  // before it is optimised a for-of allocates a result object per item.
  for (let i = 0; i < objects.length; i++) {
    const obj = objects[i];
    if (!obj || !WORKLOAD_KIND_SET.has(obj.kind)) continue;
    byKey.set(obj.kind as string, namespaceOf(obj), nameOf(obj), obj);
    const uid = asString(obj.metadata?.uid);
    if (uid) byUid.set(uid, obj);
  }

  const resolveOwner = (obj: KubeObject): KubeObject | undefined => {
    const refs = obj.metadata?.ownerReferences;
    if (!Array.isArray(refs)) return undefined;
    for (let i = 0; i < refs.length; i++) {
      const ref = refs[i];
      if (!isRecord(ref)) continue;
      const owner =
        (ref.uid && byUid.get(String(ref.uid))) ||
        byKey.get(String(ref.kind), namespaceOf(obj), String(ref.name));
      if (owner) return owner;
    }
    return undefined;
  };

  const workloads = new Map<KubeObject, Workload>();
  const pods: KubeObject[] = [];
  // ReplicaSets and Jobs that something owns: part of their owner's workload.
  const ownedControllers: KubeObject[] = [];
  for (let i = 0; i < byKey.objects.length; i++) {
    const obj = byKey.objects[i];
    const kind = obj.kind as WorkloadKind;
    if (!nameOf(obj)) continue;
    const owned = hasOwners(obj);
    if (kind === 'Pod') {
      if (owned) {
        pods.push(obj);
        continue;
      }
    } else if ((kind === 'ReplicaSet' || kind === 'Job') && owned) {
      // Owned by a Deployment or CronJob (or by a controller we do not
      // model): it is part of that workload, not one of its own.
      ownedControllers.push(obj);
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

  // Owners the snapshot does not hold: a kind the identity may not list, a
  // controller the engine does not model (Argo Rollouts own ReplicaSets), an
  // owner deleted since. What they own still makes a workload, named by the
  // owner reference, one per reference.
  const standIns = new Map<string, Workload>();
  const standInFor = (
    obj: KubeObject,
    view?: PodView,
  ): Workload | undefined => {
    const ref = firstOwnerRef(obj);
    const kind = asString(ref?.kind);
    const name = asString(ref?.name);
    // A static pod's mirror is owned by its Node: each is a workload of its own.
    if (!ref || !kind || !name || kind === 'Node') return undefined;
    const namespace = namespaceOf(obj);
    const key = keyOf(kind, namespace, name);
    let workload = standIns.get(key);
    if (!workload) {
      const uid = asString(ref.uid);
      workload = {
        kind: kind as WorkloadKind,
        namespace,
        name,
        object: {
          apiVersion: asString(ref.apiVersion),
          kind,
          metadata: { name, namespace, ...(uid ? { uid } : {}) },
        },
        // The template of the ReplicaSet or Job it owns, else its first pod.
        template: view ?? podViewOfTemplate(obj),
        pods: [],
        unreadOwner: true,
      };
      standIns.set(key, workload);
    }
    return workload;
  };

  // Distinct pod shapes per workload, usually one per ReplicaSet.
  const shapes = new Map<Workload, PodView[]>();
  // The workload at the top of an owner's chain, once per owner: the pods
  // of one ReplicaSet or Job share it.
  const tops = new Map<KubeObject, Workload | undefined>();
  const topOf = (owner: KubeObject): Workload | undefined => {
    if (tops.has(owner)) return tops.get(owner);
    let top: KubeObject = owner;
    let found: Workload | undefined;
    for (let hops = 0; hops <= 5; hops++) {
      found = workloads.get(top);
      if (found) break;
      const next = resolveOwner(top);
      if (!next) {
        // The chain ends at an owner the snapshot does not hold.
        found = standInFor(top);
        break;
      }
      top = next;
    }
    tops.set(owner, found);
    return found;
  };
  for (let i = 0; i < pods.length; i++) {
    const pod = pods[i];
    const owner = resolveOwner(pod);
    const view = podViewOfTemplate(pod);
    const workload = owner ? topOf(owner) : standInFor(pod, view);
    if (!workload) {
      if (owner) continue;
      // Owned by a Node (a static pod's mirror): a workload of its own.
      workloads.set(pod, {
        kind: 'Pod',
        namespace: view.namespace,
        name: view.name,
        object: pod,
        template: view,
        pods: [],
      });
      continue;
    }
    let known = shapes.get(workload);
    if (!known) {
      known = [];
      shapes.set(workload, known);
    }
    let same: PodView | undefined;
    for (let k = 0; k < known.length && !same; k++) {
      if (sameShape(known[k], view)) same = known[k];
    }
    if (same) view.shape = same;
    else if (known.length < MAX_SHAPES) known.push(view);
    workload.pods.push(view);
  }
  // A ReplicaSet or Job that no pod reached (scaled to zero, or done) whose
  // owner is missing is still a workload, with the template it holds.
  for (let i = 0; i < ownedControllers.length; i++) topOf(ownedControllers[i]);

  return [...workloads.values(), ...standIns.values()].sort(compareWorkloads);
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
const distinctPodViews = new WeakMap<Workload, PodView[]>();

/**
 * The template, then every live pod: what most rules look at. A workload
 * known only by its pods has its first pod for a template: listed once.
 */
export function podViewsOf(workload: Workload): PodView[] {
  let views = allPodViews.get(workload);
  if (!views) {
    views =
      workload.template === workload.pods[0]
        ? [...workload.pods]
        : [workload.template, ...workload.pods];
    allPodViews.set(workload, views);
  }
  return views;
}

/**
 * podViewsOf without the views of the same shape as the one before them,
 * keeping the first of each run. For rules whose per-pod work depends only
 * on the shape and lands in sets or maps by key (or keeps the first pod it
 * names): a repeat of the view before changes nothing there.
 */
export function distinctPodViewsOf(workload: Workload): PodView[] {
  let views = distinctPodViews.get(workload);
  if (!views) {
    views = podViewsOf(workload).filter(
      (view, i, all) => i === 0 || all[i - 1].shape !== view.shape,
    );
    distinctPodViews.set(workload, views);
  }
  return views;
}
