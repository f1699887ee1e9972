/*
 * What the readiness service keeps between requests, each part under the
 * ids of the stored results it was built from, so that a new scan (on any
 * replica) or a failed one makes it build afresh. Nothing here decides what
 * a caller may see: the catalog is asked on every request.
 */
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  EntityReadinessResponse,
  LabelSelector,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import { StoredCluster, StoredWorkload } from './ReadinessStore';
import { serializeJson, SerializedJson } from './serializedJson';

/**
 * Everything of the stored clusters that a report reads: each cluster's
 * name, status, error and result id (its workloads, warnings and scan time
 * come with the result).
 */
export function resultsKey(clusters: StoredCluster[]): string {
  return JSON.stringify(
    clusters.map(c => [
      c.cluster,
      c.status,
      c.error ?? null,
      c.resultId ?? null,
    ]),
  );
}

/**
 * Stored workloads of each cluster by each `key=value` of their pod or own
 * labels, so that a component finds its workloads without comparing its
 * selector with every workload. One index per cluster, under its result id.
 */
export class WorkloadLabelIndex {
  private readonly byCluster = new Map<
    string,
    { resultId: string; index: Map<string, StoredWorkload[]> }
  >();

  /** The cluster's workloads that may match the selector (all of them when it has no label to look up). */
  candidatesFor(
    cluster: StoredCluster,
    selector: LabelSelector,
  ): StoredWorkload[] {
    const [pair] = Object.entries(selector.matchLabels ?? {});
    if (!pair || !cluster.resultId) return cluster.workloads;
    let kept = this.byCluster.get(cluster.cluster);
    if (kept?.resultId !== cluster.resultId) {
      kept = {
        resultId: cluster.resultId,
        index: WorkloadLabelIndex.build(cluster.workloads),
      };
      this.byCluster.set(cluster.cluster, kept);
    }
    return kept.index.get(`${pair[0]}=${pair[1]}`) ?? [];
  }

  /** Forgets the indexes of clusters no longer stored. */
  keepOnly(clusters: StoredCluster[]): void {
    const current = new Set(clusters.map(c => c.cluster));
    for (const cluster of this.byCluster.keys())
      if (!current.has(cluster)) this.byCluster.delete(cluster);
  }

  private static build(
    workloads: StoredWorkload[],
  ): Map<string, StoredWorkload[]> {
    const index = new Map<string, StoredWorkload[]>();
    for (const w of workloads) {
      const keys = new Set([
        ...Object.entries(w.labels.podLabels).map(([k, v]) => `${k}=${v}`),
        ...Object.entries(w.labels.labels).map(([k, v]) => `${k}=${v}`),
      ]);
      for (const key of keys) {
        const list = index.get(key);
        if (list) list.push(w);
        else index.set(key, [w]);
      }
    }
    return index;
  }
}

function sameAnnotations(
  a: Record<string, string>,
  b: Record<string, string>,
): boolean {
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every(k => Object.prototype.hasOwnProperty.call(b, k) && a[k] === b[k])
  );
}

/** An entity's report, with what it was computed from besides the stored results. */
interface CachedReport {
  kind: string;
  name: string;
  annotations: Record<string, string>;
  report: EntityReadinessResponse;
  /** Its JSON, made the first time it is sent. */
  serialized?: SerializedJson;
}

/**
 * Entity reports under the stored results and the day they were computed
 * for (waivers run out by the day). An entity whose kind, name or
 * annotations changed gets a new report.
 */
export class EntityReportCache {
  private current?: { key: string; byRef: Map<string, CachedReport> };

  /** The cached report of each entity, computing those it lacks; `key` names the results and day. */
  reportsFor(
    key: string,
    entities: Entity[],
    compute: (entity: Entity) => EntityReadinessResponse,
  ): EntityReadinessResponse[] {
    return entities.map(entity => this.entryFor(key, entity, compute).report);
  }

  /** The entity's report as JSON, serialised once for as long as its report is kept. */
  serializedFor(
    key: string,
    entity: Entity,
    compute: (entity: Entity) => EntityReadinessResponse,
  ): SerializedJson {
    const entry = this.entryFor(key, entity, compute);
    entry.serialized ??= serializeJson(entry.report);
    return entry.serialized;
  }

  private entryFor(
    key: string,
    entity: Entity,
    compute: (entity: Entity) => EntityReadinessResponse,
  ): CachedReport {
    if (this.current?.key !== key) this.current = { key, byRef: new Map() };
    const { byRef } = this.current;
    // A report reads the entity's kind, name, namespace (in its ref) and annotations.
    const ref = stringifyEntityRef(entity);
    const annotations = entity.metadata.annotations ?? {};
    const cached = byRef.get(ref);
    if (
      cached &&
      cached.kind === entity.kind &&
      cached.name === entity.metadata.name &&
      sameAnnotations(cached.annotations, annotations)
    ) {
      return cached;
    }
    const entry = {
      kind: entity.kind,
      name: entity.metadata.name,
      annotations: { ...annotations },
      report: compute(entity),
    };
    byRef.set(ref, entry);
    return entry;
  }
}
