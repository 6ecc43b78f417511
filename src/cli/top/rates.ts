/**
 * Requests per second between two stats documents: per worker (matched by pid, so a respawned
 * worker starts over rather than showing a negative rate) and in total. Pure.
 */
import type { StatsDocument } from '../../master/stats/document';

export interface Sample {
  readonly doc: StatsDocument;
  /** When it was read, ms. */
  readonly at: number;
}

export interface Rates {
  /** By worker pid; absent when the worker is new since the previous sample. */
  readonly byPid: ReadonlyMap<number, number>;
  readonly total: number | undefined;
}

export function requestRates(prev: Sample | undefined, cur: Sample): Rates {
  const byPid = new Map<number, number>();
  if (prev === undefined || cur.at <= prev.at) return { byPid, total: undefined };
  const seconds = (cur.at - prev.at) / 1000;
  const before = new Map(prev.doc.workers.map((w) => [w.pid, w.requests]));
  let total = 0;
  for (const w of cur.doc.workers) {
    const was = before.get(w.pid);
    if (was === undefined || w.pid === 0 || w.requests < was) continue;
    const rate = (w.requests - was) / seconds;
    byPid.set(w.pid, rate);
    total += rate;
  }
  return { byPid, total };
}
