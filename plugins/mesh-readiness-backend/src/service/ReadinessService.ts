/*
 * Reports per entity, team and organisation, read from the store: the
 * catalog decides what the caller may see.
 */
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  Entity,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  applyWaivers,
  averageScore,
  componentReady,
  dayOf,
  ClusterResult,
  ComponentScore,
  EntityReadinessResponse,
  ExpiringWaiver,
  GroupScorecardResponse,
  KUBERNETES_CLUSTER_ANNOTATION,
  OrganizationScorecardResponse,
  summarize,
  summarizeMode,
  TeamSummary,
  topFailingRules,
  TrendPoint,
  waiversExpiringWithin,
  waiversFromAnnotations,
  WorkloadReport,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import { mappingOf, workloadMatches } from './entityMapping';
import {
  clusterState,
  HistoryRow,
  ReadinessStore,
  StoredCluster,
} from './ReadinessStore';
import {
  EntityReportCache,
  resultsKey,
  WorkloadLabelIndex,
} from './reportCache';
import { SerializedJson } from './serializedJson';

const TREND_DAYS = 14;
/** How far ahead the scorecard looks for waivers that run out. */
export const EXPIRING_WAIVER_DAYS = 14;

function ownersOf(entity: Entity): string[] {
  return (entity.relations ?? [])
    .filter(r => r.type === RELATION_OWNED_BY)
    .map(r => r.targetRef);
}

/** Waivers in effect on the reports' workloads that run out within `days`, soonest first. */
export function expiringWaiversOf(
  reports: EntityReadinessResponse[],
  now: Date,
  days: number,
): ExpiringWaiver[] {
  return reports
    .flatMap(report =>
      report.workloads.flatMap(w =>
        waiversExpiringWithin(w, now, days).map(
          ({ ruleId, reason, source, until }) => ({
            entityRef: report.entityRef,
            workload: `${w.cluster}/${w.kind}/${w.namespace}/${w.name}`,
            ruleId,
            reason,
            source,
            until,
          }),
        ),
      ),
    )
    .sort(
      (a, b) =>
        a.until.localeCompare(b.until) ||
        a.entityRef.localeCompare(b.entityRef),
    );
}

/** Workloads per data-plane mode, for scorecards. */
function modesOf(workloads: WorkloadReport[]) {
  return {
    sidecar: summarizeMode(workloads, 'sidecar'),
    ambient: summarizeMode(workloads, 'ambient'),
  };
}

/** Why an entity pinned to a cluster no source reads shows nothing, and what it could name instead. */
function unknownClusterMessage(
  cluster: string,
  clusters: StoredCluster[],
): string {
  const known = clusters.map(c => c.cluster);
  return (
    `No cluster named "${cluster}" has been read: the ${KUBERNETES_CLUSTER_ANNOTATION} annotation must name a cluster ` +
    `of the Kubernetes plugin's configuration or of the catalog (${
      known.length ? `read so far: ${known.join(', ')}` : 'none read yet'
    }).`
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
      averageScore: averageScore(scan.map(r => r.score)),
    }));
}

export class ReadinessService {
  /** Entity reports, kept while the stored results stay the same: between scans a scorecard only re-reads the entities. */
  private readonly reports = new EntityReportCache();
  private readonly labelIndex = new WorkloadLabelIndex();

  constructor(
    private readonly store: ReadinessStore,
    private readonly catalog: CatalogService,
  ) {}

  /**
   * The entity's report as the HTTP API sends it: serialised once per stored
   * results (and day) and entity, not on every request.
   */
  async serializedEntityReport(entity: Entity): Promise<SerializedJson> {
    const { key, compute } = this.reportsOver(await this.store.clusters());
    return this.reports.serializedFor(key, entity, compute);
  }

  /** The report of each entity over the stored results, reusing those already computed for them. */
  private reportsFor(
    entities: Entity[],
    clusters: StoredCluster[],
  ): EntityReadinessResponse[] {
    const { key, compute } = this.reportsOver(clusters);
    return this.reports.reportsFor(key, entities, compute);
  }

  /** The cache key of reports over these stored results today, and how to compute one. */
  private reportsOver(clusters: StoredCluster[]) {
    const now = new Date();
    this.labelIndex.keepOnly(clusters);
    // Waivers run out by the day: a new day computes every report afresh.
    const key = `${dayOf(now)} ${resultsKey(clusters)}`;
    return {
      key,
      compute: (entity: Entity) => this.reportFor(entity, clusters, now),
    };
  }

  /** The entity's report from stored cluster results. */
  private reportFor(
    entity: Entity,
    clusters: StoredCluster[],
    now: Date,
  ): EntityReadinessResponse {
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
    const entityWaivers = waiversFromAnnotations(
      entity.metadata.annotations ?? {},
      `${entity.kind} ${entityRef}`,
    );
    const results: ClusterResult[] = clusters
      .filter(c => !mapping.cluster || c.cluster === mapping.cluster)
      .map(c => ({
        ...clusterState(c),
        workloads: this.labelIndex
          .candidatesFor(c, mapping.selector)
          .filter(w => workloadMatches(mapping, c.cluster, w.labels))
          .map(w => applyWaivers(w.report, entityWaivers.waivers, now)),
      }));
    const workloads = results.flatMap(r => r.workloads);
    const scanned = results
      .map(r => r.scannedAt)
      .filter((s): s is string => !!s)
      .sort();
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
          .map(c => ({
            cluster: c.cluster,
            message: c.error ?? 'scan failed',
          })),
        ...clusters.flatMap(c =>
          c.warnings.map(message => ({ cluster: c.cluster, message })),
        ),
        // Waivers refused for a date nobody can read: the findings they name still count.
        ...entityWaivers.errors.map(message => ({ message })),
        ...results.flatMap(r =>
          r.workloads.flatMap(w =>
            (w.waiverErrors ?? []).map(message => ({
              cluster: r.cluster,
              message,
            })),
          ),
        ),
        ...(mapping.cluster &&
        !clusters.some(c => c.cluster === mapping.cluster)
          ? [
              {
                cluster: mapping.cluster,
                message: unknownClusterMessage(mapping.cluster, clusters),
              },
            ]
          : []),
      ],
    };
  }

  /** The reports of these entities from the stored results, as the scorecards compute them. */
  async reportsOf(entities: Entity[]): Promise<EntityReadinessResponse[]> {
    return this.reportsFor(entities, await this.store.clusters());
  }

  async entityReport(entity: Entity): Promise<EntityReadinessResponse> {
    const [report] = this.reportsFor([entity], await this.store.clusters());
    return report;
  }

  private static score(
    entity: Entity,
    report: EntityReadinessResponse,
  ): ComponentScore {
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

  async componentsOwnedBy(
    groupRef: string,
    credentials: BackstageCredentials,
  ): Promise<Entity[]> {
    const { items } = await this.catalog.getEntities(
      { filter: { kind: 'Component', 'relations.ownedBy': groupRef } },
      { credentials },
    );
    return items;
  }

  async groupScorecard(
    group: Entity,
    credentials: BackstageCredentials,
  ): Promise<GroupScorecardResponse> {
    const groupRef = stringifyEntityRef(group);
    const components = await this.componentsOwnedBy(groupRef, credentials);
    const clusters = await this.store.clusters();
    const reports = this.reportsFor(components, clusters).map((report, i) => ({
      entity: components[i],
      report,
    }));
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
      averageScore: averageScore(mapped.map(c => c.score)),
      readyComponents: scores.filter(s => s.ready).length,
      topFailingRules: topFailingRules(
        reports.flatMap(r => r.report.workloads),
      ),
      modes: modesOf(reports.flatMap(r => r.report.workloads)),
      trend: trendOf(
        await this.store.history(
          mapped.map(s => s.entityRef),
          since,
        ),
      ),
      expiringWaivers: expiringWaiversOf(
        reports.map(r => r.report),
        new Date(),
        EXPIRING_WAIVER_DAYS,
      ),
    };
  }

  async organizationScorecard(
    credentials: BackstageCredentials,
  ): Promise<OrganizationScorecardResponse> {
    const [{ items: groups }, { items: components }, clusters] =
      await Promise.all([
        this.catalog.getEntities(
          { filter: { kind: 'Group' } },
          { credentials },
        ),
        this.catalog.getEntities(
          { filter: { kind: 'Component' } },
          { credentials },
        ),
        this.store.clusters(),
      ]);
    const reports = this.reportsFor(components, clusters).map((report, i) => ({
      entity: components[i],
      report,
    }));
    const teams: TeamSummary[] = groups
      .map(group => {
        const groupRef = stringifyEntityRef(group);
        const owned = reports.filter(r =>
          ownersOf(r.entity).includes(groupRef),
        );
        const scores = owned.map(r =>
          ReadinessService.score(r.entity, r.report),
        );
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
          averageScore: averageScore(mapped.map(c => c.score)),
          workloads: workloads.length,
          ambientReadyWorkloads: summarizeMode(workloads, 'ambient')
            .readyWorkloads,
        };
      })
      .filter(t => t.components > 0)
      .sort(
        (a, b) =>
          b.readyShare - a.readyShare || (a.groupRef < b.groupRef ? -1 : 1),
      );
    const scanned = clusters
      .map(c => c.scannedAt)
      .filter((s): s is string => !!s)
      .sort();
    return {
      teams,
      topFailingRules: topFailingRules(
        reports.flatMap(r => r.report.workloads),
      ),
      modes: modesOf(reports.flatMap(r => r.report.workloads)),
      ...(scanned.length ? { scannedAt: scanned[scanned.length - 1] } : {}),
    };
  }

  /** After a scan: one history row per mapped component, for trends. */
  async recordHistory(credentials: BackstageCredentials): Promise<number> {
    const [{ items: components }, clusters] = await Promise.all([
      this.catalog.getEntities(
        { filter: { kind: 'Component' } },
        { credentials },
      ),
      this.store.clusters(),
    ]);
    const scannedAt = new Date().toISOString();
    const rows: HistoryRow[] = [];
    for (const report of this.reportsFor(components, clusters)) {
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
