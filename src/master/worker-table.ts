/**
 * The master's worker table: one record per worker process it started or is about to start
 * again. This file is the one place that says what a worker's role and generation are.
 *
 * - `id` is the worker number users see (1..processes); a replacement takes its
 *   predecessor's id, so for a while two records can share one.
 * - `role`: `active` serves (and is started again when its process dies); `pending` was
 *   started to take over from an active one (a reload, a recycle) and is promoted once it
 *   accepts; `retiring` was told to drain and exit.
 * - `generation` counts reloads: a reload replaces every worker of an older generation.
 *
 * A record outlives its process while the master still wants the worker (a respawn after a
 * death waits here), so `pid` is undefined between a process and the next. The records are
 * plain data; the processes themselves are the shell's (worker-processes.ts).
 */

export type Role = 'active' | 'pending' | 'retiring';

/** Listing order within one id: the serving worker, then its successor, then its predecessor. */
export const ROLE_RANK: Readonly<Record<Role, number>> = { active: 0, pending: 1, retiring: 2 };

export interface WorkerRecord {
  /** Unique for the master's life; events name workers by it. */
  readonly key: number;
  readonly id: number;
  readonly generation: number;
  role: Role;
  pid: number | undefined;
  /** When its current (or last) process was started. */
  spawnedAt: number;
  ready: boolean;
  /** Deaths soon after a start, in a row (respawn-policy.ts). */
  quickDeaths: number;
  /** Failed forks in a row (a chdir gone, EACCES, EAGAIN); 0 once a process starts. */
  spawnFailures: number;
  /** The app threads its process was started with: bounds what its messages may hold. */
  threads: number;
  /** A recycling successor: the key of the worker it takes over from once it accepts. */
  readonly replaces: number | undefined;
  /** When it was told to drain and exit: its worker-reload-mercy runs from here. */
  stopSentAt: number | undefined;
  /** SIGKILL sent: nothing more to do but wait for its exit. */
  killed: boolean;
}

export interface NewRecord {
  readonly id: number;
  readonly generation: number;
  readonly role: 'active' | 'pending';
  readonly replaces?: number;
  readonly quickDeaths?: number;
}

export class WorkerTable {
  private readonly records = new Map<number, WorkerRecord>();
  private nextKey = 1;
  /** Per worker id, for the stats: processes started, whole processes killed by harakiri. */
  readonly spawnsById = new Map<number, number>();
  readonly harakiriKillsById = new Map<number, number>();

  add(r: NewRecord): WorkerRecord {
    const record: WorkerRecord = {
      key: this.nextKey++, id: r.id, generation: r.generation, role: r.role, replaces: r.replaces,
      pid: undefined, spawnedAt: 0, ready: false, quickDeaths: r.quickDeaths ?? 0, spawnFailures: 0, threads: 0,
      stopSentAt: undefined, killed: false,
    };
    this.records.set(record.key, record);
    return record;
  }

  get(key: number): WorkerRecord | undefined {
    return this.records.get(key);
  }

  /** The record, if `pid` is still its process (events of an earlier process are stale). */
  match(key: number, pid: number): WorkerRecord | undefined {
    const r = this.records.get(key);
    return r !== undefined && r.pid === pid ? r : undefined;
  }

  remove(key: number): void {
    this.records.delete(key);
  }

  get size(): number {
    return this.records.size;
  }

  /** Every record, by id, then role (the serving one first). */
  all(): WorkerRecord[] {
    return [...this.records.values()].sort((a, b) => a.id - b.id || ROLE_RANK[a.role] - ROLE_RANK[b.role]);
  }

  inRole(role: Role): WorkerRecord[] {
    return this.all().filter((r) => r.role === role);
  }

  /** The pids of the serving workers, by id (what the lifecycle log lines list). */
  activePids(): number[] {
    return this.inRole('active').flatMap((r) => (r.pid === undefined ? [] : [r.pid]));
  }

  countSpawn(id: number): void {
    this.spawnsById.set(id, (this.spawnsById.get(id) ?? 0) + 1);
  }

  countHarakiriKill(id: number): void {
    this.harakiriKillsById.set(id, (this.harakiriKillsById.get(id) ?? 0) + 1);
  }
}
