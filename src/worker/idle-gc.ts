/**
 * A thread that goes idle after serving gives its garbage back (option idle-gc). With the small
 * young generation tsuwsgi gives its workers (max-semi-space-size), objects of requests in
 * flight are promoted to the old generation under load; they are dead when the load ends, but
 * V8 collects the old generation only when it fills again, which an idle worker never does. So
 * a worker kept its heap's high-water mark, 3-8 MB more than it needs, for as long as it stayed
 * idle (docs/design-notes.md, "Memory").
 *
 * Decided on the thread's heartbeat (serve-thread.ts), from the count of requests it started:
 * no per-request work. One collection per idle period, and after the first (the garbage of
 * loading the app: 2.7 MB on Node 24) only when the heap grew by MIN_GROWTH since the last
 * one: a site with a request now and then does not pay a full collection (5-40 ms) for each.
 */

/**
 * Bytes the heap's memory must have grown since the last idle collection for the next to be
 * worth it. Its physical size, not its used bytes: the young generation's memory is there from
 * the start and stays, while what it holds swings by its whole size between scavenges.
 */
export const MIN_GROWTH = 1024 * 1024;

export interface IdleGcOptions {
  /** How long no request may have started before the thread counts as idle. */
  readonly afterMs: number;
  /** The collection (full-gc.ts); false when none was made. */
  readonly collect: () => boolean;
  /** The heap's memory now (physical bytes). */
  readonly heapSize: () => number;
}

export class IdleGc {
  private seen: number;
  private quietSince: number;
  /** Requests were served since the last collection. At the start, the app's loading counts. */
  private served = true;
  /** The heap's size after the last collection; none yet, so the first is always made. */
  private floor = -Infinity;

  constructor(
    private readonly o: IdleGcOptions,
    started: number,
    now: number,
  ) {
    this.seen = started;
    this.quietSince = now;
  }

  /** On each heartbeat: `started`, the thread's request count so far. True when it collected. */
  tick(now: number, started: number): boolean {
    if (started !== this.seen) {
      this.seen = started;
      this.quietSince = now;
      this.served = true;
      return false;
    }
    if (!this.served || now - this.quietSince < this.o.afterMs) return false;
    this.served = false;
    if (this.o.heapSize() - this.floor < MIN_GROWTH || !this.o.collect()) return false;
    this.floor = this.o.heapSize();
    return true;
  }
}
