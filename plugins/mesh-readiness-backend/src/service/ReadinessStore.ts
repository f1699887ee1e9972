/*
 * The plugin database: the latest result per cluster and history per
 * entity. SQLite by default, PostgreSQL in production.
 */
import { randomUUID } from 'node:crypto';
import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { WorkloadReport } from '@mesh-readiness/plugin-mesh-readiness-common';
import { WorkloadLabels } from './entityMapping';
import { storedJson } from './storedJson';

const migrationsDir = resolvePackagePath(
  '@mesh-readiness/plugin-mesh-readiness-backend',
  'migrations',
);

export interface StoredWorkload {
  report: WorkloadReport;
  labels: WorkloadLabels;
}

export interface StoredCluster {
  cluster: string;
  status: 'ok' | 'error';
  error?: string;
  attemptedAt: string;
  /** When the stored workloads were read; undefined when never. */
  scannedAt?: string;
  /**
   * The id of the stored result (workloads and warnings), new with each
   * good scan of the cluster, on any replica; undefined when never read.
   * What is built from a result is kept under this id.
   */
  resultId?: string;
  workloads: StoredWorkload[];
  /** Problems that did not stop the scan (unreadable kinds or files). */
  warnings: string[];
}

export interface HistoryRow {
  entityRef: string;
  scannedAt: string;
  level: number;
  score: number;
  ready: boolean;
  workloads: number;
}

/** One scan as the scans table keeps it. */
export interface ScanRecord {
  id: number;
  trigger: 'schedule' | 'refresh';
  runner: string;
  startedAt: string;
  /** Undefined while the scan runs, or when its backend stopped mid-scan. */
  finishedAt?: string;
  /** The clusters it set out to read, known from its start; undefined on scans of every cluster from before. */
  planned?: string[];
  /** Per cluster: ok, or the error. Undefined until the scan ends. */
  clusters?: Array<{ cluster: string; ok: boolean; error?: string }>;
}

/** A cluster on the replicas' shared waiting list. */
export interface WaitingCluster {
  cluster: string;
  /** When it was first found with no replica free, in ms. */
  since: number;
  /** The replica whose free slot pulled it, and when (ms). */
  pulledBy?: string;
  pulledAt?: number;
}

function waitingFromRow(row: {
  cluster: string;
  since: unknown;
  pulled_by: string | null;
  pulled_at: unknown;
}): WaitingCluster {
  return {
    cluster: row.cluster,
    since: new Date(row.since as string).getTime(),
    ...(row.pulled_by
      ? {
          pulledBy: row.pulled_by,
          pulledAt: new Date(row.pulled_at as string).getTime(),
        }
      : {}),
  };
}

/** How many scan rows are kept (each scheduled read of a cluster is one); older ones are deleted as new scans end. */
const SCANS_KEPT = 10_000;

/** A cluster's stored body. */
interface StoredBody {
  workloads: StoredWorkload[];
  warnings: string[];
}

/** The body of a cluster never read; frozen, as every caller shares it. */
const NOTHING_STORED: StoredBody = Object.freeze({
  workloads: Object.freeze([]) as unknown as StoredWorkload[],
  warnings: Object.freeze([]) as unknown as string[],
});

/** What every answer says of a cluster's latest attempt; stale when it failed after an earlier good read. */
export function clusterState(c: StoredCluster) {
  return {
    cluster: c.cluster,
    status: c.status,
    ...(c.error ? { error: c.error } : {}),
    ...(c.scannedAt ? { scannedAt: c.scannedAt } : {}),
    ...(c.status === 'error' && c.scannedAt ? { stale: true } : {}),
  };
}

const toIso = (value: unknown): string | undefined =>
  value === null || value === undefined
    ? undefined
    : new Date(value as string).toISOString();

export class ReadinessStore {
  static async create(database: DatabaseService): Promise<ReadinessStore> {
    const client = await database.getClient();
    if (!database.migrations?.skip) {
      await client.migrate.latest({ directory: migrationsDir });
    }
    return new ReadinessStore(client);
  }

  constructor(private readonly db: Knex) {}

  /** A good scan replaces the cluster's result in one statement. */
  async saveClusterResult(
    cluster: string,
    at: Date,
    workloads: StoredWorkload[],
    warnings: string[],
  ) {
    const resultId = randomUUID();
    await this.db('mesh_readiness_clusters')
      .insert({
        cluster,
        status: 'ok',
        error: null,
        attempted_at: at,
        scanned_at: at,
        workloads: storedJson(workloads, warnings),
        result_id: resultId,
      })
      .onConflict('cluster')
      .merge();
    // This replica has the result in hand: no need to read and parse it back.
    // Another replica parses it once, when it first sees the new result id.
    this.parsed.set(cluster, {
      resultId,
      scannedAt: at.toISOString(),
      body: { workloads, warnings },
    });
  }

  /** A failed scan keeps the previous good workloads, which become stale. */
  async saveClusterFailure(cluster: string, at: Date, error: string) {
    await this.db('mesh_readiness_clusters')
      .insert({
        cluster,
        status: 'error',
        error,
        attempted_at: at,
        scanned_at: null,
        workloads: null,
      })
      .onConflict('cluster')
      .merge(['status', 'error', 'attempted_at']);
  }

  /**
   * Parsed results by cluster, under their result id: a result is read and
   * parsed once, when this replica first sees its id.
   */
  private readonly parsed = new Map<
    string,
    { resultId: string; scannedAt?: string; body: StoredBody }
  >();

  async clusters(): Promise<StoredCluster[]> {
    const rows = await this.db('mesh_readiness_clusters')
      .select(
        'cluster',
        'status',
        'error',
        'attempted_at',
        'scanned_at',
        'result_id',
      )
      .orderBy('cluster');
    const unparsed = rows.filter(
      r => r.result_id && this.parsed.get(r.cluster)?.resultId !== r.result_id,
    );
    if (unparsed.length > 0) {
      const blobs = await this.db('mesh_readiness_clusters')
        .select('cluster', 'result_id', 'scanned_at', 'workloads')
        .whereIn(
          'cluster',
          unparsed.map(r => r.cluster),
        );
      for (const b of blobs) {
        if (!b.result_id) continue;
        const body: Partial<StoredBody> = b.workloads
          ? JSON.parse(b.workloads)
          : NOTHING_STORED;
        this.parsed.set(b.cluster, {
          resultId: b.result_id,
          scannedAt: toIso(b.scanned_at),
          body: {
            workloads: body.workloads ?? NOTHING_STORED.workloads,
            warnings: body.warnings ?? NOTHING_STORED.warnings,
          },
        });
      }
    }
    return rows.map(row => {
      // Between the two reads another scan may have stored a newer result: the one parsed comes with its own id and time.
      const parsed = row.result_id ? this.parsed.get(row.cluster) : undefined;
      const body = parsed?.body ?? NOTHING_STORED;
      return {
        cluster: row.cluster,
        status: row.status,
        error: row.error ?? undefined,
        attemptedAt: toIso(row.attempted_at)!,
        scannedAt: parsed ? parsed.scannedAt : toIso(row.scanned_at),
        ...(parsed ? { resultId: parsed.resultId } : {}),
        workloads: body.workloads,
        warnings: body.warnings,
      };
    });
  }

  /** When each cluster's latest read (good or failed) started, in ms; clusters never read are absent. */
  async attemptedAt(clusters: string[]): Promise<Map<string, number>> {
    if (clusters.length === 0) return new Map();
    const rows = await this.db('mesh_readiness_clusters')
      .select('cluster', 'attempted_at')
      .whereIn('cluster', clusters);
    return new Map(
      rows.map(r => [r.cluster, new Date(r.attempted_at).getTime()]),
    );
  }

  /**
   * Puts a cluster on the waiting list shared by the replicas (see
   * ClusterTasks): its scheduled read found no replica free. A cluster
   * already waiting keeps its place (the time it first waited).
   */
  async markWaiting(cluster: string, since: Date): Promise<void> {
    await this.db('mesh_readiness_waiting')
      .insert({ cluster, since, pulled_by: null, pulled_at: null })
      .onConflict('cluster')
      .ignore();
  }

  /** The shared waiting list, longest waiting first. */
  async waitingClusters(): Promise<WaitingCluster[]> {
    const rows = await this.waitingRows().orderBy([
      { column: 'since', order: 'asc' },
      { column: 'cluster', order: 'asc' },
    ]);
    return rows.map(waitingFromRow);
  }

  /** One cluster's place on the waiting list; undefined when it is not waiting. */
  async waitingCluster(cluster: string): Promise<WaitingCluster | undefined> {
    const row = await this.waitingRows().where({ cluster }).first();
    return row ? waitingFromRow(row) : undefined;
  }

  private waitingRows() {
    return this.db('mesh_readiness_waiting').select(
      'cluster',
      'since',
      'pulled_by',
      'pulled_at',
    );
  }

  /**
   * Marks a waiting cluster as pulled by this replica, unless another
   * replica pulled it after `takenAfter`: true when this replica may make
   * it due. One statement, so that of two replicas pulling at once one wins.
   */
  async pullWaiting(
    cluster: string,
    replica: string,
    at: Date,
    takenAfter: Date,
  ): Promise<boolean> {
    const changed = await this.db('mesh_readiness_waiting')
      .where({ cluster })
      .andWhere(q =>
        q
          .whereNull('pulled_by')
          .orWhere('pulled_by', replica)
          .orWhere('pulled_at', '<=', takenAfter),
      )
      .update({ pulled_by: replica, pulled_at: at });
    return changed > 0;
  }

  /** Takes clusters off the waiting list: read, or due again anyway. */
  async clearWaiting(clusters: string[]): Promise<void> {
    if (clusters.length === 0) return;
    await this.db('mesh_readiness_waiting')
      .whereIn('cluster', clusters)
      .delete();
  }

  /**
   * Drops the latest results of clusters that are no longer read (taken
   * out of the configuration or the catalog), so that no entity keeps
   * showing them as current; returns their names. History rows stay.
   */
  async retireClustersExcept(current: string[]): Promise<string[]> {
    const gone: string[] = (
      await this.db('mesh_readiness_clusters')
        .select('cluster')
        .whereNotIn('cluster', current)
    ).map(r => r.cluster);
    if (gone.length > 0)
      await this.db('mesh_readiness_clusters')
        .whereIn('cluster', gone)
        .delete();
    for (const cluster of gone) this.parsed.delete(cluster);
    await this.db('mesh_readiness_waiting')
      .whereNotIn('cluster', current)
      .delete();
    return gone;
  }

  /** Records that a scan of these clusters started; returns its id. */
  async startScan(
    trigger: ScanRecord['trigger'],
    runner: string,
    at: Date,
    planned: string[],
  ): Promise<number> {
    const [row] = await this.db('mesh_readiness_scans')
      .insert({
        trigger,
        runner,
        started_at: at,
        finished_at: null,
        clusters: null,
        planned: JSON.stringify(planned),
      })
      .returning('id');
    return Number(typeof row === 'object' ? row.id : row);
  }

  /** Records how a scan ended, and forgets the oldest scans beyond the kept number. */
  async finishScan(
    id: number,
    at: Date,
    clusters: NonNullable<ScanRecord['clusters']>,
  ) {
    await this.db('mesh_readiness_scans')
      .where({ id })
      .update({ finished_at: at, clusters: JSON.stringify(clusters) });
    await this.db('mesh_readiness_scans')
      .where('id', '<=', id - SCANS_KEPT)
      .delete();
  }

  /** The latest scans, newest first. */
  async scans(limit: number): Promise<ScanRecord[]> {
    const rows = await this.db('mesh_readiness_scans')
      .orderBy('id', 'desc')
      .limit(limit);
    return rows.map(r => ({
      id: Number(r.id),
      trigger: r.trigger,
      runner: r.runner,
      startedAt: toIso(r.started_at)!,
      ...(r.finished_at ? { finishedAt: toIso(r.finished_at) } : {}),
      ...(r.planned ? { planned: JSON.parse(r.planned) } : {}),
      ...(r.clusters ? { clusters: JSON.parse(r.clusters) } : {}),
    }));
  }

  async addHistory(rows: HistoryRow[]) {
    if (rows.length === 0) return;
    await this.db.transaction(async tx => {
      for (let i = 0; i < rows.length; i += 200) {
        await tx('mesh_readiness_history').insert(
          rows.slice(i, i + 200).map(r => ({
            entity_ref: r.entityRef,
            scanned_at: new Date(r.scannedAt),
            level: r.level,
            score: r.score,
            ready: r.ready,
            workloads: r.workloads,
          })),
        );
      }
    });
  }

  /** History of these entities since a time, oldest first. */
  async history(entityRefs: string[], since: Date): Promise<HistoryRow[]> {
    if (entityRefs.length === 0) return [];
    const rows = await this.db('mesh_readiness_history')
      .whereIn('entity_ref', entityRefs)
      .andWhere('scanned_at', '>=', since)
      .orderBy('scanned_at', 'asc');
    return rows.map(r => ({
      entityRef: r.entity_ref,
      scannedAt: toIso(r.scanned_at)!,
      level: Number(r.level),
      score: Number(r.score),
      ready: Boolean(r.ready),
      workloads: Number(r.workloads),
    }));
  }
}
