/**
 * Carries reconcile's decisions into the state, and runs it until it has nothing left to do:
 * `applyAction` is the state change an action makes (the worker table and the wanted state
 * stay in step with what the shell is about to do to the process), `converge` the loop the
 * master runs after every event. Each pass acts on the state the one before left, so a chain
 * reload's promotion and its next step happen in one call.
 */
import { reconcile, type Action, type Step } from './reconcile';
import { applyDaemonAction } from './daemons/apply-daemon-action';
import type { DaemonRecord, DaemonTable } from './daemons/daemon-table';
import type { DaemonAction } from './daemons/reconcile-daemons';
import type { Wanted } from './wanted';
import type { WorkerRecord, WorkerTable } from './worker-table';
import { applyCompanionAction, isCompanionAction, noCompanions, type Companions } from './companions';
import type { MuleRecord } from './mules/mule-table';
import type { CronJob } from './cron/cron-table';

/** What an action was done to: a worker, a mule or a cron job (or nothing: an announcement). */
export type Acted = WorkerRecord | MuleRecord | CronJob | undefined;

/** Returns the record acted on (a new one for a spawn). */
export function applyAction(w: Wanted, table: WorkerTable, a: Action, now: number, others: Companions = noCompanions()): Acted {
  if (isCompanionAction(a)) return applyCompanionAction(others, a, now);
  if (a.do === 'spawn') {
    return started(table.add({ id: a.id, generation: a.generation, role: a.role, replaces: a.replaces, quickDeaths: a.quickDeaths }), w, now);
  }
  if (!('key' in a)) {
    if (a.do === 'announce-ready') w.everReady = true;
    if (a.do === 'reload-finished') w.reload = undefined;
    return undefined;
  }
  const r = table.get(a.key);
  if (r === undefined) return undefined;
  switch (a.do) {
    case 'respawn':
      w.respawns.delete(r.key);
      return started(r, w, now);
    case 'promote':
      r.role = 'active';
      if (r.replaces !== undefined) w.recycles.delete(r.replaces);
      return r;
    case 'retire':
      r.role = 'retiring';
      r.stopSentAt = now;
      return forgetPlans(w, r);
    case 'discard':
      table.remove(r.key);
      return forgetPlans(w, r);
    case 'kill':
      r.killed = true;
      return r;
  }
}

function started(r: WorkerRecord, w: Wanted, now: number): WorkerRecord {
  r.spawnedAt = now;
  r.ready = false;
  r.threads = w.config.threads;
  return r;
}

/** A worker that retires or is dropped is not respawned, and its recycle is moot. */
function forgetPlans(w: Wanted, r: WorkerRecord): WorkerRecord {
  w.respawns.delete(r.key);
  w.recycles.delete(r.key);
  return r;
}

/** Performs an action's process side (the shell), right after its state change. */
export type Perform = (a: Action, r: Acted) => void;
/** The same for a daemon's action, with the daemon record it changed. */
export type PerformDaemon = (a: DaemonAction, r: DaemonRecord | undefined) => void;

export function isDaemonAction(a: Step): a is DaemonAction {
  return a.do.startsWith('daemon-');
}

const MAX_PASSES = 100;

/**
 * Reconciles until a pass has nothing to do; returns when to wake up next. Daemon actions go
 * to `performDaemon` (none without daemons); the workers', mules' and cron jobs' to `perform`.
 */
export function converge(w: Wanted, table: WorkerTable, now: number, perform: Perform, daemons: DaemonTable, performDaemon: PerformDaemon, others: Companions = noCompanions()): number | undefined {
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const { actions, wakeAt } = reconcile(w, table, now, daemons, others);
    if (actions.length === 0) return wakeAt;
    for (const a of actions) {
      if (isDaemonAction(a)) {
        performDaemon(a, applyDaemonAction(daemons, a, now));
        continue;
      }
      perform(a, applyAction(w, table, a, now, others));
      if (a.do === 'exit') return undefined;
    }
  }
  throw new Error(`the master's reconcile step did not settle in ${MAX_PASSES} passes`);
}
