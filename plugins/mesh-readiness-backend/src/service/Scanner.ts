/*
 * One scan: read every cluster once (in parallel, each within its timeout),
 * evaluate each snapshot once, store each cluster's result. A cluster that
 * fails never stops the others; its last good result stays, marked stale.
 */
import os from 'node:os';
import { LoggerService } from '@backstage/backend-plugin-api';
import { MeshReadinessClusterSource } from '@mesh-readiness/plugin-mesh-readiness-node';
import { evaluateWorkloads, Rule, ScanSummary, ScansResponse } from '@mesh-readiness/plugin-mesh-readiness-common';
import { clusterState, ReadinessStore, ScanRecord, StoredWorkload } from './ReadinessStore';
import { KubernetesCaller } from './KubernetesBackendClient';
import { ClusterOrigin, KubernetesClusterSource, NeedsSignedInUserError } from './KubernetesClusterSource';

/** Names this backend process in the scans table: which replica ran a scan. */
const RUNNER = `${os.hostname()}:${process.pid}`;

export interface ScanOutcome {
  cluster: string;
  ok: boolean;
  error?: string;
  workloads: number;
}

export interface ScannerOptions {
  sources: MeshReadinessClusterSource[];
  store: ReadinessStore;
  logger: LoggerService;
  /** How long one cluster's read may take. */
  clusterTimeoutMs: number;
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
  /** Where each Kubernetes cluster came from, as last seen by this replica: what `status` tells users. */
  private readonly origins = new Map<string, ClusterOrigin & { needsSignedInUser?: boolean }>();

  constructor(options: ScannerOptions) {
    this.sources = options.sources;
    this.store = options.store;
    this.logger = options.logger;
    this.timeoutMs = options.clusterTimeoutMs;
    this.customRules = options.customRules ?? [];
    this.lookUp = options.lookUp;
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
   * Scans the named clusters (all when none are named). The scan is
   * recorded as started before any cluster is read and as finished after
   * every result is stored, so a backend stopped mid-scan leaves a row
   * that never finished, and nothing else half-done. An aborted signal
   * (the scheduler's timeout, or shutdown) stops every cluster's read.
   * `caller`, on a user's scan, carries their cluster credentials to the
   * clusters whose auth provider needs them; they last as long as the scan.
   */
  async scan(
    only?: string[],
    trigger: ScanRecord['trigger'] = 'refresh',
    signal?: AbortSignal,
    caller?: KubernetesCaller,
  ): Promise<ScanOutcome[]> {
    // A refresh of clusters the fixed sources have needs no catalog lookup.
    const fixedOnly = only?.every(name => this.sources.some(s => s.name === name));
    const { sources: all, complete } = fixedOnly ? { sources: this.sources, complete: true } : await this.currentSources();
    const sources = only ? all.filter(s => only.includes(s.name)) : all;
    const id = await this.store.startScan(trigger, RUNNER, new Date());
    const outcomes = await Promise.all(sources.map(source => this.readOnce(source, signal, caller)));
    await this.store.finishScan(
      id,
      new Date(),
      outcomes.map(o => ({ cluster: o.cluster, ok: o.ok, ...(o.error ? { error: o.error } : {}) })),
    );
    // A full scan that knows every current source: clusters no longer among
    // them stop being served. Not when the catalog could not be asked (its
    // clusters would look gone), nor when the scan was cut short.
    if (!only && complete && !signal?.aborted) {
      const gone = await this.store.retireClustersExcept(all.map(s => s.name));
      if (gone.length > 0) {
        this.logger.info(
          `Mesh readiness: ${gone.join(', ')} no longer configured or in the catalog: their results are no longer served (history is kept)`,
        );
      }
    }
    return outcomes;
  }

  private async currentSources(): Promise<{ sources: MeshReadinessClusterSource[]; complete: boolean }> {
    if (!this.lookUp) return { sources: this.sources, complete: true };
    try {
      const found = await this.lookUp();
      this.remember(found);
      return { sources: [...this.sources, ...found], complete: true };
    } catch (e) {
      this.logger.warn(`Mesh readiness: could not look up the Kubernetes plugin's clusters, reading the others: ${(e as Error)?.message ?? e}`);
      return { sources: this.sources, complete: false };
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
  private readOnce(source: MeshReadinessClusterSource, signal?: AbortSignal, caller?: KubernetesCaller): Promise<ScanOutcome> {
    if (caller?.clusterAuthHeaders && source instanceof KubernetesClusterSource && source.needsSignedInUser) {
      return this.scanOne(source, signal, caller);
    }
    let outcome = this.reading.get(source.name);
    if (!outcome) {
      outcome = this.scanOne(source, signal, caller).finally(() => this.reading.delete(source.name));
      this.reading.set(source.name, outcome);
    }
    return outcome;
  }

  /**
   * Each cluster's latest attempt and the latest scans. A scan that has not
   * finished although every read it made would have timed out long ago, or
   * a scheduled scan that another scheduled scan followed, was cut short by
   * its backend stopping: it shows as interrupted.
   */
  async status(limit: number): Promise<ScansResponse> {
    const [clusters, scans] = await Promise.all([this.store.clusters(), this.store.scans(limit)]);
    const interruptedBefore = Date.now() - this.timeoutMs - 60_000;
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
          // The scheduler starts no scheduled scan while another holds the task.
          const overtaken = s.trigger === 'schedule' && scans.some(t => t.trigger === 'schedule' && t.id > s.id);
          state = overtaken || Date.parse(s.startedAt) < interruptedBefore ? 'interrupted' : 'running';
        }
        return { ...s, state };
      }),
    };
  }

  private async scanOne(source: MeshReadinessClusterSource, stop?: AbortSignal, caller?: KubernetesCaller): Promise<ScanOutcome> {
    const at = new Date();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    const onStop = () => controller.abort();
    stop?.addEventListener('abort', onStop);
    try {
      if (stop?.aborted) throw new Error('scan cancelled');
      const snapshot = await Promise.race([
        source instanceof KubernetesClusterSource
          ? source.readSnapshot({
              signal: controller.signal,
              caller,
              // Custom rules may read any field: they get whole objects.
              fields: this.customRules.length > 0 ? 'all' : 'read',
            })
          : source.readSnapshot({ signal: controller.signal }),
        new Promise<never>((_, reject) =>
          controller.signal.addEventListener('abort', () =>
            reject(
              new Error(
                stop?.aborted ? 'scan cancelled' : `timed out after ${Math.round(this.timeoutMs / 1000)} s`,
              ),
            ),
          ),
        ),
      ]);
      // Each report keeps its workload's labels, so entities can be matched later.
      const workloads: StoredWorkload[] = evaluateWorkloads({ ...snapshot, cluster: source.name }, { customRules: this.customRules }).map(
        ({ workload, report }) => ({
          report,
          labels: {
            namespace: workload.namespace,
            podLabels: workload.template.labels,
            labels: workload.object.metadata?.labels ?? {},
          },
        }),
      );
      const warnings = (snapshot.unreadable ?? []).map(u => `${u.kind}${u.namespace ? ` in ${u.namespace}` : ''}: ${u.reason}`);
      await this.store.saveClusterResult(source.name, at, workloads, warnings);
      this.logger.info(`Scanned cluster ${source.name}: ${workloads.length} workloads`);
      return { cluster: source.name, ok: true, workloads: workloads.length };
    } catch (e) {
      const message = (e as Error)?.message ?? String(e);
      // Cancelled (shutdown, or the scheduler's timeout): the cluster did nothing wrong.
      if (!stop?.aborted) {
        if (e instanceof NeedsSignedInUserError) this.logger.info(`Cluster ${source.name} not scanned: ${message}`);
        else this.logger.warn(`Scan of cluster ${source.name} failed: ${message}`);
        await this.store.saveClusterFailure(source.name, at, message);
      }
      return { cluster: source.name, ok: false, error: message, workloads: 0 };
    } finally {
      clearTimeout(timer);
      stop?.removeEventListener('abort', onStop);
    }
  }
}
