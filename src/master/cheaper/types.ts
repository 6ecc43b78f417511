/**
 * What the cheaper's algorithms (uWSGI's adaptive process spawning) see and say. Each algorithm
 * is a pure function of its own state, these inputs and the settings: once a second the
 * master's cycle (cycle.ts) gathers the inputs and turns the decision into a wanted worker count.
 */
import type { Config } from '../../shared/config';

/** One serving worker, as sampled this second. */
export interface WorkerLoad {
  /** The worker record's key: a process started again has a new one. */
  readonly key: number;
  /** A request in flight now; also a worker that did not answer (its only thread is blocked). */
  readonly busy: boolean;
  /**
   * Free enough to be given up: not busy, and busy well under the busy share. Absent: not busy
   * (uWSGI's reading). A worker between the two shares is neither, so a partial load on n workers
   * neither adds one nor removes one (without it, two workers at 70 % each were both "free" and
   * spare removed one under load, then added it back).
   */
  readonly idle?: boolean;
  /** µs with a request in flight since the process started, averaged over its app threads. */
  readonly busyMicros: number;
  /** The share of the time since the last look that it was busy, 0 to 1. Absent: 0. */
  readonly share?: number;
}

/**
 * uWSGI's master reads "in a request" from shared memory at any instant; a worker here answers
 * between two of its requests when its app blocks its thread, and would never look busy. So a
 * worker is busy when it has a request in flight as it answers, or was busy for at least this
 * share of the time since its last answer (a sync worker serving back to back).
 */
export const BUSY_SHARE = 0.9;
/** Busy under this share of the time (and no request in flight now): free to be given up. */
export const IDLE_SHARE = 0.5;

export interface CheaperInputs {
  /** ms since epoch. */
  readonly now: number;
  /** The serving workers; all of them accept (a decision waits while one is starting). */
  readonly workers: readonly WorkerLoad[];
  /** Connections waiting in the kernel's accept queues of the sockets, summed. */
  readonly backlog: number;
  /** False when cheaper-rss-limit-soft is reached: the algorithm may remove, not add. */
  readonly canSpawn: boolean;
}

export interface BusynessSettings {
  readonly max: number;
  readonly min: number;
  readonly multiplier: number;
  readonly penalty: number;
  readonly backlogAlert: number;
  readonly backlogMultiplier: number;
  readonly backlogStep: number;
  readonly backlogNonzero: number;
  readonly verbose: boolean;
}

export interface CheaperSettings {
  readonly algo: string;
  /** cheaper: the fewest workers. */
  readonly min: number;
  /** processes: the most. */
  readonly max: number;
  readonly step: number;
  readonly overload: number;
  readonly rssSoft: number;
  readonly rssHard: number;
  readonly busyness: BusynessSettings;
}

/** Workers to add (> 0) or remove (< 0), and why, in words for the log; 0 = leave it. */
export interface CheaperDecision {
  readonly delta: number;
  readonly reason: string;
  /** Lines the algorithm logs besides a decision (busyness's verbose figures, its multiplier). */
  readonly notes?: readonly string[];
}

export const KEEP: CheaperDecision = { delta: 0, reason: '' };

export function cheaperSettings(c: Config): CheaperSettings {
  return {
    algo: c.cheaperAlgo, min: c.cheaper, max: c.processes, step: c.cheaperStep, overload: c.cheaperOverload,
    rssSoft: c.cheaperRssLimitSoft, rssHard: c.cheaperRssLimitHard,
    busyness: {
      max: c.cheaperBusynessMax, min: c.cheaperBusynessMin, multiplier: c.cheaperBusynessMultiplier,
      penalty: c.cheaperBusynessPenalty, backlogAlert: c.cheaperBusynessBacklogAlert,
      backlogMultiplier: c.cheaperBusynessBacklogMultiplier, backlogStep: c.cheaperBusynessBacklogStep,
      backlogNonzero: c.cheaperBusynessBacklogNonzero, verbose: c.cheaperBusynessVerbose,
    },
  };
}

/** How many can be started: at most `step`, and only up to `max` (uWSGI's "decheaped"). */
export function startable(running: number, step: number, max: number): number {
  return Math.max(0, Math.min(step, max - running));
}
