/**
 * Respawn throttling: a worker that dies soon after it was started is restarted after a
 * growing delay, so a crash loop costs little CPU and leaves readable logs.
 */
const QUICK_DEATH_MS = 2_000;
const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 10_000;

export function nextQuickDeaths(previous: number, livedMs: number): number {
  return livedMs < QUICK_DEATH_MS ? previous + 1 : 0;
}

export function respawnDelayMs(quickDeaths: number): number {
  if (quickDeaths === 0) return 0;
  return Math.min(FIRST_DELAY_MS * 2 ** (quickDeaths - 1), MAX_DELAY_MS);
}
