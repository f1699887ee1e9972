/*
 * How many clusters this replica reads at once: each read holds a whole
 * snapshot in memory, so the number of slots, not the number of clusters,
 * bounds what a replica holds. A user's scan waits for a slot; a scheduled
 * read waits only briefly, so that a busy replica hands the cluster to
 * another (see ClusterTasks).
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
   * Runs `read` if a slot is free within `waitMs`: its result, or
   * undefined when none was (and `read` is not run).
   */
  async runWithin<T>(waitMs: number, read: () => Promise<T>): Promise<{ value: T } | undefined> {
    let gaveUp = false;
    let started!: () => void;
    const start = new Promise<void>(resolve => {
      started = resolve;
    });
    const slot = this.limit(async () => {
      // Given a slot after giving up: hand it on at once.
      if (gaveUp) return undefined;
      started();
      return { value: await read() };
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>(resolve => {
      timer = setTimeout(() => resolve('late'), waitMs);
    });
    const first = await Promise.race([start, late]);
    clearTimeout(timer);
    if (first === 'late') {
      gaveUp = true;
      return undefined;
    }
    return slot;
  }

  /** Reads running now. */
  get busy(): number {
    return this.limit.activeCount;
  }
}
