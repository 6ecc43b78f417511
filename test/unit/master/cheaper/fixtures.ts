/** Settings and inputs for the cheaper's algorithm tests: uWSGI's defaults unless told. */
import type { CheaperInputs, CheaperSettings, WorkerLoad } from '../../../../src/master/cheaper/types';

export function settings(over: Partial<CheaperSettings> = {}, busy: Partial<CheaperSettings['busyness']> = {}): CheaperSettings {
  return {
    algo: 'spare', min: 1, max: 4, step: 1, overload: 3, rssSoft: 0, rssHard: 0, ...over,
    busyness: { max: 50, min: 25, multiplier: 10, penalty: 2, backlogAlert: 33, backlogMultiplier: 3, backlogStep: 1, backlogNonzero: 60, verbose: false, ...busy },
  };
}

/** `pattern`: one letter per worker, B busy, i idle, p partly busy (neither; keys 1, 2, …; no busy time). */
export function load(pattern: string, over: Partial<CheaperInputs> = {}): CheaperInputs {
  const workers: WorkerLoad[] = [...pattern].map((c, n) => ({ key: n + 1, busy: c === 'B', ...(c === 'p' ? { idle: false } : {}), busyMicros: 0 }));
  return { now: 0, workers, backlog: 0, canSpawn: true, ...over };
}
