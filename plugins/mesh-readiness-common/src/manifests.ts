/*
 * Reads Kubernetes YAML as users hand it over: multi-document files,
 * `kind: List` as `kubectl get -o yaml` prints it, Helm template output.
 * Pure: it takes text, not paths.
 */
import { LineCounter, parseAllDocuments } from 'yaml';
import { KubeObject, ReportError } from './types';
import { isRecord } from './kube/objects';
import { WORKLOAD_KINDS } from './kube/workloads';

/** Kinds the engine reads: workloads and what they depend on. Others are listed as ignored. */
export const READ_KINDS = new Set<string>([
  ...WORKLOAD_KINDS,
  'Namespace',
  'Service',
  'ServiceAccount',
  'PodSecurityPolicy',
  'NetworkPolicy',
]);

/** Kinds a manifest source never keeps, so no secret is ever stored. */
const NEVER_KEPT = new Set(['Secret']);

/** A document of a kind the rules do not read: listed, so a typo is seen. */
export interface IgnoredObject {
  file: string;
  line?: number;
  kind: string;
  name?: string;
}

export interface ParsedManifests {
  objects: KubeObject[];
  errors: ReportError[];
  ignored: IgnoredObject[];
}

/** Upper bounds that keep hostile input from eating the process. */
const MAX_ALIAS_COUNT = 1000;

/**
 * Parses one file's text. Each document that cannot be read gives one
 * error naming the file and line; the other documents are still returned.
 */
export function parseManifests(text: string, file: string): ParsedManifests {
  const objects: KubeObject[] = [];
  const errors: ReportError[] = [];
  const ignored: IgnoredObject[] = [];
  const clean = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lineCounter = new LineCounter();
  const lineOf = (offset: number | undefined) =>
    offset === undefined || offset < 0 ? undefined : lineCounter.linePos(offset).line;
  let docs;
  try {
    docs = parseAllDocuments(clean, { prettyErrors: false, uniqueKeys: true, lineCounter });
  } catch (e) {
    return { objects, ignored, errors: [{ file, message: `cannot read YAML: ${(e as Error).message}` }] };
  }
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    const firstError = doc.errors[0];
    if (firstError) {
      errors.push({
        file,
        line: firstError.linePos?.[0]?.line ?? lineOf(firstError.pos?.[0]),
        message: firstError.message.split('\n')[0],
      });
      continue;
    }
    const contents = doc.contents as { range?: [number, number, number] } | null;
    const line = lineOf(contents?.range?.[0] ?? doc.range?.[0]);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      errors.push({ file, line, message: (e as Error).message.split('\n')[0] });
      continue;
    }
    if (value === null || value === undefined) continue; // empty document
    collect(value, { file, line, objects, errors, ignored });
  }
  return { objects, errors, ignored };
}

interface Sink {
  file: string;
  line?: number;
  objects: KubeObject[];
  errors: ReportError[];
  ignored: IgnoredObject[];
}

function collect(value: unknown, sink: Sink) {
  const { file, line, errors } = sink;
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
    for (const item of value.items) collect(item, sink);
    return;
  }
  if (NEVER_KEPT.has(value.kind)) return;
  const name = isRecord(value.metadata) && typeof value.metadata.name === 'string' ? value.metadata.name : '';
  if (!READ_KINDS.has(value.kind)) {
    sink.ignored.push({ file, line, kind: value.kind, ...(name ? { name } : {}) });
    return;
  }
  if (!name) {
    errors.push({ file, line, message: `${value.kind} has no metadata.name` });
    return;
  }
  sink.objects.push(value as KubeObject);
}
