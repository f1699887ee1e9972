/*
 * What one replica decides when it claims a cluster's scheduler task, and
 * what it remembers to decide well (see ClusterTasks, which acts on it).
 *
 * Backstage's scheduler gives a due task to whichever replica looks first
 * (each replica looks every few seconds, at a rhythm of its own), so left
 * alone the replica that happens to look first would claim almost every
 * cluster. The rules:
 *  - no free read slot: hand the cluster on at once, so the next replica
 *    to look gets it; a cluster that comes back in the same round has
 *    found every replica full: it waits, and the first replica with a free
 *    slot pulls it;
 *  - a free slot, but this replica read the cluster last time: hand it on
 *    once, so that the reads of each cluster go round the replicas;
 *  - otherwise read it.
 * Each cluster is handed on at most once per replica per round, so a fleet
 * whose slots are all taken claims each cluster a bounded number of times
 * per period, however many clusters there are.
 */

export type ClaimDecision =
  | { action: 'read' }
  /** Make the task due again at once, for the next replica to look. */
  | { action: 'hand-on'; because: 'busy' | 'turn' | 'pulled' }
  /** Leave the task until its next period, or until a free slot pulls it. */
  | { action: 'wait' };

export interface ReadSharingTimes {
  /** The clusters' period: how often each is read. */
  periodMs: number;
  /** How often the scheduler looks for due tasks on this replica. */
  pollMs: number;
}

export class ReadSharing {
  /** When this replica last claimed a task: the scheduler looked just before, and looks every pollMs. */
  private lastClaimAt?: number;
  private readonly readHereAt = new Map<string, number>();
  private readonly handedOnAt = new Map<string, number>();
  /** Clusters handed on this round and not read here since, with when first: what a free slot pulls. */
  private readonly waitingSince = new Map<string, number>();

  constructor(private readonly times: ReadSharingTimes) {}

  /**
   * A round is shorter than a period, so a cluster due again starts a new
   * one, and longer than a trip round a few replicas (one look each).
   */
  private get roundMs() {
    return this.times.periodMs / 2;
  }

  /** What to do with a cluster whose task this replica just claimed. */
  claim(cluster: string, freeSlot: boolean, now = Date.now()): ClaimDecision {
    this.lastClaimAt = now;
    this.prune(now);
    const handedOn = this.within(
      this.handedOnAt.get(cluster),
      this.roundMs,
      now,
    );
    if (!freeSlot) {
      if (!this.waitingSince.has(cluster)) this.waitingSince.set(cluster, now);
      if (handedOn) return { action: 'wait' };
      this.handedOnAt.set(cluster, now);
      return { action: 'hand-on', because: 'busy' };
    }
    // Read here last period: another replica's turn (once; back here, it is read).
    const readLast = this.within(
      this.readHereAt.get(cluster),
      this.times.periodMs * 1.5,
      now,
    );
    if (readLast && !handedOn && !this.waitingSince.has(cluster)) {
      this.handedOnAt.set(cluster, now);
      // Should every other replica be full, this one pulls it back.
      this.waitingSince.set(cluster, now);
      return { action: 'hand-on', because: 'turn' };
    }
    return { action: 'read' };
  }

  /** This replica read the cluster. */
  read(cluster: string, now = Date.now()) {
    this.readHereAt.set(cluster, now);
    this.waitingSince.delete(cluster);
  }

  /**
   * The clusters a free slot here may pull, longest waiting first: handed
   * on at least half a look ago (the other replicas have had their chance).
   */
  waiting(now = Date.now()): Array<{ cluster: string; since: number }> {
    this.prune(now);
    return [...this.waitingSince]
      .filter(([, since]) => since <= now - this.times.pollMs / 2)
      .map(([cluster, since]) => ({ cluster, since }))
      .sort((a, b) => a.since - b.since);
  }

  /** Whether a read that started at `attemptedAt` was this round's read of a cluster waiting since `since`. */
  readThisRound(since: number, attemptedAt: number | undefined): boolean {
    // The round's read started after the previous one by most of a period: half a period allows for clocks apart.
    return (
      attemptedAt !== undefined &&
      attemptedAt >= since - this.times.periodMs / 2
    );
  }

  /** Read elsewhere, or taken by another replica: not to be pulled. */
  drop(cluster: string) {
    this.waitingSince.delete(cluster);
  }

  forget(cluster: string) {
    this.readHereAt.delete(cluster);
    this.handedOnAt.delete(cluster);
    this.waitingSince.delete(cluster);
  }

  /**
   * When a trigger lands just before this replica's next look, so that
   * this replica claims the task rather than another: `lead` ms before the
   * look, which comes a whole number of looks after the last claim (the
   * looks only drift later, so the trigger is never after it). Now, when
   * no claim has shown when this replica looks.
   */
  beforeNextLook(now = Date.now(), leadMs = 300): number {
    if (this.lastClaimAt === undefined) return now;
    const looks = Math.ceil(
      (now + leadMs - this.lastClaimAt) / this.times.pollMs,
    );
    return this.lastClaimAt + Math.max(1, looks) * this.times.pollMs - leadMs;
  }

  private within(at: number | undefined, ms: number, now: number) {
    return at !== undefined && now - at < ms;
  }

  /** A cluster waiting a whole period is due again anyway; marks older than that say nothing. */
  private prune(now: number) {
    for (const [cluster, since] of this.waitingSince) {
      if (now - since >= this.times.periodMs) this.waitingSince.delete(cluster);
    }
    for (const map of [this.readHereAt, this.handedOnAt]) {
      for (const [cluster, at] of map) {
        if (now - at >= this.times.periodMs * 2) map.delete(cluster);
      }
    }
  }
}
