/**
 * uWSGI's `spare` (core/master_utils.c, uwsgi_cheaper_algo_spare), the default algorithm. Called
 * once a second. A second with every worker busy counts toward overload, one with a free
 * worker counts it back down; after cheaper-overload overloaded seconds cheaper-step workers
 * are added. Once not overloaded at all, exactly one free worker is the stable state; with more
 * free, one worker is removed every cheaper-overload idle seconds, down to cheaper. "Free" for
 * removal is `idle` (types.ts), stricter than not busy: a partly loaded worker is neither.
 */
import { KEEP, startable, type CheaperDecision, type CheaperInputs, type CheaperSettings } from './types';

export interface SpareState {
  overloadCount: number;
  idleCount: number;
}

export function spareState(): SpareState {
  return { overloadCount: 0, idleCount: 0 };
}

export function spare(s: SpareState, i: CheaperInputs, c: CheaperSettings): CheaperDecision {
  const running = i.workers.length;
  const busy = i.workers.filter((w) => w.busy).length;
  if (busy < running) {
    if (s.overloadCount > 0) s.overloadCount--;
  } else {
    s.overloadCount++;
    s.idleCount = 0;
  }
  if (i.canSpawn && s.overloadCount >= c.overload) {
    s.overloadCount = 0;
    const add = startable(running, c.step, c.max);
    return add > 0 ? { delta: add, reason: `all ${running} worker(s) busy for ${c.overload} s` } : KEEP;
  }
  if (s.overloadCount !== 0) return KEEP;
  const idle = i.workers.filter((w) => w.idle ?? !w.busy).length;
  if (idle <= 1) return KEEP;
  s.idleCount++;
  if (running > c.min && s.idleCount % c.overload === 0) {
    return { delta: -1, reason: `${idle} of ${running} worker(s) idle for ${c.overload} s` };
  }
  return KEEP;
}
