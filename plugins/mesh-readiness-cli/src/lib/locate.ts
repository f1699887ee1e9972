/*
 * Where a finding is in the input: the file, line and column of the field
 * its first evidence names, in whichever document holds that object, else
 * the workload's own document. Parsing is fast and keeps no positions, so
 * the `yaml` library re-parses only the documents asked about, once each.
 */
import {
  Evidence,
  KubeObject,
  ObjectSource,
  WorkloadReport,
  yamlLibrary,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import type { LineCounter, Node } from 'yaml';
import { DocumentPositions, documentPositions } from './positions';

export interface Location {
  file: string;
  line: number;
  column: number;
}

/** `spec.template.spec.containers[1].ports[0]` → ['spec', 'template', 'spec', 'containers', 1, 'ports', 0]. */
export function fieldPath(field: string): Array<string | number> {
  const path: Array<string | number> = [];
  for (const part of field.split('.')) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!match) {
      path.push(part);
      continue;
    }
    if (match[1]) path.push(match[1]);
    for (const index of match[2].matchAll(/\[(\d+)\]/g))
      path.push(Number(index[1]));
  }
  return path;
}

function objectKey(
  kind: string | undefined,
  namespace: string | undefined,
  name: string | undefined,
): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

interface ParsedDocument {
  lineCounter: LineCounter;
  nodes: Array<Node | null>;
}

export class Locator {
  private readonly byObject = new Map<string, ObjectSource>();
  private readonly parsed = new Map<string, ParsedDocument>();
  private readonly fast = new Map<
    string,
    { positions?: DocumentPositions; lineStarts: number[] }
  >();

  constructor(objects: KubeObject[], sources: Map<KubeObject, ObjectSource>) {
    for (const object of objects) {
      const source = sources.get(object);
      if (!source) continue;
      const meta = object.metadata ?? {};
      // The engine puts namespaced objects without a namespace in `default`.
      const namespace =
        meta.namespace ?? (object.kind === 'Namespace' ? undefined : 'default');
      const key = objectKey(object.kind, namespace, meta.name);
      if (!this.byObject.has(key)) this.byObject.set(key, source);
    }
  }

  /** The location of a workload's finding; undefined when the workload came from no file. */
  locate(
    workload: WorkloadReport,
    evidence: Evidence | undefined,
  ): Location | undefined {
    if (evidence) {
      const source =
        this.byObject.get(
          objectKey(evidence.kind, evidence.namespace, evidence.name),
        ) ??
        (evidence.namespace === undefined
          ? undefined
          : this.byObject.get(
              objectKey(evidence.kind, undefined, evidence.name),
            ));
      if (source) {
        const found = this.position(
          source,
          evidence.field ? fieldPath(evidence.field) : [],
        );
        if (found) return found;
      }
    }
    const own = this.byObject.get(
      objectKey(workload.kind, workload.namespace, workload.name),
    );
    return own ? this.position(own, []) : undefined;
  }

  /**
   * The position of `field` in the object: a key's line for a field under
   * a mapping (`labels:`), the entry's for a list item (`- name: http`);
   * for a field that is not there, the deepest one of its parents that is.
   */
  private position(
    source: ObjectSource,
    field: Array<string | number>,
  ): Location | undefined {
    return this.fastPosition(source, field) ?? this.yamlPosition(source, field);
  }

  /** js-yaml's positions, where they are sure: most documents, at a fraction of the `yaml` library's cost. */
  private fastPosition(
    source: ObjectSource,
    field: Array<string | number>,
  ): Location | undefined {
    if (source.documentIndex !== 0) return undefined;
    const key = `${source.file}\u0000${source.document.line}`;
    let entry = this.fast.get(key);
    if (!entry) {
      const text = source.document.text;
      const lineStarts = [0];
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1))
        lineStarts.push(i + 1);
      entry = { positions: documentPositions(text), lineStarts };
      this.fast.set(key, entry);
    }
    const offset = entry.positions?.offsetOf([...source.path, ...field]);
    if (offset === undefined) return undefined;
    let low = 0;
    let high = entry.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (entry.lineStarts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return {
      file: source.file,
      line: source.document.line + low,
      column: offset - entry.lineStarts[low] + 1,
    };
  }

  private yamlPosition(
    source: ObjectSource,
    field: Array<string | number>,
  ): Location | undefined {
    const document = this.document(source);
    let node: unknown = document.nodes[source.documentIndex];
    for (const step of source.path) node = child(node, step)?.value;
    if (!yamlLibrary().isNode(node)) return undefined;
    let at: Node = node;
    for (const step of field) {
      const next = child(node, step);
      if (!next) break;
      at = next.at;
      node = next.value;
    }
    const offset = at.range?.[0];
    if (offset === undefined) return undefined;
    const { line, col } = document.lineCounter.linePos(offset);
    return {
      file: source.file,
      line: line + source.document.line - 1,
      column: col,
    };
  }

  private document(source: ObjectSource): ParsedDocument {
    const key = `${source.file}\u0000${source.document.line}`;
    let parsed = this.parsed.get(key);
    if (!parsed) {
      const { LineCounter: Counter, parseAllDocuments } = yamlLibrary();
      const lineCounter = new Counter();
      const docs = parseAllDocuments(source.document.text, {
        lineCounter,
        uniqueKeys: false,
      });
      const list = Array.isArray(docs) ? docs : [docs];
      parsed = {
        lineCounter,
        nodes: list.map(d => (d.contents as Node | null) ?? null),
      };
      this.parsed.set(key, parsed);
    }
    return parsed;
  }
}

/** The node under `step`, and the node that marks it: the key in a mapping, the item in a list. */
function child(
  node: unknown,
  step: string | number,
): { value: unknown; at: Node } | undefined {
  const { isMap, isNode, isScalar, isSeq } = yamlLibrary();
  if (isMap(node) && typeof step === 'string') {
    const pair = node.items.find(
      item => (isScalar(item.key) ? item.key.value : item.key) === step,
    );
    return pair && isNode(pair.key)
      ? { value: pair.value, at: pair.key }
      : undefined;
  }
  if (isSeq(node) && typeof step === 'number') {
    const item = node.items[step];
    return isNode(item) ? { value: item, at: item } : undefined;
  }
  return undefined;
}
