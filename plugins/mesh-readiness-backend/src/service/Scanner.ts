/*
 * One scan: read every cluster once (in parallel, each within its timeout),
 * evaluate each snapshot once, store each cluster's result. A cluster that
 * fails never stops the others; its last good result stays, marked stale.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { MeshReadinessClusterSource } from '@mesh-readiness/plugin-mesh-readiness-node';
import { evaluateWorkloads } from '@mesh-readiness/plugin-mesh-readiness-common';
import { ReadinessStore, StoredWorkload } from './ReadinessStore';

export interface ScanOutcome {
  cluster: string;
  ok: boolean;
  error?: string;
  workloads: number;
}

export class Scanner {
  constructor(
    private readonly sources: MeshReadinessClusterSource[],
    private readonly store: ReadinessStore,
    private readonly logger: LoggerService,
    private readonly timeoutMs: number,
  ) {}

  clusterNames(): string[] {
    return this.sources.map(s => s.name);
  }

  /** Scans the named clusters (all when none are named). */
  async scan(only?: string[]): Promise<ScanOutcome[]> {
    const sources = only ? this.sources.filter(s => only.includes(s.name)) : this.sources;
    return Promise.all(sources.map(source => this.scanOne(source)));
  }

  private async scanOne(source: MeshReadinessClusterSource): Promise<ScanOutcome> {
    const at = new Date();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const snapshot = await Promise.race([
        source.readSnapshot({ signal: controller.signal }),
        new Promise<never>((_, reject) =>
          controller.signal.addEventListener('abort', () =>
            reject(new Error(`timed out after ${Math.round(this.timeoutMs / 1000)} s`)),
          ),
        ),
      ]);
      // Each report keeps its workload's labels, so entities can be matched later.
      const workloads: StoredWorkload[] = evaluateWorkloads({ ...snapshot, cluster: source.name }).map(
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
      this.logger.warn(`Scan of cluster ${source.name} failed: ${message}`);
      await this.store.saveClusterFailure(source.name, at, message);
      return { cluster: source.name, ok: false, error: message, workloads: 0 };
    } finally {
      clearTimeout(timer);
    }
  }
}
