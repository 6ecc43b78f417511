/**
 * How long the serving threads' event loops were busy, as one counter that only grows: the
 * cheaper's second measure of load (worker-process.ts). The scoreboard's busy time counts only
 * time with a request in flight; an app answering in the same tick is never "in a request"
 * between two of them, so a worker whose loop is saturated with short requests looked idle and
 * spare never added a worker under load. Each thread's own counter restarts when it is
 * replaced; the deltas are summed here so the sum never goes back.
 */
export interface LoopSample {
  /** The thread (its Worker, or the process for the main thread). */
  readonly id: object;
  /** performance.eventLoopUtilization().active: ms its loop was not idle since it started. */
  readonly activeMs: number;
}

export class LoopActive {
  private micros = 0;
  private readonly last = new Map<object, number>();

  /** The summed busy µs so far, after taking these samples in. */
  add(samples: readonly LoopSample[]): number {
    const seen = new Set<object>();
    for (const s of samples) {
      const before = this.last.get(s.id) ?? 0;
      if (s.activeMs > before) this.micros += (s.activeMs - before) * 1000;
      this.last.set(s.id, s.activeMs);
      seen.add(s.id);
    }
    for (const id of [...this.last.keys()]) if (!seen.has(id)) this.last.delete(id);
    return this.micros;
  }
}
