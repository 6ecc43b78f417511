/**
 * The replacements the master can have under way, as changes to the wanted state: a reload
 * (graceful or chain), its abort, a recycle, a respawn after a death with its throttling
 * delay. Nothing here starts or stops a process; reconcile.ts does, from the state left here.
 *
 * "Why was this worker started?" is answered once, by `purposeOf`: a recycling successor, a
 * reload's new worker, or a worker that serves. What a failure to start means follows from it
 * (`startFailed`), whether the failure is a fork that failed, an app that did not load or a
 * process that exited before accepting.
 */
import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';
import { nextQuickDeaths, respawnDelayMs } from '../shared/respawn-policy';
import { sdNotify } from './sd-notify';
import type { WorkerRecord, WorkerTable } from './worker-table';
import { countFor, type ReloadKind, type Wanted } from './wanted';

/** What the plan changes need: the state, a logger and the time of the event. */
export interface PlanContext {
  readonly wanted: Wanted;
  readonly table: WorkerTable;
  readonly log: Logger;
  readonly now: number;
}

export type Purpose = 'recycle' | 'reload' | 'serve';

export function purposeOf(r: WorkerRecord): Purpose {
  if (r.role !== 'pending') return 'serve';
  return r.replaces !== undefined ? 'recycle' : 'reload';
}

/** The master's own reason to replace a worker: its channel carried bytes that are not messages. */
export const BAD_IPC_RECYCLE = 'bad-ipc-data';

/** Recycle reasons that are faults (throttled like deaths), not limits. */
const FAULT_RECYCLES = new Set(['uncaught-exception', BAD_IPC_RECYCLE]);

/** A new generation, to run `config`; the caller has checked that no reload runs. */
export function startReload(ctx: PlanContext, kind: ReloadKind, config: Config, source: string): void {
  const w = ctx.wanted;
  // A recycling successor still starting would be one worker too many after the reload; the
  // reload replaces the worker it was for anyway.
  w.recycles.clear();
  w.generation++;
  w.reload = { kind, generation: w.generation, startedAt: ctx.now, previousConfig: w.config, previousWorkers: w.workers };
  w.config = config;
  w.workers = countFor(config, w.workers);
  ctx.log.info(
    { event: 'reload-started', kind, source, processes: config.processes, threads: config.threads },
    `${kind} reload started (${source})`,
  );
  sdNotify('reloading', `${kind} reload (${source})`);
}

/** A new worker failed: the old ones keep serving, with the configuration they run. */
export function abortReload(ctx: PlanContext, reason: string): void {
  const reload = ctx.wanted.reload;
  if (reload === undefined) return;
  ctx.wanted.reload = undefined;
  ctx.wanted.config = reload.previousConfig;
  ctx.wanted.workers = reload.previousWorkers;
  const serving = ctx.table.activePids();
  ctx.log.error({ event: 'reload-aborted', kind: reload.kind, reason, workers: serving }, `${reload.kind} reload aborted, the running workers keep serving: ${reason}`);
  sdNotify('ready', `${serving.length} worker(s) accepting (reload aborted)`);
}

/**
 * A worker reached a limit or faulted: its successor starts, and it drains once the successor
 * accepts. A fault soon after the start (an app that throws from a timer at every start) waits
 * the respawn throttling delay, so that it is no fork loop; limits are what the operator asked
 * for and are never delayed. Ignored while a reload runs (it replaces the worker anyway).
 */
export function requestRecycle(ctx: PlanContext, r: WorkerRecord, reason: string, detail: Record<string, number>): void {
  const w = ctx.wanted;
  if (r.role !== 'active' || r.pid === undefined || w.phase !== 'running' || w.reload !== undefined || w.recycles.has(r.key)) return;
  const fault = FAULT_RECYCLES.has(reason);
  if (fault) r.quickDeaths = nextQuickDeaths(r.quickDeaths, ctx.now - r.spawnedAt);
  const delay = fault ? respawnDelayMs(r.quickDeaths) : 0;
  ctx.log[fault ? 'warn' : 'info'](
    { event: 'recycle', worker: r.id, workerPid: r.pid, reason, ...detail, ...(delay > 0 ? { delayMs: delay } : {}) },
    `worker ${r.id} (pid ${r.pid}) ${fault ? `had a fault (${reason})` : `reached ${reason}`}: starting its replacement${delay > 0 ? ` in ${delay} ms (soon after its own start)` : ''}`,
  );
  w.recycles.set(r.key, { pid: r.pid, dueAt: ctx.now + delay });
}

/**
 * A successor did not come up (`what` says how): a recycle is given up (the worker keeps
 * serving), a reload aborted. A serving worker's failure is a death, not this.
 */
export function startFailed(ctx: PlanContext, r: WorkerRecord, what: string): void {
  switch (purposeOf(r)) {
    case 'recycle': {
      const old = ctx.table.get(r.replaces as number);
      ctx.wanted.recycles.delete(r.replaces as number);
      ctx.log.error(
        { event: 'recycle-failed', worker: r.id, workerPid: old?.pid, reason: what },
        `worker ${r.id}'s replacement failed (${what}); the worker keeps serving`,
      );
      return;
    }
    case 'reload':
      return abortReload(ctx, `worker ${r.id} ${what}`);
    case 'serve':
      return;
  }
}

/**
 * An active worker lost its process: start it again at once, or after the throttling delay
 * (returned) when it keeps dying young. A recycle it asked for and that has no successor yet
 * is dropped: the respawn replaces it.
 */
export function scheduleRespawn(ctx: PlanContext, r: WorkerRecord, livedMs: number): number {
  r.quickDeaths = nextQuickDeaths(r.quickDeaths, livedMs);
  const delay = respawnDelayMs(r.quickDeaths);
  ctx.wanted.respawns.set(r.key, ctx.now + delay);
  if (!ctx.table.all().some((s) => s.replaces === r.key)) ctx.wanted.recycles.delete(r.key);
  return delay;
}
