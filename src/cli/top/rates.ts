/**
 * Requests per second between two stats documents: per worker (matched by pid, so a respawned
 * worker starts over rather than showing a negative rate) and in total. Pure.
 */
import type { StatsDocument } from '../../shared/stats-document';

export interface Sample {
  readonly doc: StatsDocument;
  /** When it was read, ms. */
  readonly at: number;
}

export interface Rates {
  /** By worker pid; absent when the worker is new since the previous sample. */
  readonly byPid: ReadonlyMap<number, number>;
  /** By "pid.core" (an app thread), under the same rule. */
  readonly byCore: ReadonlyMap<string, number>;
  readonly total: number | undefined;
}

export function requestRates(prev: Sample | undefined, cur: Sample): Rates {
  const byPid = new Map<number, number>();
  const byCore = new Map<string, number>();
  if (prev === undefined || cur.at <= prev.at) return { byPid, byCore, total: undefined };
  const seconds = (cur.at - prev.at) / 1000;
  const before = new Map(prev.doc.workers.map((w) => [w.pid, w.requests]));
  const coresBefore = new Map<string, number>(prev.doc.workers.flatMap((w) => w.cores.map((c): [string, number] => [`${w.pid}.${c.id}`, c.requests])));
  let total = 0;
  for (const w of cur.doc.workers) {
    const was = before.get(w.pid);
    if (was === undefined || w.pid === 0 || w.requests < was) continue;
    const rate = (w.requests - was) / seconds;
    byPid.set(w.pid, rate);
    total += rate;
    for (const c of w.cores) {
      const key = `${w.pid}.${c.id}`;
      const wasCore = coresBefore.get(key);
      if (wasCore !== undefined && c.requests >= wasCore) byCore.set(key, (c.requests - wasCore) / seconds);
    }
  }
  return { byPid, byCore, total };
}
