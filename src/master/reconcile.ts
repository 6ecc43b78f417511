/**
 * The one step that turns the wanted state into actions: given what the master wants
 * (wanted.ts), the workers it has (worker-table.ts) and the time, which workers to start,
 * promote, retire or kill, what to announce, and when to look again. Gunicorn's
 * `manage_workers`, grown to cover reloads and recycles. A pure function: converge.ts applies
 * its actions and runs it again until nothing is left to do.
 *
 * While running, in this order (a worker acted on is not acted on twice in one pass):
 * 1. A retiring worker past worker-reload-mercy is killed; one whose process is gone forgotten.
 * 2. A worker whose id is above the wanted count retires, successors included.
 * 3. A successor nothing wants any more (aborted reload, failed or cancelled recycle) is dropped
 *    (killed: it never accepted), or retires if it accepts already.
 * 4. A successor that accepts is promoted and the worker it replaces retires: a recycle's or a
 *    chain reload's at once; a graceful reload's all together, once every id has one.
 * 5. An active worker without a process starts again when its respawn is due.
 * 6. An id with no worker at all gets one (first boot, scaling up).
 * 7. A reload starts successors: graceful, one per id at once; chain, one at a time.
 * 8. A recycle, when due, hands over at once if another worker accepts (the old one retires,
 *    its successor takes the id); otherwise starts its successor (promoted at step 4).
 * With nothing else to do: "ready" once every id has an accepting worker, and a reload is
 * finished once no old, pending or retiring worker is left.
 *
 * The attached daemons (daemons/reconcile-daemons.ts), then the mules and the cron jobs
 * (mules/mule-reconcile.ts, cron/cron-reconcile.ts) are reconciled in the same pass; a stopping
 * master exits once workers, daemons, mules and cron runs are all gone.
 */
import type { WorkerRecord, WorkerTable } from './worker-table';
import { wantedCount, type ReloadPlan, type Wanted } from './wanted';
import type { DaemonTable } from './daemons/daemon-table';
import { reconcileDaemons, type DaemonAction } from './daemons/reconcile-daemons';
import { companionsGone, noCompanions, type CompanionAction, type Companions } from './companions';
import { reconcileMules } from './mules/mule-reconcile';
import { reconcileCron } from './cron/cron-reconcile';

export type Action =
  | { readonly do: 'spawn'; readonly id: number; readonly role: 'active' | 'pending'; readonly generation: number; readonly replaces?: number; readonly quickDeaths?: number }
  /** Start the process of an active worker again (same record, same id). */
  | { readonly do: 'respawn'; readonly key: number }
  | { readonly do: 'promote'; readonly key: number }
  /** Tell it to drain and exit; worker-reload-mercy runs from now. */
  | { readonly do: 'retire'; readonly key: number }
  /** Drop the record; its process, if any, is killed without draining (it never served). */
  | { readonly do: 'discard'; readonly key: number }
  | { readonly do: 'kill'; readonly key: number; readonly why: 'mercy' | 'halt' }
  | { readonly do: 'announce-ready' }
  | { readonly do: 'reload-switched'; readonly reload: ReloadPlan }
  | { readonly do: 'reload-finished'; readonly reload: ReloadPlan }
  /** Every worker, mule and cron run is gone and the master is stopping: exit. */
  | { readonly do: 'exit' }
  | CompanionAction;

/** What one pass decides: the workers' actions and the daemons'. */
export type Step = Action | DaemonAction;

export interface Decision {
  readonly actions: readonly Step[];
  /** The earliest time something becomes due (a respawn, a recycle, a mercy deadline). */
  readonly wakeAt: number | undefined;
}

/** Collects one pass's actions, each worker at most once, and the earliest wake-up. */
class Pass {
  readonly actions: Step[] = [];
  wakeAt: number | undefined;
  private readonly touched = new Set<number>();

  constructor(readonly now: number) {}

  free(r: WorkerRecord): boolean {
    return !this.touched.has(r.key);
  }

  act(a: Step, r?: WorkerRecord): void {
    if (r !== undefined) this.touched.add(r.key);
    this.actions.push(a);
  }

  /** Retire a worker that has a process; forget one that has none. */
  retire(r: WorkerRecord): void {
    if (this.free(r)) this.act(r.pid === undefined ? { do: 'discard', key: r.key } : { do: 'retire', key: r.key }, r);
  }

  /** True when `at` has come; otherwise remembers it as a time to wake up. */
  due(at: number): boolean {
    if (at <= this.now) return true;
    this.wakeAt = this.wakeAt === undefined ? at : Math.min(this.wakeAt, at);
    return false;
  }
}

export function reconcile(w: Wanted, table: WorkerTable, now: number, daemons: DaemonTable, others: Companions = noCompanions()): Decision {
  const pass = new Pass(now);
  const records = table.all();
  const mercyMs = w.config.workerReloadMercy * 1000;
  if (w.phase === 'halting') {
    for (const r of records) {
      if (r.pid === undefined) pass.act({ do: 'discard', key: r.key }, r);
      else if (!r.killed) pass.act({ do: 'kill', key: r.key, why: 'halt' }, r);
    }
  } else if (w.phase === 'stopping') {
    for (const r of records) {
      if (r.pid === undefined) pass.act({ do: 'discard', key: r.key }, r);
      else if (r.role !== 'retiring') pass.act({ do: 'retire', key: r.key }, r);
      else mercy(r, mercyMs, pass);
    }
  } else {
    keepRunning(w, records, pass, mercyMs);
  }
  const forDaemons = reconcileDaemons(w, daemons, now);
  for (const a of forDaemons.actions) pass.act(a);
  if (forDaemons.wakeAt !== undefined) pass.due(forDaemons.wakeAt);
  const due = (at: number): boolean => pass.due(at);
  for (const a of reconcileMules(w, others.mules, records.length, due)) pass.act(a);
  for (const a of reconcileCron(w, others.crons, due)) pass.act(a);
  if (w.phase !== 'running' && records.length === 0 && daemons.size === 0 && companionsGone(others)) pass.act({ do: 'exit' });
  return { actions: pass.actions, wakeAt: pass.wakeAt };
}

function mercy(r: WorkerRecord, mercyMs: number, pass: Pass): void {
  if (r.killed || r.pid === undefined || r.stopSentAt === undefined) return;
  if (pass.due(r.stopSentAt + mercyMs)) pass.act({ do: 'kill', key: r.key, why: 'mercy' }, r);
}

function keepRunning(w: Wanted, records: WorkerRecord[], pass: Pass, mercyMs: number): void {
  const count = wantedCount(w);
  for (const r of records) {
    if (r.role === 'retiring') {
      if (r.pid === undefined) pass.act({ do: 'discard', key: r.key }, r);
      else mercy(r, mercyMs, pass);
    } else if (r.id > count) {
      pass.retire(r);
    } else if (r.role === 'pending' && !successorWanted(w, r)) {
      // One that accepts already may have requests in flight: it drains like any other.
      if (r.ready) pass.retire(r);
      else pass.act({ do: 'discard', key: r.key }, r);
    }
  }
  promote(w, records, pass, count);
  respawn(w, records, pass);
  for (let id = 1; id <= count; id++) {
    if (!records.some((r) => r.id === id && r.role !== 'retiring')) pass.act({ do: 'spawn', id, role: 'active', generation: w.generation });
  }
  if (w.reload?.kind === 'graceful') startGraceful(w.reload, records, pass, count);
  if (w.reload?.kind === 'chain') startChainStep(w.reload, records, pass, count);
  startRecycles(w, records, pass);
  if (pass.actions.length === 0) announce(w, records, pass, count);
}

/** A pending worker is wanted while the recycle or the reload it was started for stands. */
function successorWanted(w: Wanted, r: WorkerRecord): boolean {
  if (r.replaces !== undefined) return w.recycles.has(r.replaces);
  return w.reload !== undefined && r.generation === w.reload.generation;
}

function promote(w: Wanted, records: WorkerRecord[], pass: Pass, count: number): void {
  const ready = records.filter((r) => r.role === 'pending' && r.ready && r.id <= count && pass.free(r));
  for (const next of ready) {
    if (next.replaces === undefined && w.reload?.kind !== 'chain') continue;
    pass.act({ do: 'promote', key: next.key }, next);
    for (const old of records) {
      const replaced = next.replaces !== undefined ? old.key === next.replaces : old.id === next.id;
      if (replaced && old.role === 'active') pass.retire(old);
    }
  }
  const reload = w.reload;
  if (reload?.kind !== 'graceful') return;
  const successors = records.filter((r) => r.role === 'pending' && r.generation === reload.generation && pass.free(r));
  if (successors.length === 0) return;
  for (let id = 1; id <= count; id++) {
    if (!records.some((r) => r.id === id && r.role !== 'retiring' && r.generation === reload.generation && r.ready)) return;
  }
  for (const next of successors) pass.act({ do: 'promote', key: next.key }, next);
  for (const old of records) if (old.role === 'active' && old.generation < reload.generation) pass.retire(old);
  pass.act({ do: 'reload-switched', reload });
}

function respawn(w: Wanted, records: WorkerRecord[], pass: Pass): void {
  for (const r of records) {
    const dueAt = w.respawns.get(r.key);
    if (dueAt === undefined || r.role !== 'active' || r.pid !== undefined || !pass.free(r)) continue;
    if (pass.due(dueAt)) pass.act({ do: 'respawn', key: r.key }, r);
  }
}

/** Graceful: a successor for every id whose worker is of an older generation, all at once. */
function startGraceful(reload: ReloadPlan, records: WorkerRecord[], pass: Pass, count: number): void {
  for (let id = 1; id <= count; id++) {
    const mine = records.filter((r) => r.id === id && r.role !== 'retiring');
    const old = mine.some((r) => r.role === 'active' && r.generation < reload.generation && pass.free(r));
    if (old && !mine.some((r) => r.generation === reload.generation)) pass.act({ do: 'spawn', id, role: 'pending', generation: reload.generation });
  }
}

/** Chain: one successor at a time, for the lowest id still served by an older generation. */
function startChainStep(reload: ReloadPlan, records: WorkerRecord[], pass: Pass, count: number): void {
  if (records.some((r) => r.role === 'pending' && r.generation === reload.generation)) return;
  const next = records.find((r) => r.role === 'active' && r.generation < reload.generation && r.id <= count && pass.free(r));
  if (next !== undefined) pass.act({ do: 'spawn', id: next.id, role: 'pending', generation: reload.generation });
}

/**
 * A worker at a limit (max-requests, reload-on-rss, max-worker-lifetime) or after a fault
 * hands over as soon as another worker accepts: it retires at once, and its successor (started
 * now as an active worker, or the one already starting, promoted) takes its id. Only while it
 * is the last one accepting does it serve on, until its successor accepts (step 4), so the
 * overshoot past a limit is bounded by one round trip, not by a replacement's start-up.
 */
function startRecycles(w: Wanted, records: WorkerRecord[], pass: Pass): void {
  if (w.reload !== undefined) return;
  for (const [key, request] of w.recycles) {
    const old = records.find((r) => r.key === key);
    if (old === undefined || old.role !== 'active' || old.pid !== request.pid || !pass.free(old)) continue;
    if (!pass.due(request.dueAt)) continue;
    const successor = records.find((r) => r.replaces === key);
    if (anotherAccepts(w, records, old)) {
      if (successor !== undefined && !pass.free(successor)) continue;
      // Retired first: its stop goes out before the fork, which takes a while.
      pass.retire(old);
      if (successor === undefined) pass.act({ do: 'spawn', id: old.id, role: 'active', generation: w.generation, quickDeaths: old.quickDeaths });
      else pass.act({ do: 'promote', key: successor.key }, successor);
    } else if (successor === undefined) {
      pass.act({ do: 'spawn', id: old.id, role: 'pending', generation: w.generation, replaces: key, quickDeaths: old.quickDeaths });
    }
  }
}

/** Some other worker accepts and is not itself waiting to be replaced. */
function anotherAccepts(w: Wanted, records: WorkerRecord[], old: WorkerRecord): boolean {
  return records.some((r) => r.key !== old.key && r.ready && r.pid !== undefined && r.role !== 'retiring' && !r.killed && !w.recycles.has(r.key));
}

/** Only once nothing else is to be done: the state these report is then the settled one. */
function announce(w: Wanted, records: WorkerRecord[], pass: Pass, count: number): void {
  if (!w.everReady) {
    let all = count > 0;
    for (let id = 1; id <= count && all; id++) all = records.some((r) => r.id === id && r.role === 'active' && r.ready);
    if (all) pass.act({ do: 'announce-ready' });
  }
  const reload = w.reload;
  if (reload === undefined) return;
  const left = records.some((r) => r.role !== 'active' || r.generation < reload.generation);
  if (!left) pass.act({ do: 'reload-finished', reload });
}
