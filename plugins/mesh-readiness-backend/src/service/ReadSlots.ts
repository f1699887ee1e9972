/*
 * How many clusters this replica reads at once: each read holds a whole
 * snapshot in memory, so the number of slots, not the number of clusters,
 * bounds what a replica holds. A user's scan waits for a slot; a scheduled
 * read takes one only if one is free at once, so that a busy replica hands
 * the cluster to another (see ClusterTasks).
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

  /**
   * Runs `read` in a slot free now, or returns undefined (and `read` is
   * not run). Decided when called: two calls in one tick never share a slot.
   */
  tryRun<T>(read: () => Promise<T>): Promise<T> | undefined {
    if (this.free === 0) return undefined;
    return this.limit(read);
  }

  /** Slots neither reading nor promised to a waiting read. */
  get free(): number {
    return Math.max(
      0,
      this.size - this.limit.activeCount - this.limit.pendingCount,
    );
  }
}
