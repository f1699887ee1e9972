/*
 * The "pod shape" speed-up: the live pods of one ReplicaSet differ only in
 * fields no rule reads, so per-pod work is done once per shape. What the
 * rules may not read is declared here and nowhere else (POD_SPEC_UNREAD,
 * CONTAINER_UNREAD, isReadAnnotation); podShape.test.ts runs every rule
 * fixture with those fields watched and fails when a rule reads one.
 */
import { isRecord } from './objects';
import { Labels } from './labels';
import type { PodView } from './workloads';

const hasOwn = (o: object, key: string) =>
  Object.prototype.hasOwnProperty.call(o, key);
const everyKey = () => true;
const sameValueAt = (_key: string, x: unknown, y: unknown) => sameValue(x, y);

/**
 * True when two values read from JSON or YAML hold the same data: equal
 * primitives, or arrays and plain objects with equal items and the same
 * keys with equal values, in any order. Anything else is only equal to
 * itself. Walks without allocating: it runs once per live pod.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (
    typeof a !== 'object' ||
    typeof b !== 'object' ||
    a === null ||
    b === null
  ) {
    return Object.is(a, b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length)
      return false;
    for (let i = 0; i < a.length; i++) {
      if (!sameValue(a[i], b[i])) return false;
    }
    return true;
  }
  return sameEntries(
    a as Record<string, unknown>,
    b as Record<string, unknown>,
    everyKey,
    sameValueAt,
  );
}

/** Whether two maps with the same keys list them in the same order. */
function sameKeyOrder(a: Labels, b: Labels): boolean {
  let i = 0;
  for (const key in a) {
    if (!hasOwn(a, key)) continue;
    let j = 0;
    for (const other in b) {
      if (!hasOwn(b, other) || j++ < i) continue;
      if (other !== key) return false;
      break;
    }
    i++;
  }
  return true;
}

/** Pods of a workload with more shapes than this are each their own shape. */
export const MAX_SHAPES = 8;

/**
 * Pod spec fields that differ between the pods of one ReplicaSet and that
 * no rule reads: the node it runs on, its volumes (the service account
 * token volume has a random name per pod) and where containers mount them,
 * a StatefulSet pod's hostname, a DaemonSet pod's affinity to its node.
 * Pods that differ only there share their per-pod work; compared, every
 * pod of a real cluster would be a shape of its own. A rule that starts
 * reading one of them must take it off this list (podShape.test.ts fails
 * when a rule reads one; properties.test.ts checks that findings do not
 * depend on them).
 */
export const POD_SPEC_UNREAD: ReadonlySet<string> = new Set([
  'nodeName',
  'volumes',
  'hostname',
  'affinity',
]);
export const CONTAINER_UNREAD: ReadonlySet<string> = new Set(['volumeMounts']);

/**
 * The pod annotations rules read: Istio's (`sidecar.istio.io/inject`,
 * `ambient.istio.io/redirection`, ...) and mesh-readiness's own. Others,
 * such as the addresses a CNI plugin writes on each pod (Calico's
 * `cni.projectcalico.org/podIP`, Multus's network status), do not keep
 * pods apart. A rule that reads another annotation must widen this
 * (properties.test.ts checks that findings do not depend on the others).
 */
export function isReadAnnotation(key: string): boolean {
  return key.includes('istio.io/') || key.startsWith('mesh-readiness.io/');
}

const CONTAINER_LISTS: ReadonlySet<string> = new Set([
  'containers',
  'initContainers',
  'ephemeralContainers',
]);

/**
 * Whether two plain objects have the same keys among those `counted`
 * accepts, in any order, and values `same` finds equal under each key.
 * sameValue compares objects with it (every key); pod shapes with only
 * the keys the rules read.
 */
export function sameEntries(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  counted: (key: string) => boolean,
  same: (key: string, x: unknown, y: unknown) => boolean,
): boolean {
  if (a === b) return true;
  if (
    Object.getPrototypeOf(a) !== Object.prototype ||
    Object.getPrototypeOf(b) !== Object.prototype
  ) {
    return false;
  }
  let count = 0;
  for (const key in a) {
    if (!hasOwn(a, key) || !counted(key)) continue;
    if (!hasOwn(b, key) || !same(key, a[key], b[key])) return false;
    count++;
  }
  for (const key in b) {
    if (hasOwn(b, key) && counted(key)) count--;
  }
  return count === 0;
}

const readInSpec = (key: string) => !POD_SPEC_UNREAD.has(key);
const readInContainer = (key: string) => !CONTAINER_UNREAD.has(key);

/** Two container lists, each container compared without the fields no rule reads. */
function sameContainers(a: unknown, b: unknown): boolean {
  if (!Array.isArray(a) || !Array.isArray(b)) return sameValue(a, b);
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (isRecord(x) && isRecord(y)) {
      if (!sameEntries(x, y, readInContainer, sameValueAt)) return false;
    } else if (!sameValue(x, y)) {
      return false;
    }
  }
  return true;
}

/** A pod spec's values under a key: container lists without what no rule reads. */
const sameSpecValueAt = (key: string, x: unknown, y: unknown) =>
  CONTAINER_LISTS.has(key) ? sameContainers(x, y) : sameValue(x, y);

export function sameShape(a: PodView, b: PodView): boolean {
  return (
    a.source === b.source &&
    a.kind === b.kind &&
    a.namespace === b.namespace &&
    a.specPath === b.specPath &&
    sameValue(a.labels, b.labels) &&
    // The rules read everything else by key, but a pod's labels are walked
    // in order (which Service sorts first when two share a name).
    sameKeyOrder(a.labels, b.labels) &&
    sameEntries(a.annotations, b.annotations, isReadAnnotation, sameValueAt) &&
    sameEntries(a.spec, b.spec, readInSpec, sameSpecValueAt)
  );
}
