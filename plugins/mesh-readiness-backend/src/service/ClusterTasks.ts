/*
 * One scheduler task per cluster, so that the replicas sharing a database
 * share the reading: the scheduler lets one replica at a time hold a
 * cluster's task, and frees it when that replica dies (after the task's
 * timeout). Every replica schedules every cluster. At each claim this
 * replica reads the cluster, hands it on, or lets it wait (ReadSharing
 * says which); the scheduler itself decides nothing but who looks first.
 *
 * Two moves, both plain `triggerTask` calls (the task is due now):
 *  - hand on: just after this replica's claim is released, which is just
 *    after it looked, so every other replica looks before it does again;
 *  - pull: a free slot here triggers a cluster that waits, just before
 *    this replica's own next look, so that it is the one to claim it.
 * A cluster read by either way is due again a period after it was
 * triggered (the scheduler counts the period from there): never twice in
 * one period.
 */
import { CronTime } from 'cron';
import { LoggerService, SchedulerService, SchedulerServiceTaskScheduleDefinition } from '@backstage/backend-plugin-api';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';
import { Scanner } from './Scanner';
import { ReadSharing } from './ReadSharing';

/** The scheduler task that reads one cluster. */
export const clusterTaskId = (cluster: string) => `mesh-readiness-scan:${cluster}`;

/** How often Backstage's scheduler looks for due tasks (its work check frequency), or the period when shorter. */
const SCHEDULER_LOOKS_MS = 5_000;
/** A hand-on's trigger waits for the scheduler to release this replica's claim: tries again this long after a conflict. */
const HAND_ON_RETRIES_MS = [25, 50, 100, 200, 400, 800];

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
  private readonly sharing: ReadSharing;
  /** The clusters this replica has a task for, each with what stops it. */
  private readonly tasks = new Map<string, AbortController>();
  private pullTimer?: NodeJS.Timeout;

  constructor(options: ClusterTasksOptions) {
    this.scheduler = options.scheduler;
    this.scanner = options.scanner;
    this.schedule = options.schedule;
    this.logger = options.logger;
    const periodMs = periodOf(options.schedule);
    this.sharing = new ReadSharing({ periodMs, pollMs: Math.min(SCHEDULER_LOOKS_MS, periodMs) });
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
    this.sharing.forget(cluster);
  }

  private async run(cluster: string, signal: AbortSignal) {
    // Decided before anything is awaited: the claim is released at once when not read here.
    let decision = this.sharing.claim(cluster, this.scanner.freeSlots > 0);
    if (decision.action === 'read') {
      const outcome = await this.scanner.readScheduled(cluster, signal);
      if (outcome === 'gone') {
        this.stopUnlisted(cluster);
        return;
      }
      if (outcome === 'read') this.sharing.read(cluster);
      // The slot went to a user's scan in between: as if none was free.
      else decision = this.sharing.claim(cluster, false);
    }
    if (decision.action === 'hand-on') {
      this.logger.debug(
        decision.because === 'busy'
          ? `Mesh readiness: no free read slot for cluster ${cluster}; handed on to the next replica`
          : `Mesh readiness: cluster ${cluster} was read here last time; handed on to the next replica`,
      );
      // After this function returns the scheduler releases the claim; the trigger follows it.
      setImmediate(() => void this.trigger(cluster, HAND_ON_RETRIES_MS));
    } else if (decision.action === 'wait') {
      this.logger.debug(`Mesh readiness: every replica cluster ${cluster} reached is full; it waits for a free slot`);
    }
    this.schedulePull();
  }

  /**
   * Once per look of this replica's scheduler, while clusters wait: each
   * free slot pulls one, longest waiting first, unless it was read
   * meanwhile (by another replica, or by a user's scan).
   */
  private schedulePull() {
    if (this.pullTimer || !this.sharing.anyWaiting) return;
    const at = this.sharing.beforeNextLook();
    this.pullTimer = setTimeout(() => {
      this.pullTimer = undefined;
      void this.pull().finally(() => this.schedulePull());
    }, Math.max(0, at - Date.now()));
    this.pullTimer.unref();
  }

  private async pull() {
    let free = this.scanner.freeSlots;
    const waiting = this.sharing.waiting();
    if (free === 0 || waiting.length === 0) return;
    try {
      const attempted = await this.scanner.attemptedAt(waiting.map(w => w.cluster));
      for (const { cluster, since } of waiting) {
        if (free === 0) break;
        if (this.sharing.readThisRound(since, attempted.get(cluster))) {
          this.sharing.drop(cluster);
          continue;
        }
        if (await this.trigger(cluster, [])) {
          free--;
          this.logger.debug(`Mesh readiness: a free read slot pulls cluster ${cluster}`);
        } else {
          // Held by another replica: it is being read, or handed on.
          this.sharing.drop(cluster);
        }
      }
    } catch (e) {
      this.logger.debug(`Mesh readiness: could not pull waiting clusters: ${(e as Error)?.message ?? e}`);
    }
  }

  /** Makes the cluster's task due now; true when it was. Conflicts (a claim still held) are tried again after each of `retriesMs`. */
  private async trigger(cluster: string, retriesMs: number[]): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      if (!this.tasks.has(cluster)) return false;
      try {
        await this.scheduler.triggerTask(clusterTaskId(cluster));
        return true;
      } catch (e) {
        if ((e as Error)?.name !== 'ConflictError' || attempt >= retriesMs.length) {
          this.logger.debug(`Mesh readiness: could not make cluster ${cluster} due: ${(e as Error)?.message ?? e}`);
          return false;
        }
        await new Promise(r => setTimeout(r, retriesMs[attempt]).unref());
      }
    }
  }
}

/** How often each cluster is read: the schedule's frequency (for a cron schedule, the gap between its next two times; for a manual one, its timeout). */
function periodOf(schedule: SchedulerServiceTaskScheduleDefinition): number {
  const ms = (d: { toMillis(): number } | HumanDuration) => ('toMillis' in d && typeof d.toMillis === 'function' ? d.toMillis() : durationToMilliseconds(d as HumanDuration));
  const { frequency } = schedule;
  if ('cron' in frequency) {
    const [first, second] = new CronTime(frequency.cron).sendAt(2);
    return second.toMillis() - first.toMillis();
  }
  if ('trigger' in frequency) return ms(schedule.timeout);
  return ms(frequency);
}
