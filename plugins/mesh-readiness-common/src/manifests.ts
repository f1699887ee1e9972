/*
 * Reads Kubernetes YAML as users hand it over: multi-document files,
 * `kind: List` as `kubectl get -o yaml` prints it, Helm template output.
 * Pure: it takes text, not paths.
 */
import { parseAllDocuments } from 'yaml';
import { KubeObject, ReportError } from './types';
import { isRecord } from './kube/objects';

/** Kinds the engine reads. Anything else is accepted and ignored. */
export const READ_KINDS = new Set([
  'Namespace',
  'Service',
  'ServiceAccount',
  'Pod',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'PodSecurityPolicy',
]);

/** Kinds a manifest source never keeps, so no secret is ever stored. */
const NEVER_KEPT = new Set(['Secret']);

export interface ParsedManifests {
  objects: KubeObject[];
  errors: ReportError[];
}

/** Upper bounds that keep hostile input from eating the process. */
const MAX_ALIAS_COUNT = 1000;

function lineOf(text: string, offset: number | undefined): number | undefined {
  if (offset === undefined || offset < 0) return undefined;
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Parses one file's text. Each document that cannot be read gives one
 * error naming the file and line; the other documents are still returned.
 */
export function parseManifests(text: string, file: string): ParsedManifests {
  const objects: KubeObject[] = [];
  const errors: ReportError[] = [];
  const clean = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let docs;
  try {
    docs = parseAllDocuments(clean, { prettyErrors: false, uniqueKeys: true });
  } catch (e) {
    return { objects, errors: [{ file, message: `cannot read YAML: ${(e as Error).message}` }] };
  }
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    const firstError = doc.errors[0];
    if (firstError) {
      errors.push({
        file,
        line: firstError.linePos?.[0]?.line ?? lineOf(clean, firstError.pos?.[0]),
        message: firstError.message.split('\n')[0],
      });
      continue;
    }
    const line = lineOf(clean, doc.range?.[0]);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      errors.push({ file, line, message: (e as Error).message.split('\n')[0] });
      continue;
    }
    if (value === null || value === undefined) continue; // empty document
    collect(value, file, line, objects, errors);
  }
  return { objects, errors };
}

function collect(
  value: unknown,
  file: string,
  line: number | undefined,
  objects: KubeObject[],
  errors: ReportError[],
) {
  if (!isRecord(value)) {
    errors.push({
      file,
      line,
      message: `expected a Kubernetes object, found ${Array.isArray(value) ? 'a list' : typeof value}`,
    });
    return;
  }
  if (typeof value.kind !== 'string' || value.kind === '') {
    errors.push({ file, line, message: 'the document has no "kind"' });
    return;
  }
  if (value.kind === 'List' || value.kind.endsWith('List')) {
    if (!Array.isArray(value.items)) {
      errors.push({ file, line, message: `${value.kind} has no "items" list` });
      return;
    }
    for (const item of value.items) collect(item, file, line, objects, errors);
    return;
  }
  if (NEVER_KEPT.has(value.kind)) return;
  if (!isRecord(value.metadata) || typeof value.metadata.name !== 'string' || !value.metadata.name) {
    if (READ_KINDS.has(value.kind)) {
      errors.push({ file, line, message: `${value.kind} has no metadata.name` });
    }
    return;
  }
  if (!READ_KINDS.has(value.kind)) return;
  objects.push(value as KubeObject);
}
