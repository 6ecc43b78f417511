/**
 * When a daemon that died starts again. One that ran QUICK_DEATH_MS or more is started again at
 * once; each quick death in a row adds a second, up to the spec's max_throttle (300 s unless
 * set): uWSGI's window (3 s) and growth (about a second per respawn, capped at 5 minutes),
 * without its quirk of counting its own sleep as run time. A command that cannot run at all
 * thus costs one start per delay, not a fork loop. Pure.
 */
export const QUICK_DEATH_MS = 3_000;
const STEP_MS = 1_000;

export function quickDeathsAfter(previous: number, livedMs: number): number {
  return livedMs < QUICK_DEATH_MS ? previous + 1 : 0;
}

export function restartDelayMs(quickDeaths: number, maxThrottleSeconds: number): number {
  return Math.min(quickDeaths * STEP_MS, maxThrottleSeconds * 1000);
}
