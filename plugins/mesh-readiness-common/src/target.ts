/*
 * The target profile: what a cluster's Istio is, for the rules that depend
 * on it. Live clusters detect it; manifest sources and the CLI declare it in
 * a `.mesh-readiness.yaml` (or `--target FILE`). One parser serves both.
 *
 *   istio:
 *     version: "1.28"      # the control plane's version
 *     cni: true            # the Istio CNI node agent is installed
 *     ambient: false       # ambient (ztunnel) is installed
 *     nativeSidecars: true # the injector injects native sidecars
 *   namespaces:
 *     shop:
 *       labels: {istio-injection: enabled}
 *
 * Every field is optional; a missing one stays unknown.
 */
import type { Scalar, YAMLMap } from 'yaml';
import { yamlLibrary } from './yamlLibrary';
import {
  ClusterEnvironment,
  ClusterSnapshot,
  KubeObject,
  ReportError,
} from './types';

/**
 * What is known of the target cluster's Istio and namespaces.
 *
 * @public
 */
export interface TargetProfile {
  istio?: {
    /** The control plane's version, `major.minor` or `major.minor.patch`. */
    version?: string;
    /** The Istio CNI node agent is installed. */
    cni?: boolean;
    /** Ambient mode (ztunnel) is installed. */
    ambient?: boolean;
    /** The injector injects native sidecars (init containers that keep running). */
    nativeSidecars?: boolean;
  };
  /** Labels of namespaces the input does not carry as objects. */
  namespaces?: Record<
    string,
    { labels?: Record<string, string>; annotations?: Record<string, string> }
  >;
}

/** @public */
export interface ParsedTargetProfile {
  /** Present when the file could be read; fields with errors are left out. */
  profile?: TargetProfile;
  errors: ReportError[];
}

const isMap = (node: unknown): node is YAMLMap => yamlLibrary().isMap(node);
const isScalar = (node: unknown): node is Scalar =>
  yamlLibrary().isScalar(node);

const ISTIO_VERSION = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+].*)?$/;
const ISTIO_FLAGS = ['cni', 'ambient', 'nativeSidecars'] as const;

/**
 * Reads a target profile file. Each problem names the file and line; the
 * fields that are right are still returned, so one typo does not turn the
 * whole profile off silently (the caller decides whether errors are fatal).
 *
 * @public
 */
export function parseTargetProfile(
  text: string,
  file: string,
): ParsedTargetProfile {
  const errors: ReportError[] = [];
  const { LineCounter, parseDocument } = yamlLibrary();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    prettyErrors: false,
    uniqueKeys: true,
    lineCounter,
  });
  const lineOf = (node: unknown): number | undefined => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? lineCounter.linePos(range[0]).line : undefined;
  };
  const problem = (node: unknown, message: string) =>
    errors.push({ file, line: lineOf(node), message });

  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    return {
      errors: [
        {
          file,
          line:
            first.linePos?.[0]?.line ??
            (first.pos ? lineCounter.linePos(first.pos[0]).line : undefined),
          message: first.message.split('\n')[0],
        },
      ],
    };
  }
  const root = doc.contents;
  if (
    root === null ||
    (isScalar(root) && (root.value === null || root.value === undefined))
  ) {
    return { profile: {}, errors };
  }
  if (!isMap(root)) {
    problem(
      root,
      'a target profile is a mapping with "istio" and "namespaces"',
    );
    return { errors };
  }

  const profile: TargetProfile = {};
  for (const pair of root.items) {
    const key = keyOf(pair.key);
    if (key === 'istio') {
      const istio = readIstio(pair.value, problem);
      if (istio) profile.istio = istio;
    } else if (key === 'namespaces') {
      const namespaces = readNamespaces(pair.value, problem);
      if (namespaces) profile.namespaces = namespaces;
    } else {
      problem(
        pair.key,
        `unknown key "${key}" (expected "istio" or "namespaces")`,
      );
    }
  }
  return { profile, errors };
}

type Problem = (node: unknown, message: string) => void;

function keyOf(node: unknown): string {
  return isScalar(node) ? String(node.value) : String(node);
}

function readIstio(
  node: unknown,
  problem: Problem,
): TargetProfile['istio'] | undefined {
  if (!isMap(node)) {
    problem(
      node,
      '"istio" must be a mapping of version, cni, ambient and nativeSidecars',
    );
    return undefined;
  }
  const istio: NonNullable<TargetProfile['istio']> = {};
  for (const pair of (node as YAMLMap).items) {
    const key = keyOf(pair.key);
    const value = pair.value;
    if (key === 'version') {
      // The source text, not the parsed value: an unquoted 1.20 is the number 1.2.
      const source = isScalar(value) ? scalarSource(value) : undefined;
      if (source === undefined || !ISTIO_VERSION.test(source)) {
        problem(
          value ?? pair.key,
          `istio.version must look like "1.28" or "1.28.1", found ${describe(
            value,
          )}`,
        );
      } else {
        istio.version = source.replace(/^v/, '');
      }
    } else if ((ISTIO_FLAGS as readonly string[]).includes(key)) {
      if (!isScalar(value) || typeof value.value !== 'boolean') {
        problem(
          value ?? pair.key,
          `istio.${key} must be true or false, found ${describe(value)}`,
        );
      } else {
        istio[key as (typeof ISTIO_FLAGS)[number]] = value.value;
      }
    } else {
      problem(
        pair.key,
        `unknown key "istio.${key}" (expected version, ${ISTIO_FLAGS.join(
          ', ',
        )})`,
      );
    }
  }
  return istio;
}

function readNamespaces(
  node: unknown,
  problem: Problem,
): TargetProfile['namespaces'] | undefined {
  if (!isMap(node)) {
    problem(node, '"namespaces" must map namespace names to their labels');
    return undefined;
  }
  const namespaces: NonNullable<TargetProfile['namespaces']> = {};
  for (const pair of (node as YAMLMap).items) {
    const name = keyOf(pair.key);
    const value = pair.value;
    const entry: {
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
    } = {};
    if (value === null || (isScalar(value) && value.value === null)) {
      namespaces[name] = entry;
      continue;
    }
    if (!isMap(value)) {
      problem(value, `namespaces.${name} must be a mapping with "labels"`);
      continue;
    }
    for (const field of (value as YAMLMap).items) {
      const fieldName = keyOf(field.key);
      if (fieldName !== 'labels' && fieldName !== 'annotations') {
        problem(
          field.key,
          `unknown key "namespaces.${name}.${fieldName}" (expected labels or annotations)`,
        );
        continue;
      }
      const strings = readStringMap(
        field.value,
        `namespaces.${name}.${fieldName}`,
        problem,
      );
      if (strings) entry[fieldName] = strings;
    }
    namespaces[name] = entry;
  }
  return namespaces;
}

function readStringMap(
  node: unknown,
  path: string,
  problem: Problem,
): Record<string, string> | undefined {
  if (!isMap(node)) {
    problem(node, `${path} must be a mapping of strings`);
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const pair of (node as YAMLMap).items) {
    const key = keyOf(pair.key);
    const value = pair.value;
    if (
      !isScalar(value) ||
      value.value === null ||
      typeof value.value === 'object'
    ) {
      problem(
        value ?? pair.key,
        `${path}.${key} must be a string, found ${describe(value)}`,
      );
      continue;
    }
    // Kubernetes label values are strings; take the source text so 1.20 stays 1.20.
    out[key] = scalarSource(value) ?? String(value.value);
  }
  return out;
}

function scalarSource(node: Scalar): string | undefined {
  if (typeof node.value === 'string') return node.value;
  const source = (node as Scalar & { source?: string }).source;
  if (typeof source === 'string') return source;
  if (typeof node.value === 'number' || typeof node.value === 'boolean')
    return String(node.value);
  return undefined;
}

function describe(node: unknown): string {
  if (node === null || node === undefined) return 'nothing';
  if (isScalar(node)) return JSON.stringify(node.value);
  if (isMap(node)) return 'a mapping';
  return 'a list';
}

/**
 * The profile's Istio facts as the rules read them. Unknown stays undefined.
 *
 * @public
 */
export function environmentOfTarget(
  profile: TargetProfile | undefined,
): ClusterEnvironment {
  const istio = profile?.istio ?? {};
  const env: ClusterEnvironment = {};
  if (istio.version !== undefined) env.istioVersion = istio.version;
  if (istio.cni !== undefined) env.istioCni = istio.cni;
  if (istio.ambient !== undefined) env.ambient = istio.ambient;
  if (istio.nativeSidecars !== undefined)
    env.nativeSidecars = istio.nativeSidecars;
  return env;
}

/**
 * The snapshot with the profile applied: its Istio facts fill what the
 * snapshot's environment does not already say, and its namespaces become
 * Namespace objects where the input has none of that name (Namespace
 * objects in the input win over the file).
 *
 * @public
 */
export function applyTargetProfile(
  snapshot: ClusterSnapshot,
  profile: TargetProfile | undefined,
): ClusterSnapshot {
  if (!profile) return snapshot;
  const present = new Set<string>();
  for (const object of snapshot.objects) {
    if (object.kind === 'Namespace' && object.metadata?.name)
      present.add(object.metadata.name);
  }
  const added: KubeObject[] = [];
  for (const [name, entry] of Object.entries(profile.namespaces ?? {})) {
    if (present.has(name)) continue;
    added.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name,
        labels: { 'kubernetes.io/metadata.name': name, ...entry.labels },
        ...(entry.annotations ? { annotations: entry.annotations } : {}),
      },
    });
  }
  return {
    ...snapshot,
    objects:
      added.length > 0 ? [...snapshot.objects, ...added] : snapshot.objects,
    environment: {
      ...environmentOfTarget(profile),
      ...definedOnly(snapshot.environment),
    },
  };
}

function definedOnly(env: ClusterEnvironment | undefined): ClusterEnvironment {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(env ?? {}))
    if (value !== undefined) out[key] = value;
  return out as ClusterEnvironment;
}

/**
 * `1.28.1` → [1, 28]; undefined when the version is unknown or unreadable.
 *
 * @public
 */
export function istioMinorVersion(
  version: string | undefined,
): [number, number] | undefined {
  const match = version ? ISTIO_VERSION.exec(version) : null;
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

/**
 * Whether the target's Istio is at least `major.minor`; undefined when unknown.
 *
 * @public
 */
export function istioAtLeast(
  env: ClusterEnvironment | undefined,
  major: number,
  minor: number,
): boolean | undefined {
  const version = istioMinorVersion(env?.istioVersion);
  if (!version) return undefined;
  return version[0] > major || (version[0] === major && version[1] >= minor);
}
