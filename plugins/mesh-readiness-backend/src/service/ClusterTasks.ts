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
 * A cluster that waits is on a list in the database that every replica
 * reads (the store's waiting list), so any replica with a free slot pulls
 * it, also one that never claimed it: a replica started after the others
 * had claimed every cluster, or one whose scheduler looks in the same
 * moment as another's. A pull marks the cluster there, and a full
 * replica that claims a cluster another replica pulled hands it on.
 * A cluster read by either way is due again a period after it was
 * triggered (the scheduler counts the period from there): never twice in
 * one period.
 */
import { randomUUID } from 'node:crypto';
import { CronTime } from 'cron';
import {
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';
import { RUNNER, Scanner } from './Scanner';
import { ClaimDecision, ReadSharing } from './ReadSharing';
import { ReadinessStore, WaitingCluster } from './ReadinessStore';

/** Why a cluster is handed on, for the debug log. */
const HANDED_ON_BECAUSE = {
  busy: 'no free read slot here',
  turn: 'it was read here last time',
  pulled: 'another replica with a free slot pulled it',
} as const;

/** The scheduler task that reads one cluster. */
export const clusterTaskId = (cluster: string) =>
  `mesh-readiness-scan:${cluster}`;

/** How often Backstage's scheduler looks for due tasks (its work check frequency), or the period when shorter. */
const SCHEDULER_LOOKS_MS = 5_000;
/** A hand-on's trigger waits for the scheduler to release this replica's claim: tries again this long after a conflict. */
const HAND_ON_RETRIES_MS = [25, 50, 100, 200, 400, 800];

/** The store's waiting list, shared by the replicas. */
export type WaitingList = Pick<
  ReadinessStore,
  | 'markWaiting'
  | 'waitingClusters'
  | 'waitingCluster'
  | 'pullWaiting'
  | 'clearWaiting'
>;

export interface ClusterTasksOptions {
  scheduler: SchedulerService;
  scanner: Scanner;
  /** The waiting list shared by the replicas: the plugin's store. */
  waiting: WaitingList;
  /** Each cluster's schedule: its frequency, and its timeout (how long a replica that died holds the cluster). */
  schedule: SchedulerServiceTaskScheduleDefinition;
  logger: LoggerService;
}

export class ClusterTasks {
  private readonly scheduler: SchedulerService;
  private readonly scanner: Scanner;
  private readonly schedule: SchedulerServiceTaskScheduleDefinition;
  private readonly logger: LoggerService;
  private readonly waiting: WaitingList;
  private readonly sharing: ReadSharing;
  private readonly periodMs: number;
  private readonly pollMs: number;
  /** This replica, as the waiting list names the replica that pulled a cluster. */
  private readonly replica = `${RUNNER}:${randomUUID().slice(0, 8)}`;
  /** The clusters this replica has a task for, each with what stops it. */
  private readonly tasks = new Map<string, AbortController>();
  private pullTimer?: NodeJS.Timeout;
  /** This replica's scheduler looks for the clusters' tasks only after their initial delay: no pull before it can claim. */
  private readonly pullsFrom: number;

  constructor(options: ClusterTasksOptions) {
    this.scheduler = options.scheduler;
    this.scanner = options.scanner;
    this.waiting = options.waiting;
    this.schedule = options.schedule;
    this.logger = options.logger;
    this.periodMs = periodOf(options.schedule);
    this.pollMs = Math.min(SCHEDULER_LOOKS_MS, this.periodMs);
    this.sharing = new ReadSharing({
      periodMs: this.periodMs,
      pollMs: this.pollMs,
    });
    this.pullsFrom =
      Date.now() +
      (options.schedule.initialDelay ? toMs(options.schedule.initialDelay) : 0);
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
    if (this.tasks.size === 0) {
      clearTimeout(this.pullTimer);
      this.pullTimer = undefined;
    } else {
      this.schedulePull();
    }
  }

  /** Stops the task of a cluster the clusters' lookup no longer lists. */
  private stopUnlisted(cluster: string) {
    this.logger.info(
      `Mesh readiness: cluster ${cluster} is no longer listed: its scheduled reads stop`,
    );
    this.tasks.get(cluster)?.abort();
    this.tasks.delete(cluster);
    this.sharing.forget(cluster);
  }

  private async run(cluster: string, signal: AbortSignal) {
    // With a free slot, the read starts before anything is awaited, so that nothing takes the slot meanwhile.
    let decision = this.sharing.claim(cluster, this.scanner.freeSlots > 0);
    if (decision.action !== 'read')
      decision = await this.consultWaitingList(cluster, decision);
    if (decision.action === 'read') {
      void this.waiting
        .clearWaiting([cluster])
        .catch(e => this.couldNot('take it off the waiting list', cluster, e));
      const outcome = await this.scanner.readScheduled(cluster, signal);
      if (outcome === 'gone') {
        this.stopUnlisted(cluster);
        return;
      }
      if (outcome === 'read') this.sharing.read(cluster);
      // The slot went to a user's scan in between: as if none was free.
      else
        decision = await this.consultWaitingList(
          cluster,
          this.sharing.claim(cluster, false),
        );
    }
    if (decision.action === 'hand-on') {
      this.logger.debug(
        `Mesh readiness: cluster ${cluster} handed on to the next replica: ${
          HANDED_ON_BECAUSE[decision.because]
        }`,
      );
      // After this function returns the scheduler releases the claim; the trigger follows it.
      setImmediate(() => void this.trigger(cluster, HAND_ON_RETRIES_MS));
    } else if (decision.action === 'wait') {
      this.logger.debug(
        `Mesh readiness: every replica cluster ${cluster} reached is full; it waits for a free slot on any replica`,
      );
    }
  }

  /**
   * What the waiting list changes in a decision not to read here: a
   * cluster this replica pulled is read when a slot is free (whoever's
   * turn it is); one another replica pulled is handed on, for that
   * replica to claim; one that waits goes on the list, for any replica.
   */
  private async consultWaitingList(
    cluster: string,
    decision: ClaimDecision,
  ): Promise<ClaimDecision> {
    try {
      const now = Date.now();
      const pulledBy = this.pulledBy(
        await this.waiting.waitingCluster(cluster),
        now,
      );
      if (pulledBy === this.replica && this.scanner.freeSlots > 0)
        return { action: 'read' };
      if (pulledBy && pulledBy !== this.replica)
        return { action: 'hand-on', because: 'pulled' };
      if (decision.action === 'wait')
        await this.waiting.markWaiting(cluster, new Date(now));
    } catch (e) {
      this.couldNot('read the waiting list for', cluster, e);
    }
    return decision;
  }

  /** How long a pull holds a cluster for the replica that made it: a couple of looks, for its claim to come. */
  private get pullHoldMs() {
    return 2 * this.pollMs + 1_000;
  }

  /** The replica whose pull still holds a waiting cluster, if any. */
  private pulledBy(
    entry: WaitingCluster | undefined,
    now: number,
  ): string | undefined {
    return entry?.pulledBy && entry.pulledAt! > now - this.pullHoldMs
      ? entry.pulledBy
      : undefined;
  }

  private couldNot(what: string, cluster: string, e: unknown) {
    this.logger.debug(
      `Mesh readiness: could not ${what} cluster ${cluster}: ${
        (e as Error)?.message ?? e
      }`,
    );
  }

  /**
   * Once per look of this replica's scheduler, while it has clusters: each
   * free slot pulls one waiting cluster, longest waiting first, unless it
   * was read meanwhile (by another replica, or by a user's scan).
   */
  private schedulePull() {
    if (this.pullTimer || this.tasks.size === 0) return;
    const at = this.sharing.beforeNextLook();
    // Before this replica's first claim its looks are not known: once a look from now.
    const delay = Math.max(
      at > Date.now() ? at - Date.now() : this.pollMs,
      this.pullsFrom - Date.now(),
    );
    this.pullTimer = setTimeout(() => {
      this.pullTimer = undefined;
      void this.pull().finally(() => this.schedulePull());
    }, delay);
    this.pullTimer.unref();
  }

  private async pull() {
    let free = this.scanner.freeSlots;
    if (free === 0) return;
    try {
      const waiting = await this.pullable();
      if (waiting.length === 0) return;
      const attempted = await this.scanner.attemptedAt(
        waiting.map(w => w.cluster),
      );
      for (const { cluster, since, listed } of waiting) {
        if (free === 0) break;
        if (this.sharing.readThisRound(since, attempted.get(cluster))) {
          this.sharing.drop(cluster);
          await this.waiting.clearWaiting([cluster]);
          continue;
        }
        // Marked as this replica's pull first: of two replicas pulling at once, one makes it due.
        const now = Date.now();
        if (!listed) await this.waiting.markWaiting(cluster, new Date(since));
        const mine = await this.waiting.pullWaiting(
          cluster,
          this.replica,
          new Date(now),
          new Date(now - this.pullHoldMs),
        );
        if (mine && (await this.trigger(cluster, []))) {
          free--;
          this.logger.debug(
            `Mesh readiness: a free read slot pulls cluster ${cluster}`,
          );
        } else {
          // Pulled by another replica, or held by one: it is being read, or handed on.
          this.sharing.drop(cluster);
        }
      }
    } catch (e) {
      this.logger.debug(
        `Mesh readiness: could not pull waiting clusters: ${
          (e as Error)?.message ?? e
        }`,
      );
    }
  }

  /**
   * The clusters a free slot here may pull, longest waiting first: those on
   * the shared waiting list and those this replica handed on, waiting at
   * least half a look (the other replicas have had their chance), with a
   * task here, and not pulled just now by another replica. Entries waiting
   * a whole period are dropped: the cluster is due again anyway.
   */
  private async pullable(): Promise<
    Array<{ cluster: string; since: number; listed: boolean }>
  > {
    const now = Date.now();
    const since = new Map(
      this.sharing.waiting(now).map(w => [w.cluster, w.since]),
    );
    const listed = new Set<string>();
    const stale: string[] = [];
    for (const entry of await this.waiting.waitingClusters()) {
      if (now - entry.since >= this.periodMs) {
        stale.push(entry.cluster);
        continue;
      }
      listed.add(entry.cluster);
      const pulledBy = this.pulledBy(entry, now);
      if (pulledBy && pulledBy !== this.replica) {
        since.delete(entry.cluster);
        continue;
      }
      if (entry.since > now - this.pollMs / 2) continue;
      since.set(
        entry.cluster,
        Math.min(entry.since, since.get(entry.cluster) ?? Infinity),
      );
    }
    await this.waiting.clearWaiting(stale);
    return [...since]
      .filter(([cluster]) => this.tasks.has(cluster))
      .map(([cluster, at]) => ({
        cluster,
        since: at,
        listed: listed.has(cluster),
      }))
      .sort((a, b) => a.since - b.since);
  }

  /** Makes the cluster's task due now; true when it was. Conflicts (a claim still held) are tried again after each of `retriesMs`. */
  private async trigger(
    cluster: string,
    retriesMs: number[],
  ): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      if (!this.tasks.has(cluster)) return false;
      try {
        await this.scheduler.triggerTask(clusterTaskId(cluster));
        return true;
      } catch (e) {
        if (
          (e as Error)?.name !== 'ConflictError' ||
          attempt >= retriesMs.length
        ) {
          this.logger.debug(
            `Mesh readiness: could not make cluster ${cluster} due: ${
              (e as Error)?.message ?? e
            }`,
          );
          return false;
        }
        await new Promise(r => setTimeout(r, retriesMs[attempt]).unref());
      }
    }
  }
}

/** How often each cluster is read: the schedule's frequency (for a cron schedule, the gap between its next two times; for a manual one, its timeout). */
function periodOf(schedule: SchedulerServiceTaskScheduleDefinition): number {
  const { frequency } = schedule;
  if ('cron' in frequency) {
    const [first, second] = new CronTime(frequency.cron).sendAt(2);
    return second.toMillis() - first.toMillis();
  }
  if ('trigger' in frequency) return toMs(schedule.timeout);
  return toMs(frequency);
}

/** A schedule's duration (a Luxon Duration or a HumanDuration) in ms. */
function toMs(d: { toMillis(): number } | HumanDuration): number {
  return 'toMillis' in d && typeof d.toMillis === 'function'
    ? d.toMillis()
    : durationToMilliseconds(d as HumanDuration);
}
