/**
 * The reconcile step for attached daemons, beside the workers' (reconcile.ts calls it in the
 * same pass): from the wanted configuration's daemon list, the master's phase and generation,
 * and the daemon table, which daemons to add, start, check, signal, renew, stop, kill or
 * forget, and when to look again. Pure; apply-daemon-action.ts makes the state change of each
 * action and daemon-processes.ts its process side.
 *
 * Running:
 * - a wanted daemon without a record gets one (a plain one starts at once, a smart one first
 *   reads its pidfile), but not while an older process of it (same spec or same place in the
 *   list) is still stopping: a reload stops the old one before it starts the new;
 * - a record of an older generation (a reload happened): a smart daemon, or one with a
 *   reloadsignal, is renewed (and signalled); a plain one is stopped, to start again as above;
 * - a record no longer wanted: a plain daemon stops, a smart one is left running, unwatched;
 * - a touched daemon gets its stopsignal (its death then brings the usual restart);
 * - a daemon without a process starts when its (throttled) time comes; a smart one's pidfile
 *   is read every CHECK_EVERY_MS.
 * Stopping or halting: plain daemons are stopped (SIGKILL after the mercy), smart ones left
 * running. A stopping daemon whose process is gone is forgotten.
 */
import type { DaemonSpec } from '../../shared/config';
import { daemonsOf } from '../../config/daemon-spec';
import type { Wanted } from '../wanted';
import { isSmart, sameDaemon, type DaemonRecord, type DaemonTable } from './daemon-table';

/** How often a smart daemon's pidfile is read (uWSGI's smart check runs every second). */
export const CHECK_EVERY_MS = 1_000;
/** A halting master does not wait the whole mercy for its daemons (uWSGI waits 3 s). */
const HALT_MERCY_MS = 3_000;

export type DaemonAction =
  | { readonly do: 'daemon-add'; readonly spec: DaemonSpec; readonly id: number; readonly generation: number }
  | { readonly do: 'daemon-start'; readonly key: number }
  | { readonly do: 'daemon-check'; readonly key: number }
  /** Send the spec's stopsignal because a touch file changed. */
  | { readonly do: 'daemon-touch-stop'; readonly key: number }
  /** Keep it across a reload: take the new spec and generation, send reloadsignal if any. */
  | { readonly do: 'daemon-renew'; readonly key: number; readonly spec: DaemonSpec; readonly id: number; readonly generation: number }
  | { readonly do: 'daemon-stop'; readonly key: number; readonly mercyMs: number; readonly why: 'reload' | 'removed' | 'master-stop' }
  | { readonly do: 'daemon-kill'; readonly key: number }
  | { readonly do: 'daemon-forget'; readonly key: number; readonly why: 'gone' | 'left-running' };

export interface DaemonDecision {
  readonly actions: DaemonAction[];
  readonly wakeAt: number | undefined;
}

class Steps {
  readonly actions: DaemonAction[] = [];
  wakeAt: number | undefined;

  constructor(readonly now: number) {}

  due(at: number): boolean {
    if (at <= this.now) return true;
    this.wakeAt = this.wakeAt === undefined ? at : Math.min(this.wakeAt, at);
    return false;
  }
}

export function reconcileDaemons(w: Wanted, daemons: DaemonTable, now: number): DaemonDecision {
  const steps = new Steps(now);
  const wanted = w.phase === 'running' ? daemonsOf(w.config) : [];
  const mercyMs = w.config.workerReloadMercy * 1000;
  for (const r of daemons.all()) {
    if (r.stopping !== undefined) stopping(r, steps);
    else if (w.phase !== 'running') leave(r, steps, w.phase === 'halting' ? Math.min(HALT_MERCY_MS, mercyMs) : mercyMs, 'master-stop');
    else keep(w, r, wanted, steps, mercyMs);
  }
  const records = daemons.all();
  wanted.forEach((spec, i) => {
    const id = i + 1;
    const blocked = records.some((r) => (r.stopping === undefined ? sameDaemon(r.spec, spec) : sameDaemon(r.spec, spec) || r.id === id));
    if (!blocked) steps.actions.push({ do: 'daemon-add', spec, id, generation: w.generation });
  });
  return { actions: steps.actions, wakeAt: steps.wakeAt };
}

function stopping(r: DaemonRecord, steps: Steps): void {
  const stop = r.stopping as NonNullable<DaemonRecord['stopping']>;
  if (r.pid === undefined && r.child === undefined) steps.actions.push({ do: 'daemon-forget', key: r.key, why: 'gone' });
  else if (!stop.killed && steps.due(stop.at + stop.mercyMs)) steps.actions.push({ do: 'daemon-kill', key: r.key });
}

/** Not wanted any more: a plain daemon stops, a smart one is left to itself. */
function leave(r: DaemonRecord, steps: Steps, mercyMs: number, why: 'reload' | 'removed' | 'master-stop'): void {
  if (isSmart(r)) steps.actions.push({ do: 'daemon-forget', key: r.key, why: 'left-running' });
  else if (r.pid === undefined && r.child === undefined) steps.actions.push({ do: 'daemon-forget', key: r.key, why: 'gone' });
  else steps.actions.push({ do: 'daemon-stop', key: r.key, mercyMs, why });
}

function keep(w: Wanted, r: DaemonRecord, wanted: readonly DaemonSpec[], steps: Steps, mercyMs: number): void {
  const index = wanted.findIndex((s) => sameDaemon(s, r.spec));
  if (index < 0) return leave(r, steps, mercyMs, 'removed');
  if (r.generation < w.generation) {
    if (isSmart(r) || r.spec.reloadSignal !== undefined) {
      steps.actions.push({ do: 'daemon-renew', key: r.key, spec: wanted[index], id: index + 1, generation: w.generation });
    } else {
      leave(r, steps, mercyMs, 'reload');
    }
    return;
  }
  if (r.touched !== undefined && r.pid !== undefined) {
    steps.actions.push({ do: 'daemon-touch-stop', key: r.key });
    return;
  }
  const running = r.child !== undefined || (isSmart(r) && r.pid !== undefined);
  if (r.startAt !== undefined && !running && steps.due(r.startAt)) {
    steps.actions.push({ do: 'daemon-start', key: r.key });
    return;
  }
  if (isSmart(r) && !r.checking && r.nextCheckAt !== undefined && steps.due(r.nextCheckAt)) steps.actions.push({ do: 'daemon-check', key: r.key });
}
