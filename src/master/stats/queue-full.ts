/**
 * When to warn about a full listen queue: once when a socket's queue reaches its backlog, again
 * only after it drained below it and at least REPEAT_MS later, so a queue that stays full (or
 * flaps) cannot flood the log. Pure; the master feeds it one sample per second.
 */
export const REPEAT_MS = 10_000;

export interface QueueSample {
  readonly name: string;
  readonly queue: number;
  readonly max: number;
}

export class QueueFullTracker {
  /** Samples that found a queue full (uWSGI's listen_queue_errors counts each such check). */
  fullSamples = 0;
  private readonly full = new Set<string>();
  private readonly lastWarned = new Map<string, number>();

  /** The samples to warn about now. */
  observe(samples: readonly QueueSample[], now: number): QueueSample[] {
    const warn: QueueSample[] = [];
    for (const s of samples) {
      const isFull = s.max > 0 && s.queue >= s.max;
      if (!isFull) {
        this.full.delete(s.name);
        continue;
      }
      this.fullSamples++;
      if (this.full.has(s.name)) continue;
      this.full.add(s.name);
      const last = this.lastWarned.get(s.name);
      if (last !== undefined && now - last < REPEAT_MS) continue;
      this.lastWarned.set(s.name, now);
      warn.push(s);
    }
    return warn;
  }
}
