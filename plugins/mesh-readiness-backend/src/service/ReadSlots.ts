/*
 * How many clusters this replica reads at once: each read holds a whole
 * snapshot in memory, so the number of slots, not the number of clusters,
 * bounds what a replica holds. A user's scan waits for a slot; a scheduled
 * read takes one only if it is free, so that a busy replica hands the
 * cluster to another (see ClusterTasks).
 */
import pLimit from 'p-limit';

export class ReadSlots {
  private readonly limit: pLimit.Limit;

  constructor(readonly size: number) {
    this.limit = pLimit(size);
  }

  /** Runs `read` once a slot is free, after those already waiting. */
  run<T>(read: () => Promise<T>): Promise<T> {
    return this.limit(read);
  }

  /** Runs `read` now if a slot is free and no one waits for one; otherwise undefined, and `read` is not run. */
  tryRun<T>(read: () => Promise<T>): Promise<T> | undefined {
    // pendingCount grows as soon as limit() is called, so two calls in one tick cannot both take the last slot.
    if (this.limit.activeCount + this.limit.pendingCount >= this.size) return undefined;
    return this.limit(read);
  }

  /** Reads running now. */
  get busy(): number {
    return this.limit.activeCount;
  }
}
