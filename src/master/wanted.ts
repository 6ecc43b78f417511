/**
 * What the master wants, as opposed to what runs (worker-table.ts): how many workers, in which
 * generation, and which replacements are under way. Handlers change this; reconcile.ts reads
 * it and acts until the workers match. Reload, chain reload, recycling, scaling and respawn
 * throttling are each a change here, never a script of spawns and kills.
 */
import type { Config } from '../shared/config';
import { ExitCode } from '../shared/exit-codes';

/** `running` keeps the workers; `stopping` drains them all; `halting` kills them all. */
export type Phase = 'running' | 'stopping' | 'halting';

export type ReloadKind = 'graceful' | 'chain';

/**
 * A reload under way: every worker of a generation older than `generation` is to be replaced
 * by one of `generation`. Graceful: all new ones start at once and the old ones retire
 * together once every new one accepts. Chain: one worker at a time, each old one retiring as
 * soon as its successor accepts.
 */
export interface ReloadPlan {
  readonly kind: ReloadKind;
  readonly generation: number;
  readonly startedAt: number;
  /** Put back if the reload is aborted. */
  readonly previousConfig: Config;
  readonly previousWorkers: number;
}

/** A worker that asked to be recycled: its successor may start at `dueAt` (a throttled fault). */
export interface RecycleRequest {
  readonly pid: number;
  readonly dueAt: number;
}

export interface Wanted {
  phase: Phase;
  exitCode: number;
  /** The configuration new workers start with. */
  config: Config;
  /**
   * How many workers to run (ids 1..workers): `processes`, or with cheaper what the adaptive
   * policy (cheaper/) or SIGTTIN/SIGTTOU set, within cheaper-or-1..processes.
   */
  workers: number;
  /** The generation new workers start in. */
  generation: number;
  reload: ReloadPlan | undefined;
  /** Recycles asked for, by the key of the worker to replace. */
  readonly recycles: Map<number, RecycleRequest>;
  /** Active workers whose process is gone, by key: when to start them again (throttled). */
  readonly respawns: Map<number, number>;
  /** Every worker accepted once: "ready" was announced (and need-app's first boot is over). */
  everReady: boolean;
}

export function initialWanted(config: Config): Wanted {
  return {
    phase: 'running', exitCode: ExitCode.Ok, config, workers: countFor(config, config.cheaperInitial), generation: 0, reload: undefined,
    recycles: new Map(), respawns: new Map(), everReady: false,
  };
}

export function wantedCount(w: Wanted): number {
  return w.workers;
}

/**
 * Scaling (SIGTTIN/SIGTTOU, fifo +/-, the cheaper) changes only this. Without cheaper the count
 * is `processes` itself, so that a reload that keeps the configuration keeps the count.
 */
export function setWantedCount(w: Wanted, workers: number): void {
  w.workers = workers;
  if (!(w.config.cheaper > 0)) w.config = Object.freeze({ ...w.config, processes: workers });
}

/** The count a configuration runs: `processes`, or with cheaper `current` kept within its bounds. */
export function countFor(config: Config, current: number): number {
  return config.cheaper > 0 ? Math.min(Math.max(current, config.cheaper), config.processes) : config.processes;
}
