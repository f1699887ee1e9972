/*
 * What a live scan keeps of each object the API server lists: the fields
 * the built-in rules (and the waivers, entity mapping and target-profile
 * detection) read, and nothing else. A listed pod is mostly what no rule
 * reads: its managedFields, its status, its service account token volume
 * and where each container mounts it. Kept as pages arrive, a scan holds a
 * fraction of what it was sent.
 *
 * What the rules do not read in a pod spec is declared once, in podShape.ts
 * (podShape.test.ts fails when a rule reads one of those fields); the rest
 * is declared here: no rule reads an object's status, nor metadata beyond
 * its name, namespace, uid, labels, owner references and the annotations
 * isReadAnnotation accepts (readFields.test.ts runs every rule fixture both
 * ways). Custom rules may read anything: the backend keeps whole objects
 * when any is added.
 *
 * The pods of one ReplicaSet are listed one after another and, cut down,
 * differ in little but their names: readFieldsOfEach holds a kept value
 * equal to the one of the object before once, for both.
 */
import { KubeObject } from '../types';
import { isRecord } from './objects';
import {
  CONTAINER_UNREAD,
  isReadAnnotation,
  POD_SPEC_UNREAD,
} from './podShape';

/** The metadata rules read, of any object and of a pod template. */
const METADATA_READ = [
  'name',
  'namespace',
  'uid',
  'labels',
  'annotations',
  'ownerReferences',
] as const;

const CONTAINER_LISTS: ReadonlySet<string> = new Set([
  'containers',
  'initContainers',
  'ephemeralContainers',
]);

const hasOwn = (o: object, key: string) =>
  Object.prototype.hasOwnProperty.call(o, key);

/** Sets a key as JSON.parse would, `__proto__` included (as an own property, not the prototype). */
function put(target: Record<string, unknown>, key: string, value: unknown) {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}

/** A record without the given keys; anything else as it is. */
function without(
  value: unknown,
  unread: ReadonlySet<string>,
  map?: (key: string, v: unknown) => unknown,
): unknown {
  if (!isRecord(value)) return value;
  const kept: Record<string, unknown> = {};
  for (const key in value) {
    if (!hasOwn(value, key) || unread.has(key)) continue;
    put(kept, key, map ? map(key, value[key]) : value[key]);
  }
  return kept;
}

function readAnnotations(annotations: unknown): unknown {
  if (!isRecord(annotations)) return annotations;
  const kept: Record<string, unknown> = {};
  for (const key in annotations) {
    if (hasOwn(annotations, key) && isReadAnnotation(key))
      put(kept, key, annotations[key]);
  }
  return kept;
}

function readMetadata(metadata: unknown): unknown {
  if (!isRecord(metadata)) return metadata;
  const kept: Record<string, unknown> = {};
  for (const key of METADATA_READ) {
    if (!hasOwn(metadata, key)) continue;
    kept[key] =
      key === 'annotations' ? readAnnotations(metadata[key]) : metadata[key];
  }
  return kept;
}

const readContainers = (key: string, list: unknown) =>
  CONTAINER_LISTS.has(key) && Array.isArray(list)
    ? list.map(c => without(c, CONTAINER_UNREAD))
    : list;

const readPodSpec = (spec: unknown) =>
  without(spec, POD_SPEC_UNREAD, readContainers);

/** A pod template (`{metadata, spec}`) with what its pods' rules read. */
function readTemplate(template: unknown): unknown {
  if (!isRecord(template)) return template;
  const kept: Record<string, unknown> = {};
  for (const key in template) {
    if (!hasOwn(template, key)) continue;
    let value = template[key];
    if (key === 'metadata') value = readMetadata(value);
    else if (key === 'spec') value = readPodSpec(value);
    put(kept, key, value);
  }
  return kept;
}

/** A workload's spec with its pod template (a CronJob's inside its job template) cut down. */
function readWorkloadSpec(kind: string | undefined, spec: unknown): unknown {
  if (!isRecord(spec)) return spec;
  if (kind === 'CronJob') {
    const jobTemplate = spec.jobTemplate;
    if (!isRecord(jobTemplate)) return spec;
    return {
      ...spec,
      jobTemplate: {
        ...jobTemplate,
        spec: readWorkloadSpec('Job', jobTemplate.spec),
      },
    };
  }
  return hasOwn(spec, 'template')
    ? { ...spec, template: readTemplate(spec.template) }
    : spec;
}

/**
 * The object with only the fields the built-in rules read: no status, no
 * managedFields or other server-kept metadata, only the annotations rules
 * read, and pod specs without what podShape.ts declares unread. Builds a
 * new object (sharing the kept values) and leaves the given one alone.
 * `kind`, for an item of a list (which carries none), is the list's kind,
 * and is set on the object kept.
 *
 * @public
 */
export function readFieldsOf(
  obj: KubeObject,
  kind: string | undefined = obj.kind,
): KubeObject {
  const kept: Record<string, unknown> = {};
  for (const key in obj) {
    if (!hasOwn(obj, key) || key === 'status') continue;
    let value = obj[key];
    if (key === 'metadata') value = readMetadata(value);
    else if (key === 'spec')
      value =
        kind === 'Pod' ? readPodSpec(value) : readWorkloadSpec(kind, value);
    put(kept, key, value);
  }
  if (kind !== undefined) kept.kind = kind;
  return kept as KubeObject;
}

/**
 * Whether two values read from JSON are the same data with their keys in
 * the same order (key order can decide what a rule names first, so values
 * are shared only when it is the same).
 */
function identical(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (
    typeof a !== 'object' ||
    typeof b !== 'object' ||
    a === null ||
    b === null
  )
    return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i] || !identical((a as any)[ka[i]], (b as any)[kb[i]]))
      return false;
  }
  return true;
}

const SHARED_METADATA = ['labels', 'annotations', 'ownerReferences'] as const;

/**
 * readFieldsOf for the objects of one list, in the order listed: where a
 * kept spec, labels, annotations or owner references are identical to
 * those of the object before, that object's are used, so that the pods of
 * one ReplicaSet hold one copy of what they share. Kept values are never
 * modified, so sharing them changes nothing a rule sees.
 *
 * @public
 */
export function readFieldsOfEach(): (
  obj: KubeObject,
  kind?: string,
) => KubeObject {
  let previous: KubeObject | undefined;
  return (obj, kind = obj.kind) => {
    const kept = readFieldsOf(obj, kind);
    if (previous) {
      if (hasOwn(kept, 'spec') && identical(kept.spec, previous.spec))
        kept.spec = previous.spec;
      const metadata = kept.metadata as Record<string, unknown> | undefined;
      const before = previous.metadata as Record<string, unknown> | undefined;
      if (isRecord(metadata) && isRecord(before)) {
        for (const key of SHARED_METADATA) {
          if (hasOwn(metadata, key) && identical(metadata[key], before[key]))
            metadata[key] = before[key];
        }
      }
    }
    previous = kept;
    return kept;
  };
}
