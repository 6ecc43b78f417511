/**
 * uWSGI's `spare` (core/master_utils.c, uwsgi_cheaper_algo_spare), the default algorithm. Called
 * once a second. A second with every worker busy counts toward overload, one with a free
 * worker counts it back down; after cheaper-overload overloaded seconds cheaper-step workers
 * are added. Once not overloaded at all, exactly one free worker is the stable state; with more
 * free, one worker is removed every cheaper-overload idle seconds, down to cheaper. "Free" for
 * removal is `idle` (types.ts), stricter than not busy: a partly loaded worker is neither. A
 * second with connections in the listen queue and no worker free counts as every worker busy,
 * and a worker is removed only when the load would leave the rest free.
 */
import { IDLE_SHARE, KEEP, startable, type CheaperDecision, type CheaperInputs, type CheaperSettings, type WorkerLoad } from './types';

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
  // uWSGI looks at in_request, which a worker serving back to back shows nearly always. Here a
  // worker is busy from its share of busy time, and a loop that shares the CPUs with the proxy
  // waits for them in its poll: under 64 connections one worker read 80-90 % busy while dozens of
  // connections waited for it, and spare never added one. So a second in which connections wait
  // in the listen queue and no worker is free (each busy at least half the time) is overloaded too.
  const queued = i.backlog > 0 && !i.workers.some(free);
  if (busy < running && !queued) {
    if (s.overloadCount > 0) s.overloadCount--;
  } else {
    s.overloadCount++;
    s.idleCount = 0;
  }
  if (i.canSpawn && s.overloadCount >= c.overload) {
    s.overloadCount = 0;
    const add = startable(running, c.step, c.max);
    const why = `all ${running} worker(s) busy for ${c.overload} s${busy < running ? ` (${i.backlog} connection(s) queued)` : ''}`;
    return add > 0 ? { delta: add, reason: why } : KEEP;
  }
  if (s.overloadCount !== 0) return KEEP;
  const idle = i.workers.filter(free).length;
  if (idle <= 1) return KEEP;
  if (!restStaysFree(i.workers)) {
    s.idleCount = 0;
    return KEEP;
  }
  s.idleCount++;
  if (running > c.min && s.idleCount % c.overload === 0) {
    return { delta: -1, reason: `${idle} of ${running} worker(s) idle for ${c.overload} s` };
  }
  return KEEP;
}

/** Free: `idle` where the worker reports it (types.ts), else not busy. A busy worker is never free. */
function free(w: WorkerLoad): boolean {
  return w.idle ?? !w.busy;
}

/**
 * Whether the others, given this load, would still average under the free share. Two workers at
 * ~45 % each both read free under 64 connections on two cores shared with nginx and wrk; one was
 * removed under that load, and the one left (80-90 %, connections queued) met the rule that adds
 * a worker, three seconds later. uWSGI's spare has no such check: its in_request rarely reads a
 * worker idle under load.
 */
function restStaysFree(workers: readonly WorkerLoad[]): boolean {
  const total = workers.reduce((sum, w) => sum + (w.share ?? 0), 0);
  return total < IDLE_SHARE * (workers.length - 1);
}
