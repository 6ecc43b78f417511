/**
 * When a vassal that died starts again: uWSGI's blacklist, in milliseconds. A vassal that had
 * been serving (loyal) is started again at once; one that dies before it served counts a
 * strike, and waits strikes × emperor-throttle before its next start, up to
 * emperor-max-throttle. The delay grows linearly as in uWSGI (`throttle_level +=
 * emperor_throttle` per death), so a broken app costs one start per delay, not a fork loop,
 * and a fixed one comes back within max-throttle without anyone touching it. Pure.
 */

/**
 * uWSGI calls a vassal loyal after its first request; the Emperor does not see requests, so a
 * vassal is loyal once it has been ready (READY=1) this long: a master that crashes right after
 * its workers accept is as broken as one that never gets there.
 */
export const LOYAL_AFTER_MS = 10_000;

export interface ThrottlePolicy {
  readonly throttleMs: number;
  readonly maxThrottleMs: number;
}

export interface RunRecord {
  /** When READY=1 came for this run (undefined: never). */
  readonly readyAt: number | undefined;
  readonly exitAt: number;
}

export function wasLoyal(run: RunRecord): boolean {
  return run.readyAt !== undefined && run.exitAt - run.readyAt >= LOYAL_AFTER_MS;
}

/** Strikes after a death: back to 0 for a loyal run, one more otherwise. */
export function strikesAfter(previous: number, run: RunRecord): number {
  return wasLoyal(run) ? 0 : previous + 1;
}

/** How long to wait before the next start, for a vassal with this many strikes. */
export function throttleDelayMs(strikes: number, policy: ThrottlePolicy): number {
  if (strikes <= 0) return 0;
  return Math.min(strikes * policy.throttleMs, policy.maxThrottleMs);
}
