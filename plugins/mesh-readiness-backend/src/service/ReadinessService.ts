/*
 * Reports per entity, team and organisation, read from the store: the
 * catalog decides what the caller may see.
 */
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { Entity, RELATION_OWNED_BY, stringifyEntityRef } from '@backstage/catalog-model';
import {
  applyWaivers,
  ClusterResult,
  ComponentScore,
  EntityReadinessResponse,
  FailingRule,
  Finding,
  GroupScorecardResponse,
  KUBERNETES_CLUSTER_ANNOTATION,
  LabelSelector,
  OrganizationScorecardResponse,
  RULE_DEFINITIONS,
  summarize,
  summarizeMode,
  TeamSummary,
  TrendPoint,
  waiversFromAnnotations,
  WorkloadReport,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import { mappingOf, workloadMatches } from './entityMapping';
import { clusterState, HistoryRow, ReadinessStore, StoredCluster, StoredWorkload } from './ReadinessStore';

const TREND_DAYS = 14;

/**
 * Stored workloads of a cluster by each `key=value` of their pod or own
 * labels, built once per stored result, so a component finds its workloads
 * without comparing its selector with every workload. Keyed by the stored
 * workloads list, which the store keeps until another scan replaces it
 * (each call to `clusters()` returns new cluster objects around it).
 */
const workloadsByLabel = new WeakMap<StoredWorkload[], Map<string, StoredWorkload[]>>();

function candidatesFor(cluster: StoredCluster, selector: LabelSelector): StoredWorkload[] {
  const [pair] = Object.entries(selector.matchLabels ?? {});
  if (!pair) return cluster.workloads;
  let index = workloadsByLabel.get(cluster.workloads);
  if (!index) {
    index = new Map();
    for (const w of cluster.workloads) {
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
    workloadsByLabel.set(cluster.workloads, index);
  }
  return index.get(`${pair[0]}=${pair[1]}`) ?? [];
}

/** A component is ready when it has workloads and every one of them is ready. */
function componentReady(report: EntityReadinessResponse): boolean {
  return report.mapped && report.summary.workloads > 0 && report.summary.readyWorkloads === report.summary.workloads;
}

function ownersOf(entity: Entity): string[] {
  return (entity.relations ?? []).filter(r => r.type === RELATION_OWNED_BY).map(r => r.targetRef);
}

/**
 * The findings a workload does not clear, once per report: stored reports
 * (and cached entity reports) stay the same objects until another scan lands.
 */
const failingFindings = new WeakMap<WorkloadReport, Finding[]>();

function failingFindingsOf(workload: WorkloadReport): Finding[] {
  let found = failingFindings.get(workload);
  if (!found) {
    found = workload.findings.filter(f => f.status === 'fail' || f.status === 'warn' || f.status === 'unknown');
    failingFindings.set(workload, found);
  }
  return found;
}

/** Catalogue order, to break ties; custom rules come after the built-in ones. */
const catalogueOrder = new Map(RULE_DEFINITIONS.map((r, i) => [r.id, i]));

/** Rules that hold workloads back, most first; custom rules count as the built-in ones do. */
export function topFailingRules(workloads: WorkloadReport[], limit = 5): FailingRule[] {
  const rules = new Map<string, FailingRule>();
  for (const w of workloads) {
    for (const f of failingFindingsOf(w)) {
      const rule = rules.get(f.ruleId);
      if (rule) rule.workloads++;
      else rules.set(f.ruleId, { ruleId: f.ruleId, title: f.title, severity: f.severity, workloads: 1 });
    }
  }
  const order = (id: string) => catalogueOrder.get(id) ?? RULE_DEFINITIONS.length;
  return [...rules.values()]
    .sort((a, b) => b.workloads - a.workloads || order(a.ruleId) - order(b.ruleId) || a.ruleId.localeCompare(b.ruleId))
    .slice(0, limit);
}

/** Workloads per data-plane mode, for scorecards. */
function modesOf(workloads: WorkloadReport[]) {
  return { sidecar: summarizeMode(workloads, 'sidecar'), ambient: summarizeMode(workloads, 'ambient') };
}

/** Why an entity pinned to a cluster no source reads shows nothing, and what it could name instead. */
function unknownClusterMessage(cluster: string, clusters: StoredCluster[]): string {
  const known = clusters.map(c => c.cluster);
  return (
    `No cluster named "${cluster}" has been read: the ${KUBERNETES_CLUSTER_ANNOTATION} annotation must name a cluster ` +
    `of the Kubernetes plugin's configuration or of the catalog (${known.length ? `read so far: ${known.join(', ')}` : 'none read yet'}).`
  );
}

/** One point per scan: the entities' average score and ready count. */
export function trendOf(rows: HistoryRow[]): TrendPoint[] {
  const byScan = new Map<string, HistoryRow[]>();
  for (const r of rows) {
    const scan = byScan.get(r.scannedAt);
    if (scan) scan.push(r);
    else byScan.set(r.scannedAt, [r]);
  }
  return [...byScan]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([scannedAt, scan]) => ({
      scannedAt,
      components: scan.length,
      readyComponents: scan.filter(r => r.ready).length,
      averageScore: Math.round(scan.reduce((s, r) => s + r.score, 0) / scan.length),
    }));
}

/** Whether two lists of stored clusters give every entity the same report. */
function sameClusters(a: StoredCluster[], b: StoredCluster[]): boolean {
  return (
    a.length === b.length &&
    a.every((c, i) => {
      const d = b[i];
      return (
        c.cluster === d.cluster &&
        c.status === d.status &&
        c.error === d.error &&
        c.scannedAt === d.scannedAt &&
        // The store hands out the same parsed lists until another scan lands.
        c.workloads === d.workloads &&
        c.warnings === d.warnings
      );
    })
  );
}

function sameAnnotations(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every(k => Object.prototype.hasOwnProperty.call(b, k) && a[k] === b[k]);
}

/** An entity's report, with what it was computed from (besides the clusters). */
interface CachedReport {
  kind: string;
  name: string;
  annotations: Record<string, string>;
  report: EntityReadinessResponse;
}

export class ReadinessService {
  /**
   * Reports of the entities in scorecards, while the stored clusters stay
   * as they were: between scans a scorecard only re-reads the entities.
   */
  private reports?: { clusters: StoredCluster[]; byRef: Map<string, CachedReport> };

  constructor(
    private readonly store: ReadinessStore,
    private readonly catalog: CatalogService,
  ) {}

  /** reportFor of each entity, reusing the report of an unchanged entity over unchanged clusters. */
  private reportsFor(entities: Entity[], clusters: StoredCluster[]): EntityReadinessResponse[] {
    if (!this.reports || !sameClusters(this.reports.clusters, clusters)) {
      this.reports = { clusters, byRef: new Map() };
    }
    const { byRef } = this.reports;
    return entities.map(entity => {
      // reportFor reads the entity's kind, name, namespace (in its ref) and annotations.
      const ref = stringifyEntityRef(entity);
      const annotations = entity.metadata.annotations ?? {};
      const cached = byRef.get(ref);
      if (
        cached &&
        cached.kind === entity.kind &&
        cached.name === entity.metadata.name &&
        sameAnnotations(cached.annotations, annotations)
      ) {
        return cached.report;
      }
      const report = ReadinessService.reportFor(entity, clusters);
      byRef.set(ref, { kind: entity.kind, name: entity.metadata.name, annotations: { ...annotations }, report });
      return report;
    });
  }

  /** The entity's report from stored cluster results. Pure over its inputs. */
  static reportFor(entity: Entity, clusters: StoredCluster[]): EntityReadinessResponse {
    const entityRef = stringifyEntityRef(entity);
    const mapping = mappingOf(entity);
    if (!mapping.mapped) {
      return {
        entityRef,
        mapped: false,
        notMappedReason: mapping.reason,
        suggestedAnnotations: mapping.suggestedAnnotations,
        summary: summarize([]),
        clusters: [],
        workloads: [],
        errors: [],
      };
    }
    const waivers = waiversFromAnnotations(entity.metadata.annotations ?? {}, `${entity.kind} ${entityRef}`);
    const results: ClusterResult[] = clusters
      .filter(c => !mapping.cluster || c.cluster === mapping.cluster)
      .map(c => ({
        ...clusterState(c),
        workloads: candidatesFor(c, mapping.selector)
          .filter(w => workloadMatches(mapping, c.cluster, w.labels))
          .map(w => applyWaivers(w.report, waivers)),
      }));
    const workloads = results.flatMap(r => r.workloads);
    const scanned = results.map(r => r.scannedAt).filter((s): s is string => !!s).sort();
    return {
      entityRef,
      mapped: true,
      ...(scanned.length ? { scannedAt: scanned[scanned.length - 1] } : {}),
      summary: summarize(workloads),
      clusters: results,
      workloads,
      errors: [
        ...clusters
          .filter(c => c.status === 'error')
          .map(c => ({ cluster: c.cluster, message: c.error ?? 'scan failed' })),
        ...clusters.flatMap(c => c.warnings.map(message => ({ cluster: c.cluster, message }))),
        ...(mapping.cluster && !clusters.some(c => c.cluster === mapping.cluster)
          ? [{ cluster: mapping.cluster, message: unknownClusterMessage(mapping.cluster, clusters) }]
          : []),
      ],
    };
  }

  async entityReport(entity: Entity): Promise<EntityReadinessResponse> {
    return ReadinessService.reportFor(entity, await this.store.clusters());
  }

  private static score(entity: Entity, report: EntityReadinessResponse): ComponentScore {
    return {
      entityRef: report.entityRef,
      name: entity.metadata.name,
      ...(entity.metadata.title ? { title: entity.metadata.title } : {}),
      mapped: report.mapped,
      ready: componentReady(report),
      level: report.summary.level,
      score: report.summary.score,
      workloads: report.summary.workloads,
      ...(report.scannedAt ? { scannedAt: report.scannedAt } : {}),
    };
  }

  async componentsOwnedBy(groupRef: string, credentials: BackstageCredentials): Promise<Entity[]> {
    const { items } = await this.catalog.getEntities(
      { filter: { kind: 'Component', 'relations.ownedBy': groupRef } },
      { credentials },
    );
    return items;
  }

  async groupScorecard(group: Entity, credentials: BackstageCredentials): Promise<GroupScorecardResponse> {
    const groupRef = stringifyEntityRef(group);
    const components = await this.componentsOwnedBy(groupRef, credentials);
    const clusters = await this.store.clusters();
    const reports = this.reportsFor(components, clusters).map((report, i) => ({ entity: components[i], report }));
    const scores = reports
      .map(({ entity, report }) => ReadinessService.score(entity, report))
      .sort((a, b) => a.score - b.score || (a.name < b.name ? -1 : 1));
    const mapped = scores.filter(s => s.mapped);
    const distribution = { 0: 0, 1: 0, 2: 0, 3: 0, notMapped: 0 };
    for (const s of scores) {
      if (s.mapped) distribution[s.level]++;
      else distribution.notMapped++;
    }
    const since = new Date(Date.now() - TREND_DAYS * 24 * 3600 * 1000);
    return {
      groupRef,
      ...(group.metadata.title ? { title: group.metadata.title } : {}),
      components: scores,
      levelDistribution: distribution,
      averageScore: mapped.length ? Math.round(mapped.reduce((s, c) => s + c.score, 0) / mapped.length) : 0,
      readyComponents: scores.filter(s => s.ready).length,
      topFailingRules: topFailingRules(reports.flatMap(r => r.report.workloads)),
      modes: modesOf(reports.flatMap(r => r.report.workloads)),
      trend: trendOf(await this.store.history(mapped.map(s => s.entityRef), since)),
    };
  }

  async organizationScorecard(credentials: BackstageCredentials): Promise<OrganizationScorecardResponse> {
    const [{ items: groups }, { items: components }, clusters] = await Promise.all([
      this.catalog.getEntities({ filter: { kind: 'Group' } }, { credentials }),
      this.catalog.getEntities({ filter: { kind: 'Component' } }, { credentials }),
      this.store.clusters(),
    ]);
    const reports = this.reportsFor(components, clusters).map((report, i) => ({ entity: components[i], report }));
    const teams: TeamSummary[] = groups
      .map(group => {
        const groupRef = stringifyEntityRef(group);
        const owned = reports.filter(r => ownersOf(r.entity).includes(groupRef));
        const scores = owned.map(r => ReadinessService.score(r.entity, r.report));
        const mapped = scores.filter(s => s.mapped);
        const ready = scores.filter(s => s.ready).length;
        const workloads = owned.flatMap(r => r.report.workloads);
        return {
          groupRef,
          ...(group.metadata.title ? { title: group.metadata.title } : {}),
          components: scores.length,
          mappedComponents: mapped.length,
          readyComponents: ready,
          readyShare: scores.length ? ready / scores.length : 0,
          averageScore: mapped.length ? Math.round(mapped.reduce((s, c) => s + c.score, 0) / mapped.length) : 0,
          workloads: workloads.length,
          ambientReadyWorkloads: summarizeMode(workloads, 'ambient').readyWorkloads,
        };
      })
      .filter(t => t.components > 0)
      .sort((a, b) => b.readyShare - a.readyShare || (a.groupRef < b.groupRef ? -1 : 1));
    const scanned = clusters.map(c => c.scannedAt).filter((s): s is string => !!s).sort();
    return {
      teams,
      topFailingRules: topFailingRules(reports.flatMap(r => r.report.workloads)),
      modes: modesOf(reports.flatMap(r => r.report.workloads)),
      ...(scanned.length ? { scannedAt: scanned[scanned.length - 1] } : {}),
    };
  }

  /** After a scan: one history row per mapped component, for trends. */
  async recordHistory(credentials: BackstageCredentials): Promise<number> {
    const [{ items: components }, clusters] = await Promise.all([
      this.catalog.getEntities({ filter: { kind: 'Component' } }, { credentials }),
      this.store.clusters(),
    ]);
    const scannedAt = new Date().toISOString();
    const rows: HistoryRow[] = [];
    for (const c of components) {
      const report = ReadinessService.reportFor(c, clusters);
      if (!report.mapped) continue;
      rows.push({
        entityRef: report.entityRef,
        scannedAt,
        level: report.summary.level,
        score: report.summary.score,
        ready: componentReady(report),
        workloads: report.summary.workloads,
      });
    }
    await this.store.addHistory(rows);
    return rows.length;
  }
}
