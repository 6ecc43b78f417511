/**
 * The state change each daemon action makes, before daemon-processes.ts does its process side
 * (as converge.ts's applyAction does for workers).
 */
import type { DaemonAction } from './reconcile-daemons';
import type { DaemonRecord, DaemonTable } from './daemon-table';

/** Returns the record acted on (a new one for daemon-add; undefined once forgotten). */
export function applyDaemonAction(daemons: DaemonTable, a: DaemonAction, now: number): DaemonRecord | undefined {
  if (a.do === 'daemon-add') return daemons.add(a.spec, a.id, a.generation, now);
  const r = daemons.get(a.key);
  if (r === undefined) return undefined;
  switch (a.do) {
    case 'daemon-start':
      r.startAt = undefined;
      r.startedAt = now;
      r.starts++;
      r.watched = false;
      r.touched = undefined;
      return r;
    case 'daemon-check':
      r.checking = true;
      return r;
    case 'daemon-touch-stop':
      r.touched = undefined;
      return r;
    case 'daemon-renew':
      r.spec = a.spec;
      r.id = a.id;
      r.generation = a.generation;
      return r;
    case 'daemon-stop':
      r.stopping = { at: now, mercyMs: a.mercyMs, killed: false };
      r.startAt = undefined;
      return r;
    case 'daemon-kill':
      if (r.stopping !== undefined) r.stopping.killed = true;
      return r;
    case 'daemon-forget':
      daemons.remove(r.key);
      return r;
  }
}
