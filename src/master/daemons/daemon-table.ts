/**
 * The master's daemon table: one record per attached daemon it runs or watches, beside the
 * worker table. Plain data: what the process is, when it started, when it is to start again;
 * handlers (daemon-handlers.ts) and the reconcile step's actions (apply-daemon-action.ts)
 * change it, the shell (daemon-processes.ts) owns the processes themselves.
 *
 * A plain daemon's record follows its one child process. A smart daemon's `pid` is what its
 * pidfile names (its own child, or a process it forked, or one a previous master started);
 * `child` is the process this master started, while it lives.
 */
import type { DaemonSpec } from '../../shared/config';

export interface DaemonExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly at: number;
}

export interface DaemonRecord {
  /** Unique for the master's life; events name daemons by it. */
  readonly key: number;
  /** Its place in the configuration's daemon list (1-based), for logs and stats. */
  id: number;
  spec: DaemonSpec;
  /** The master's generation it belongs to: a reload renews or replaces older ones. */
  generation: number;
  /** The daemon's process as known (undefined: none known to run). */
  pid: number | undefined;
  /** The process this master started for it, while it runs. */
  child: number | undefined;
  /** Processes started for it. */
  starts: number;
  /** When its last process was started. */
  startedAt: number | undefined;
  /** Deaths within QUICK_DEATH_MS of their start, in a row (throttling). */
  quickDeaths: number;
  /** When to start its process (throttled); undefined: not wanted now. */
  startAt: number | undefined;
  /** Smart: its pidfile named a live process at least once since its last start. */
  watched: boolean;
  /** Smart: when to read its pidfile next; `checking` while a read is under way. */
  nextCheckAt: number | undefined;
  checking: boolean;
  /** A touch file changed: stopSignal goes out on the next reconcile. */
  touched: string | undefined;
  /** Told to stop for good (a reload's replacement, the master's stop). */
  stopping: { readonly at: number; readonly mercyMs: number; killed: boolean } | undefined;
  lastExit: DaemonExit | undefined;
}

export class DaemonTable {
  private readonly records = new Map<number, DaemonRecord>();
  private nextKey = 1;

  add(spec: DaemonSpec, id: number, generation: number, now: number): DaemonRecord {
    const smart = spec.pidfile !== undefined;
    const r: DaemonRecord = {
      key: this.nextKey++, id, spec, generation, pid: undefined, child: undefined, starts: 0, startedAt: undefined,
      quickDeaths: 0, startAt: smart ? undefined : now, watched: false, nextCheckAt: smart ? now : undefined, checking: false,
      touched: undefined, stopping: undefined, lastExit: undefined,
    };
    this.records.set(r.key, r);
    return r;
  }

  get(key: number): DaemonRecord | undefined {
    return this.records.get(key);
  }

  remove(key: number): void {
    this.records.delete(key);
  }

  all(): DaemonRecord[] {
    return [...this.records.values()];
  }

  get size(): number {
    return this.records.size;
  }
}

export function isSmart(r: DaemonRecord): boolean {
  return r.spec.pidfile !== undefined;
}

/** Two specs are the same daemon across a reload: a smart one by its pidfile, a plain one by everything. */
export function sameDaemon(a: DaemonSpec, b: DaemonSpec): boolean {
  if (a.pidfile !== undefined || b.pidfile !== undefined) return a.pidfile === b.pidfile;
  return JSON.stringify(a) === JSON.stringify(b);
}
