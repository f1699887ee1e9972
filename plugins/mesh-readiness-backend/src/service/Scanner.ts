/*
 * Reading clusters: a user's scan of some or all clusters, or the scheduled
 * read of one (see ClusterTasks). Each read evaluates its snapshot once and
 * stores the cluster's result; at most `concurrency` clusters are read at
 * once on this replica. A cluster that fails never stops the others; its
 * last good result stays, marked stale.
 */
import os from 'node:os';
import { LoggerService } from '@backstage/backend-plugin-api';
import { MeshReadinessClusterSource } from '@mesh-readiness/plugin-mesh-readiness-node';
import {
  evaluateWorkloads,
  Rule,
  ScanSummary,
  ScansResponse,
} from '@mesh-readiness/plugin-mesh-readiness-common';
import {
  clusterState,
  ReadinessStore,
  ScanRecord,
  StoredWorkload,
} from './ReadinessStore';
import { KubernetesCaller } from './KubernetesBackendClient';
import {
  ClusterOrigin,
  KubernetesClusterSource,
  NeedsSignedInUserError,
} from './KubernetesClusterSource';
import { ReadSlots } from './ReadSlots';

/** This backend process, as scan rows name the replica that ran them (and the waiting list, a replica's pulls). */
export const RUNNER = `${os.hostname()}:${process.pid}`;

export interface ScanOutcome {
  cluster: string;
  ok: boolean;
  error?: string;
  workloads: number;
}

/** What became of a scheduled read: done, left to another replica (no free slot), or the cluster is no longer listed. */
export type ScheduledRead = 'read' | 'busy' | 'gone';

/**
 * A lookup this recent is reused by the clusters' scheduled reads, which
 * tend to start together: one question to the Kubernetes backend, not one
 * per cluster, and a cluster taken out is known within this time.
 */
const LOOKUP_REUSE_MS = 30_000;

interface LookedUp {
  sources: MeshReadinessClusterSource[];
  /** False when the Kubernetes backend could not be asked: its clusters are the last ones it listed. */
  complete: boolean;
}

export interface ScannerOptions {
  sources: MeshReadinessClusterSource[];
  store: ReadinessStore;
  logger: LoggerService;
  /** How long one cluster's read may take. */
  clusterTimeoutMs: number;
  /** How many clusters this replica reads at once. Default 4. */
  concurrency?: number;
  customRules?: readonly Rule[];
  /**
   * Sources found anew when each scan starts (the Kubernetes plugin's
   * clusters that config does not name), after `sources`, with names none
   * of them has. A failed lookup is a warning: the scan reads the others.
   */
  lookUp?: () => Promise<MeshReadinessClusterSource[]>;
}

export class Scanner {
  private readonly sources: MeshReadinessClusterSource[];
  private readonly store: ReadinessStore;
  private readonly logger: LoggerService;
  private readonly timeoutMs: number;
  private readonly customRules: readonly Rule[];
  private readonly lookUp?: () => Promise<MeshReadinessClusterSource[]>;
  private readonly slots: ReadSlots;
  /** The clusters the Kubernetes backend listed last, and when; one lookup in flight is shared. */
  private found: MeshReadinessClusterSource[] = [];
  private foundAt = 0;
  private lookingUp?: Promise<LookedUp>;
  /** Where each Kubernetes cluster came from, as last seen by this replica: what `status` tells users. */
  private readonly origins = new Map<
    string,
    ClusterOrigin & { needsSignedInUser?: boolean }
  >();

  constructor(options: ScannerOptions) {
    this.sources = options.sources;
    this.store = options.store;
    this.logger = options.logger;
    this.timeoutMs = options.clusterTimeoutMs;
    this.customRules = options.customRules ?? [];
    this.lookUp = options.lookUp;
    this.slots = new ReadSlots(options.concurrency ?? 4);
    this.remember(this.sources);
  }

  private remember(sources: MeshReadinessClusterSource[]) {
    for (const source of sources) {
      if (source instanceof KubernetesClusterSource) {
        this.origins.set(source.name, {
          ...source.origin,
          ...(source.needsSignedInUser ? { needsSignedInUser: true } : {}),
        });
      }
    }
  }

  /**
   * Scans the named clusters (all when none are named), as a user asked.
   * The scan is recorded as started, with the clusters it will read, before
   * any is read, and as finished after every result is stored, so a backend
   * stopped mid-scan leaves a row that never finished, and nothing else
   * half-done. Clusters wait for a free read slot. An aborted signal
   * (shutdown) stops every cluster's read. `caller` carries the user's
   * cluster credentials to the clusters whose auth provider needs them;
   * they last as long as the scan.
   */
  async scan(
    only?: string[],
    trigger: ScanRecord['trigger'] = 'refresh',
    signal?: AbortSignal,
    caller?: KubernetesCaller,
  ): Promise<ScanOutcome[]> {
    // A refresh of clusters the fixed sources have needs no catalog lookup.
    const fixedOnly = only?.every(name =>
      this.sources.some(s => s.name === name),
    );
    const { sources: all, complete } = fixedOnly
      ? { sources: this.sources, complete: true }
      : await this.currentSources(0);
    const sources = only ? all.filter(s => only.includes(s.name)) : all;
    const id = await this.store.startScan(
      trigger,
      RUNNER,
      new Date(),
      sources.map(s => s.name),
    );
    const outcomes = await Promise.all(
      sources.map(source => this.readOnce(source, signal, caller)),
    );
    await this.store.finishScan(id, new Date(), outcomes.map(recorded));
    // A scan of every current source: clusters no longer among them stop being served.
    if (!only && complete && !signal?.aborted) await this.retireAllBut(all);
    return outcomes;
  }

  /**
   * The scheduled read of one cluster, if this replica has a slot free
   * now: `busy` when it has none (decided before anything is awaited, so
   * the caller can hand the cluster to another replica at once), `gone`
   * when the cluster is no longer listed. A cluster a user's scan is
   * reading here is not read twice: this joins that read.
   */
  async readScheduled(
    cluster: string,
    signal?: AbortSignal,
  ): Promise<ScheduledRead> {
    const inFlight = this.reading.get(cluster);
    if (inFlight) {
      await inFlight;
      return 'read';
    }
    const done = this.slots.tryRun(async (): Promise<ScheduledRead> => {
      const fixed = this.sources.find(s => s.name === cluster);
      const { sources, complete } = fixed
        ? { sources: [fixed], complete: true }
        : await this.currentSources(LOOKUP_REUSE_MS);
      const source = sources.find(s => s.name === cluster);
      if (!source) return complete ? 'gone' : 'read';
      // A user's scan may have started reading it meanwhile.
      const joined = this.reading.get(cluster);
      if (joined) {
        await joined;
        return 'read';
      }
      const read = (async () => {
        const id = await this.store.startScan('schedule', RUNNER, new Date(), [
          cluster,
        ]);
        const outcome = await this.scanOne(source, signal);
        await this.store.finishScan(id, new Date(), [recorded(outcome)]);
        return outcome;
      })();
      this.reading.set(cluster, read);
      try {
        await read;
        return 'read';
      } finally {
        this.reading.delete(cluster);
      }
    });
    return done ?? 'busy';
  }

  /** Read slots free on this replica now. */
  get freeSlots(): number {
    return this.slots.free;
  }

  /** When each of these clusters' latest read started, on any replica (undefined: never read). */
  async attemptedAt(clusters: string[]): Promise<Map<string, number>> {
    return this.store.attemptedAt(clusters);
  }

  /**
   * Looks the clusters up afresh; when the answer is complete, the results
   * of clusters no longer among them stop being served. Returns every
   * cluster's name, to schedule their reads.
   */
  async lookUpClusters(options: { retire: boolean }): Promise<string[]> {
    const { sources, complete } = await this.currentSources(0);
    if (options.retire && complete) await this.retireAllBut(sources);
    return sources.map(s => s.name);
  }

  private async retireAllBut(current: MeshReadinessClusterSource[]) {
    const gone = await this.store.retireClustersExcept(
      current.map(s => s.name),
    );
    if (gone.length > 0) {
      this.logger.info(
        `Mesh readiness: ${gone.join(
          ', ',
        )} no longer configured or in the catalog: their results are no longer served (history is kept)`,
      );
    }
  }

  /**
   * The fixed sources and the Kubernetes backend's clusters, looked up
   * unless the last lookup is younger than `reuseMs`. A failed lookup is a
   * warning: its clusters are the ones it listed last, and the answer is
   * not complete (so nothing is retired on its word).
   */
  private async currentSources(reuseMs: number): Promise<LookedUp> {
    if (!this.lookUp) return { sources: this.sources, complete: true };
    if (this.foundAt > 0 && Date.now() - this.foundAt < reuseMs) {
      return { sources: [...this.sources, ...this.found], complete: true };
    }
    this.lookingUp ??= this.lookUpNow().finally(() => {
      this.lookingUp = undefined;
    });
    return this.lookingUp;
  }

  private async lookUpNow(): Promise<LookedUp> {
    try {
      const found = await this.lookUp!();
      this.remember(found);
      this.found = found;
      this.foundAt = Date.now();
      return { sources: [...this.sources, ...found], complete: true };
    } catch (e) {
      this.logger.warn(
        `Mesh readiness: could not look up the Kubernetes plugin's clusters, reading the others and the ones it listed last: ${
          (e as Error)?.message ?? e
        }`,
      );
      return { sources: [...this.sources, ...this.found], complete: false };
    }
  }

  /** Reads in progress on this replica, by cluster. */
  private readonly reading = new Map<string, Promise<ScanOutcome>>();

  /**
   * A cluster already being read (by the schedule, or by someone else's
   * refresh) is not read again: this scan joins that read. A refresh button
   * many people press at once costs the cluster one read. A read with a
   * user's own cluster credentials is that user's and is never shared.
   */
  private readOnce(
    source: MeshReadinessClusterSource,
    signal?: AbortSignal,
    caller?: KubernetesCaller,
  ): Promise<ScanOutcome> {
    if (
      caller?.clusterAuthHeaders &&
      source instanceof KubernetesClusterSource &&
      source.needsSignedInUser
    ) {
      return this.slots.run(() => this.scanOne(source, signal, caller));
    }
    let outcome = this.reading.get(source.name);
    if (!outcome) {
      outcome = this.slots
        .run(() => this.scanOne(source, signal, caller))
        .finally(() => this.reading.delete(source.name));
      this.reading.set(source.name, outcome);
    }
    return outcome;
  }

  /**
   * Each cluster's latest attempt and the latest scans. A scan that has not
   * finished although every read it made would have timed out long ago
   * (its clusters read a slot's worth at a time), or a scheduled read that
   * a later scheduled read of the same cluster followed, was cut short by
   * its backend stopping: it shows as interrupted.
   */
  async status(limit: number): Promise<ScansResponse> {
    const [clusters, scans, waiting] = await Promise.all([
      this.store.clusters(),
      this.store.scans(limit),
      this.store.waitingClusters(),
    ]);
    const longestRead = (s: ScanRecord) =>
      Math.ceil((s.planned?.length ?? 1) / this.slots.size) * this.timeoutMs +
      60_000;
    return {
      clusters: clusters.map(c => ({
        ...clusterState(c),
        ...this.origins.get(c.cluster),
        attemptedAt: c.attemptedAt,
        workloads: c.workloads.length,
      })),
      scans: scans.map(s => {
        let state: ScanSummary['state'] = 'finished';
        if (!s.finishedAt) {
          // The scheduler starts no read of a cluster while another holds its task.
          const overtaken =
            s.trigger === 'schedule' &&
            scans.some(
              t => t.trigger === 'schedule' && t.id > s.id && overlaps(s, t),
            );
          state =
            overtaken || Date.parse(s.startedAt) < Date.now() - longestRead(s)
              ? 'interrupted'
              : 'running';
        }
        return { ...s, state };
      }),
      waiting: waiting.map(w => ({
        cluster: w.cluster,
        since: new Date(w.since).toISOString(),
      })),
    };
  }

  /**
   * One cluster's snapshot, read and evaluated: what is stored of it. The
   * snapshot lives only in here, so that it can be collected while the
   * result is written (at 10,000 pods it is tens of MB).
   */
  private async readAndEvaluate(
    source: MeshReadinessClusterSource,
    signal: AbortSignal,
    stop: AbortSignal | undefined,
    caller: KubernetesCaller | undefined,
  ): Promise<{ workloads: StoredWorkload[]; warnings: string[] }> {
    const snapshot = await Promise.race([
      source instanceof KubernetesClusterSource
        ? source.readSnapshot({
            signal,
            caller,
            // Custom rules may read any field: they get whole objects.
            fields: this.customRules.length > 0 ? 'all' : 'read',
          })
        : source.readSnapshot({ signal }),
      new Promise<never>((_, reject) =>
        signal.addEventListener('abort', () =>
          reject(
            new Error(
              stop?.aborted
                ? 'scan cancelled'
                : `timed out after ${Math.round(this.timeoutMs / 1000)} s`,
            ),
          ),
        ),
      ),
    ]);
    // Each report keeps its workload's labels, so entities can be matched later.
    const workloads: StoredWorkload[] = evaluateWorkloads(
      { ...snapshot, cluster: source.name },
      { customRules: this.customRules },
    ).map(({ workload, report }) => ({
      report,
      labels: {
        namespace: workload.namespace,
        podLabels: workload.template.labels,
        labels: workload.object.metadata?.labels ?? {},
      },
    }));
    const warnings = (snapshot.unreadable ?? []).map(
      u => `${u.kind}${u.namespace ? ` in ${u.namespace}` : ''}: ${u.reason}`,
    );
    return { workloads, warnings };
  }

  private async scanOne(
    source: MeshReadinessClusterSource,
    stop?: AbortSignal,
    caller?: KubernetesCaller,
  ): Promise<ScanOutcome> {
    const at = new Date();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    const onStop = () => controller.abort();
    stop?.addEventListener('abort', onStop);
    try {
      if (stop?.aborted) throw new Error('scan cancelled');
      const { workloads, warnings } = await this.readAndEvaluate(
        source,
        controller.signal,
        stop,
        caller,
      );
      await this.store.saveClusterResult(source.name, at, workloads, warnings);
      this.logger.info(
        `Scanned cluster ${source.name}: ${workloads.length} workloads`,
      );
      return { cluster: source.name, ok: true, workloads: workloads.length };
    } catch (e) {
      const message = (e as Error)?.message ?? String(e);
      // Cancelled (shutdown, or the scheduler's timeout): the cluster did nothing wrong.
      if (!stop?.aborted) {
        if (e instanceof NeedsSignedInUserError)
          this.logger.info(`Cluster ${source.name} not scanned: ${message}`);
        else
          this.logger.warn(`Scan of cluster ${source.name} failed: ${message}`);
        await this.store.saveClusterFailure(source.name, at, message);
      }
      return { cluster: source.name, ok: false, error: message, workloads: 0 };
    } finally {
      clearTimeout(timer);
      stop?.removeEventListener('abort', onStop);
    }
  }
}

/** What a scan row keeps of a cluster's outcome. */
function recorded(o: ScanOutcome) {
  return {
    cluster: o.cluster,
    ok: o.ok,
    ...(o.error ? { error: o.error } : {}),
  };
}

/** Whether two scans set out to read a cluster in common; a scan from before `planned` read every cluster. */
function overlaps(a: ScanRecord, b: ScanRecord): boolean {
  if (!a.planned || !b.planned) return true;
  return a.planned.some(c => b.planned!.includes(c));
}
