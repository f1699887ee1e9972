/*
 * One scheduler task per cluster, so that the replicas sharing a database
 * share the reading: the scheduler lets one replica at a time hold a
 * cluster's task, and frees it when that replica dies (after the task's
 * timeout). Every replica schedules every cluster; a replica whose read
 * slots stay taken gives the cluster back rather than queue it, so a
 * replica with room reads it instead: two replicas read about half
 * each, a third takes a share.
 */
import { LoggerService, SchedulerService, SchedulerServiceTaskScheduleDefinition } from '@backstage/backend-plugin-api';
import { Scanner } from './Scanner';

/** The scheduler task that reads one cluster. */
export const clusterTaskId = (cluster: string) => `mesh-readiness-scan:${cluster}`;

/**
 * A hand-back waits a random time within about one look of the
 * scheduler's (it looks every 5 s), so that no replica's rhythm of looking
 * always wins the claim...
 */
const HAND_BACK_MS = 5_000;
/** ...and up to four times that after refusals in a row, so that a fleet with every slot taken does not churn. */
const MOST_REFUSALS_COUNTED = 3;
/** Refusals further apart than this are not in a row: the cluster was due again, in a later period. */
const REFUSALS_IN_A_ROW_MS = 60_000;

export interface ClusterTasksOptions {
  scheduler: SchedulerService;
  scanner: Scanner;
  /** Each cluster's schedule: its frequency, and its timeout (how long a replica that died holds the cluster). */
  schedule: SchedulerServiceTaskScheduleDefinition;
  logger: LoggerService;
}

export class ClusterTasks {
  private readonly scheduler: SchedulerService;
  private readonly scanner: Scanner;
  private readonly schedule: SchedulerServiceTaskScheduleDefinition;
  private readonly logger: LoggerService;
  /** The clusters this replica has a task for, each with what stops it. */
  private readonly tasks = new Map<string, AbortController>();
  /** Per cluster, how many times in a row this replica gave it back, and when last. */
  private readonly refusals = new Map<string, { times: number; at: number }>();

  constructor(options: ClusterTasksOptions) {
    this.scheduler = options.scheduler;
    this.scanner = options.scanner;
    this.schedule = options.schedule;
    this.logger = options.logger;
  }

  /** Clusters with a task on this replica. */
  get clusters(): string[] {
    return [...this.tasks.keys()];
  }

  /**
   * Schedules a task for each of these clusters that has none here, and
   * stops the tasks of clusters no longer among them (a read in progress
   * is cancelled; no new read starts on this replica).
   */
  async sync(clusters: string[]): Promise<void> {
    const current = new Set(clusters);
    for (const cluster of this.clusters) {
      if (current.has(cluster)) continue;
      this.stopUnlisted(cluster);
    }
    for (const cluster of current) {
      if (this.tasks.has(cluster)) continue;
      const controller = new AbortController();
      this.tasks.set(cluster, controller);
      await this.scheduler.scheduleTask({
        id: clusterTaskId(cluster),
        ...this.schedule,
        signal: controller.signal,
        fn: signal => this.run(cluster, signal),
      });
    }
  }

  /** Stops the task of a cluster the clusters' lookup no longer lists. */
  private stopUnlisted(cluster: string) {
    this.logger.info(`Mesh readiness: cluster ${cluster} is no longer listed: its scheduled reads stop`);
    this.tasks.get(cluster)?.abort();
    this.tasks.delete(cluster);
    this.refusals.delete(cluster);
  }

  private async run(cluster: string, signal: AbortSignal) {
    const outcome = await this.scanner.readScheduled(cluster, signal);
    if (outcome === 'busy') {
      this.handBack(cluster);
      return;
    }
    this.refusals.delete(cluster);
    if (outcome === 'gone') this.stopUnlisted(cluster);
  }

  /**
   * Makes the cluster's task due again once the scheduler has released
   * this replica's claim, so any replica with a free slot takes it at its
   * next look (every few seconds) rather than a whole period later.
   */
  private handBack(cluster: string) {
    const last = this.refusals.get(cluster);
    const times = last && Date.now() - last.at < REFUSALS_IN_A_ROW_MS ? last.times + 1 : 1;
    this.refusals.set(cluster, { times, at: Date.now() });
    const wait = HAND_BACK_MS * (2 ** (Math.min(times, MOST_REFUSALS_COUNTED) - 1) * Math.random() + 0.1);
    this.logger.debug(`Mesh readiness: no free read slot for cluster ${cluster}; handed back to any replica in ${Math.round(wait)} ms`);
    this.later(wait, () => this.trigger(cluster, 3));
  }

  private async trigger(cluster: string, attempts: number) {
    if (!this.tasks.has(cluster)) return;
    try {
      await this.scheduler.triggerTask(clusterTaskId(cluster));
    } catch (e) {
      // Conflict: the claim is not released yet. Nothing else can hold it: it is not due before its next period.
      if ((e as Error)?.name === 'ConflictError' && attempts > 1) {
        this.later(1_000, () => this.trigger(cluster, attempts - 1));
      } else {
        this.logger.debug(`Mesh readiness: could not hand back cluster ${cluster}: ${(e as Error)?.message ?? e}`);
      }
    }
  }

  private later(ms: number, fn: () => Promise<void>) {
    setTimeout(() => void fn(), ms).unref();
  }
}
