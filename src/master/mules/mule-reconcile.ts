/**
 * The mules' part of the reconcile step (master/reconcile.ts runs it after the workers'):
 * from the wanted state (how many mules, which generation, which phase) and the mule table,
 * which mules to start, start again, stop, kill or forget, and which messages to hand over.
 * Pure, like the workers' part; `applyMuleAction` makes each decision's state change, and the
 * shell (mule-processes.ts) its process side.
 *
 * - Mule ids 1..(number of `mule =` lines) each have one process. A graceful stop stops them
 *   once the workers are gone: a request still draining may hand a mule work.
 * - A mule of an older generation (a reload started) or above the count stops; its successor
 *   starts once it has exited: a mule is often a singleton (a scheduler, a consumer) that
 *   must not run twice, and it has no socket to hand over, so nothing is gained by overlap.
 * - A stopping mule is killed past worker-reload-mercy; halting kills every one at once.
 * - A mule whose process ended starts again when its (throttled) respawn is due.
 * - A mule that is ready gets queued messages, up to the delivery window (mailbox.ts).
 */
import type { Wanted } from '../wanted';
import type { MuleRecord, MuleTable } from './mule-table';

export type MuleAction =
  | { readonly do: 'mule-spawn'; readonly id: number; readonly generation: number }
  | { readonly do: 'mule-respawn'; readonly key: number }
  /** Tell it to finish the message in hand and exit; the mercy runs from now. */
  | { readonly do: 'mule-retire'; readonly key: number }
  /** Forget a record without a process. */
  | { readonly do: 'mule-discard'; readonly key: number }
  | { readonly do: 'mule-kill'; readonly key: number; readonly why: 'mercy' | 'halt' }
  | { readonly do: 'mule-deliver'; readonly key: number; readonly count: number };

/** The mules wanted now: every configured one, also while a stop drains the workers. */
export function wantedMules(w: Wanted, workersLeft: number): number {
  return w.phase === 'running' || (w.phase === 'stopping' && workersLeft > 0) ? w.config.mules.length : 0;
}

/** `due(at)`: true once `at` has come, else remembers it as a time to wake up. */
export function reconcileMules(w: Wanted, mules: MuleTable, workersLeft: number, due: (at: number) => boolean): MuleAction[] {
  const out: MuleAction[] = [];
  const count = wantedMules(w, workersLeft);
  const mercyMs = w.config.workerReloadMercy * 1000;
  const records = mules.all();
  for (const r of records) {
    const a = w.phase === 'halting' ? halt(r) : r.retiring ? drain(r, mercyMs, due) : keep(r, w, count, due);
    if (a !== undefined) out.push(a);
  }
  for (let id = 1; id <= count && w.phase === 'running'; id++) {
    if (!records.some((r) => r.id === id)) out.push({ do: 'mule-spawn', id, generation: w.generation });
  }
  if (count > 0) {
    for (const r of records) {
      if (r.retiring || !r.ready || r.pid === undefined || out.some((a) => 'key' in a && a.key === r.key)) continue;
      const n = mules.mailbox(r.id).deliverable();
      if (n > 0) out.push({ do: 'mule-deliver', key: r.key, count: n });
    }
  }
  return out;
}

function halt(r: MuleRecord): MuleAction | undefined {
  if (r.pid === undefined) return { do: 'mule-discard', key: r.key };
  return r.killed ? undefined : { do: 'mule-kill', key: r.key, why: 'halt' };
}

function drain(r: MuleRecord, mercyMs: number, due: (at: number) => boolean): MuleAction | undefined {
  if (r.pid === undefined) return { do: 'mule-discard', key: r.key };
  if (r.killed || r.stopSentAt === undefined) return undefined;
  return due(r.stopSentAt + mercyMs) ? { do: 'mule-kill', key: r.key, why: 'mercy' } : undefined;
}

function keep(r: MuleRecord, w: Wanted, count: number, due: (at: number) => boolean): MuleAction | undefined {
  if (r.id > count || r.generation < w.generation) {
    return r.pid === undefined ? { do: 'mule-discard', key: r.key } : { do: 'mule-retire', key: r.key };
  }
  if (w.phase !== 'running') return undefined;
  if (r.pid === undefined && r.respawnAt !== undefined && due(r.respawnAt)) return { do: 'mule-respawn', key: r.key };
  return undefined;
}

/** The state change of one action; returns the record acted on (a new one for a spawn). */
export function applyMuleAction(mules: MuleTable, a: MuleAction, now: number): MuleRecord | undefined {
  if (a.do === 'mule-spawn') return started(mules.add(a.id, a.generation), now);
  const r = mules.get(a.key);
  if (r === undefined) return undefined;
  switch (a.do) {
    case 'mule-respawn':
      r.respawnAt = undefined;
      return started(r, now);
    case 'mule-retire':
      r.retiring = true;
      r.stopSentAt = now;
      r.respawnAt = undefined;
      return r;
    case 'mule-discard':
      mules.remove(r.key);
      return r;
    case 'mule-kill':
      r.killed = true;
      return r;
    case 'mule-deliver':
      r.outbox.push(...mules.mailbox(r.id).take(a.count));
      return r;
  }
}

function started(r: MuleRecord, now: number): MuleRecord {
  r.spawnedAt = now;
  r.ready = false;
  return r;
}

/** Every mule process is gone (the master may exit). */
export function mulesGone(mules: MuleTable): boolean {
  return mules.size === 0;
}
