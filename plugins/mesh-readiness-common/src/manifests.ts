/*
 * Reads Kubernetes YAML as users hand it over: multi-document files,
 * `kind: List` as `kubectl get -o yaml` prints it, Helm template output.
 * Pure: it takes text, not paths.
 */
import { yamlLibrary } from './yamlLibrary';
import { CORE_SCHEMA, load as loadFast, loadAll as loadAllFast } from 'js-yaml';
import { KubeObject, ReportError } from './types';
import {
  cutsAtEveryDocumentStart,
  firstContentLine,
  ManifestDocument,
  splitDocuments,
} from './manifestDocuments';
import { isRecord } from './kube/objects';
import { WORKLOAD_KINDS } from './kube/workloads';

/**
 * Kinds the engine reads: workloads and what they depend on. Others are listed as ignored.
 *
 * @public
 */
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

/**
 * A document of a kind the rules do not read: listed, so a typo is seen.
 *
 * @public
 */
export interface IgnoredObject {
  file: string;
  line?: number;
  kind: string;
  name?: string;
}

/**
 * Where an object was read from, so a position inside it can be found later.
 *
 * @public
 */
export interface ObjectSource {
  file: string;
  document: ManifestDocument;
  /** Index of the object's document among those `parseAllDocuments(document.text)` gives. */
  documentIndex: number;
  /** Path of the object inside its document: empty, or `['items', n]` in a List. */
  path: Array<string | number>;
}

/** @public */
export interface ParsedManifests {
  objects: KubeObject[];
  errors: ReportError[];
  ignored: IgnoredObject[];
  /**
   * How many documents held a value, whether or not it was kept (a Secret
   * counts, an empty document does not): 0 means the text holds nothing.
   */
  documents: number;
}

/** @public */
export interface ParseManifestsOptions {
  /** Default true; false parses every document with the `yaml` library (the reference the fast path is tested against). */
  fastParse?: boolean;
  /** Filled with the source of each object returned, for callers that locate findings. */
  sources?: Map<KubeObject, ObjectSource>;
}

/** Upper bounds that keep hostile input from eating the process. */
const MAX_ALIAS_COUNT = 1000;

/**
 * What js-yaml (core schema) and the `yaml` library may read differently,
 * or what needs the `yaml` library's limits: anchors, aliases and tags
 * (alias bombs stop at MAX_ALIAS_COUNT), complex keys, binary integers.
 * A document holding any of it is parsed by the `yaml` library.
 */
const NEEDS_YAML_LIBRARY = /(?:^|[\s[{,])[&*!?]|\b0b[01]/;

/**
 * A `kind` or `apiVersion` key anywhere in the text: every Kubernetes
 * object has both, so a text with neither (a Helm values file,
 * package.json, a compose file) holds none.
 */
const OBJECT_KEY = /(?:^|[\s{,])["']?(?:kind|apiVersion)["']?\s*:/m;

/**
 * Whether a file's text may hold Kubernetes objects: false when it has no
 * `kind` or `apiVersion` key anywhere, so that a folder walk can pass over
 * it rather than report each of its documents as having no kind.
 *
 * @public
 */
export function mayHoldObjects(text: string): boolean {
  return OBJECT_KEY.test(text);
}

/**
 * The file that makes a folder a Helm chart: its templates are not
 * manifests until Helm renders them, so a folder walk does not read them.
 *
 * @public
 */
export const HELM_CHART_FILE = 'Chart.yaml';

/**
 * Parses one file's text. Each document that cannot be read gives one
 * error naming the file and line; the other documents are still returned.
 *
 * The usual file (no syntax the two parsers read differently, no error) is
 * parsed whole by js-yaml, several times faster than the `yaml` library,
 * and the values are paired with the documents the text was cut into.
 * Otherwise documents are parsed one by one: with js-yaml, or, where
 * js-yaml refuses one or it uses such syntax, with the `yaml` library, so
 * errors and their lines are the ones it gives.
 *
 * @public
 */
export function parseManifests(
  text: string,
  file: string,
  options: ParseManifestsOptions = {},
): ParsedManifests {
  const fastParse = options.fastParse ?? true;
  const sink: Sink = {
    file,
    objects: [],
    errors: [],
    ignored: [],
    documents: 0,
    sources: options.sources,
    path: [],
  };
  const clean = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const documents = splitDocuments(clean);
  if (fastParse && parseWhole(clean, documents, sink)) {
    return resultOf(sink);
  }
  for (const document of documents) {
    let value: unknown;
    if (fastParse && !NEEDS_YAML_LIBRARY.test(document.text)) {
      try {
        value = loadFast(document.text, { schema: CORE_SCHEMA });
      } catch {
        // The yaml library says what is wrong, and where.
        parseWithYamlLibrary(document, sink);
        continue;
      }
      if (value === null || value === undefined) continue; // empty document
      const contentLine = firstContentLine(document.text);
      sink.line =
        contentLine === undefined ? undefined : document.line + contentLine - 1;
      sink.document = document;
      sink.documentIndex = 0;
      collect(value, sink);
      continue;
    }
    parseWithYamlLibrary(document, sink);
  }
  return resultOf(sink);
}

function resultOf(sink: Sink): ParsedManifests {
  const { objects, errors, ignored, documents } = sink;
  return { objects, errors, ignored, documents };
}

/**
 * One js-yaml pass over the whole text, when it needs nothing else: each
 * document with content gives exactly one value (a document that reads
 * as null, such as `~`, would break the pairing, so it is left to the
 * document by document path). False, having collected nothing, otherwise.
 */
function parseWhole(
  text: string,
  documents: ManifestDocument[],
  sink: Sink,
): boolean {
  if (!cutsAtEveryDocumentStart(text) || NEEDS_YAML_LIBRARY.test(text)) {
    return false;
  }
  let values: unknown[];
  try {
    values = loadAllFast(text, null, { schema: CORE_SCHEMA });
  } catch {
    return false; // the document by document path says which, and where
  }
  const withContent: Array<{ document: ManifestDocument; line: number }> = [];
  for (const document of documents) {
    const contentLine = firstContentLine(document.text);
    if (contentLine !== undefined) {
      withContent.push({ document, line: document.line + contentLine - 1 });
    }
  }
  const present = values.filter(v => v !== null && v !== undefined);
  if (present.length !== withContent.length) return false;
  present.forEach((value, i) => {
    sink.line = withContent[i].line;
    sink.document = withContent[i].document;
    sink.documentIndex = 0;
    collect(value, sink);
  });
  return true;
}

function parseWithYamlLibrary(document: ManifestDocument, sink: Sink) {
  const { file, errors } = sink;
  const { LineCounter, parseAllDocuments } = yamlLibrary();
  const lineCounter = new LineCounter();
  const lineOf = (offset: number | undefined) =>
    offset === undefined || offset < 0
      ? undefined
      : lineCounter.linePos(offset).line + document.line - 1;
  let docs;
  try {
    docs = parseAllDocuments(document.text, {
      prettyErrors: false,
      uniqueKeys: true,
      lineCounter,
    });
  } catch (e) {
    errors.push({ file, message: `cannot read YAML: ${(e as Error).message}` });
    return;
  }
  const list = Array.isArray(docs) ? docs : [docs];
  // An error inside a List finds its item's line in this reading.
  rememberPositions(sink, document, list, lineCounter);
  list.forEach((doc, documentIndex) => {
    const firstError = doc.errors[0];
    if (firstError) {
      const errorLine = firstError.linePos?.[0]?.line;
      errors.push({
        file,
        line:
          errorLine !== undefined
            ? errorLine + document.line - 1
            : lineOf(firstError.pos?.[0]),
        message: firstError.message.split('\n')[0],
      });
      return;
    }
    const contents = doc.contents as {
      range?: [number, number, number];
    } | null;
    const line = lineOf(contents?.range?.[0] ?? doc.range?.[0]);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      errors.push({ file, line, message: (e as Error).message.split('\n')[0] });
      return;
    }
    if (value === null || value === undefined) return; // empty document
    sink.line = line;
    sink.document = document;
    sink.documentIndex = documentIndex;
    collect(value, sink);
  });
}

interface Sink {
  file: string;
  /** The current document: its first line, text and index within that text. */
  line?: number;
  document?: ManifestDocument;
  documentIndex?: number;
  /** Path of the value being collected inside its document. */
  path: Array<string | number>;
  objects: KubeObject[];
  errors: ReportError[];
  ignored: IgnoredObject[];
  /** Documents that held a value. */
  documents: number;
  /** The last document read with positions, kept for the errors found in it. */
  positioned?: Positioned;
  sources?: Map<KubeObject, ObjectSource>;
}

/** A path inside a document as a field path: items[2].items[0]. */
function fieldPath(path: Array<string | number>): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text ? `.${part}` : part;
  }
  return text;
}

/** What a value that is not an object is, for an error message. */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'a list' : typeof value;
}

interface Positioned {
  document: ManifestDocument;
  docs: Array<{ getIn(path: unknown[], keepScalar: true): unknown }>;
  lineOf(offset: number): number;
}

/** Keeps the `yaml` library's reading of a document for the errors found in it. */
function rememberPositions(
  sink: Sink,
  document: ManifestDocument,
  docs: Positioned['docs'],
  lineCounter: { linePos(offset: number): { line: number } },
): Positioned {
  const read: Positioned = {
    document,
    docs,
    lineOf: offset => lineCounter.linePos(offset).line + document.line - 1,
  };
  sink.positioned = read;
  return read;
}

/**
 * The line of the value at the sink's path in its document, only for an
 * error: from the `yaml` library's reading of it, read again if the fast
 * path parsed it.
 */
function lineOfPath(sink: Sink): number | undefined {
  const { document, documentIndex = 0, path } = sink;
  if (!document) return undefined;
  let read = sink.positioned;
  if (read?.document !== document) {
    const { LineCounter, parseAllDocuments } = yamlLibrary();
    const lineCounter = new LineCounter();
    const docs = parseAllDocuments(document.text, { lineCounter });
    read = rememberPositions(
      sink,
      document,
      Array.isArray(docs) ? docs : [docs],
      lineCounter,
    );
  }
  const node = read.docs[documentIndex]?.getIn(path, true) as
    | { range?: [number, number, number] }
    | undefined;
  const offset = node?.range?.[0];
  return offset === undefined ? undefined : read.lineOf(offset);
}

function collect(value: unknown, sink: Sink) {
  const { file, line, errors } = sink;
  if (sink.path.length === 0) sink.documents++;
  // Inside a List, the message names the item, and the line is the item's.
  const where = sink.path.length > 0 ? `${fieldPath(sink.path)}: ` : '';
  // Found again only for an error: a List of many items is not re-read.
  const errorLine = () => (where ? lineOfPath(sink) ?? line : line);
  if (!isRecord(value)) {
    errors.push({
      file,
      line: errorLine(),
      message: `${where}expected a Kubernetes object, found ${describeValue(
        value,
      )}`,
    });
    return;
  }
  if (typeof value.kind !== 'string' || value.kind === '') {
    errors.push({
      file,
      line: errorLine(),
      message: where
        ? `${where}the item has no "kind"`
        : 'the document has no "kind"',
    });
    return;
  }
  if (value.kind === 'List' || value.kind.endsWith('List')) {
    if (!Array.isArray(value.items)) {
      errors.push({
        file,
        line: errorLine(),
        message: `${where}${value.kind} has no "items" list`,
      });
      return;
    }
    const listPath = sink.path;
    value.items.forEach((item: unknown, index: number) => {
      sink.path = [...listPath, 'items', index];
      collect(item, sink);
    });
    sink.path = listPath;
    return;
  }
  if (NEVER_KEPT.has(value.kind)) return;
  const name =
    isRecord(value.metadata) && typeof value.metadata.name === 'string'
      ? value.metadata.name
      : '';
  if (!READ_KINDS.has(value.kind)) {
    sink.ignored.push({
      file,
      line,
      kind: value.kind,
      ...(name ? { name } : {}),
    });
    return;
  }
  if (!name) {
    errors.push({
      file,
      line: errorLine(),
      message: `${where}${value.kind} has no metadata.name`,
    });
    return;
  }
  sink.objects.push(value as KubeObject);
  if (sink.sources && sink.document) {
    sink.sources.set(value as KubeObject, {
      file,
      document: sink.document,
      documentIndex: sink.documentIndex ?? 0,
      path: sink.path,
    });
  }
}
