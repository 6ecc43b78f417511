/**
 * The clock cron schedules are read against. In production it is the wall clock. A test can
 * speed it up with TSUWSGI_TEST_CLOCK_SCALE=N (N cron seconds pass per real second, counted
 * from the process's start), so that a schedule fires within seconds instead of minutes: the
 * e2e tests run real processes on real schedules without waiting. Whoever sets it is told
 * once in the log (see `describeClock`).
 */
export interface CronClock {
  /** Cron time (ms since epoch) at real time `realMs`. */
  toCron(realMs: number): number;
  /** Real time at cron time `cronMs`. */
  toReal(cronMs: number): number;
  /** 1 in production. */
  readonly scale: number;
}

export const TEST_CLOCK_ENV = 'TSUWSGI_TEST_CLOCK_SCALE';

export function cronClock(env: NodeJS.ProcessEnv = process.env, start = Date.now()): CronClock {
  const asked = Number(env[TEST_CLOCK_ENV]);
  const scale = Number.isFinite(asked) && asked > 1 ? Math.min(asked, 3600) : 1;
  if (scale === 1) return { toCron: (ms) => ms, toReal: (ms) => ms, scale };
  return { toCron: (ms) => start + (ms - start) * scale, toReal: (ms) => start + (ms - start) / scale, scale };
}
