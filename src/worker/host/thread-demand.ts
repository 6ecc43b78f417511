/**
 * When a worker starts another app thread and when one retires (threads-min, threads-idle):
 * the pure policy, fed every CHECK_MS by host/app-threads.ts from the scoreboard and /proc.
 *
 * Another thread helps only when every running thread is SATURATED while it has work: BLOCKED
 * (its heartbeat stopped: a synchronous wait, a long loop) or on a CPU nearly all the time (a
 * CPU-bound handler with a core to spare). A thread whose requests are merely slow because the
 * machine is busy uses little CPU and beats on time: another thread would only add a heap. So
 * an asynchronous app stays at threads-min threads however loaded, and a blocking one gets its
 * slots within a few hundred milliseconds.
 *
 * A thread retires after threads-idle seconds during which the running threads' work would fit
 * in one fewer (none blocked, their CPU summed at most half a thread per remaining one): the
 * highest one, one at a time, never below threads-min, and not while it holds connections the
 * app took over (WebSockets). A row whose start failed is held back for a while (backoff), so a
 * broken app is not loaded again every check.
 */

/** A running thread's CPU share at or above which it counts as saturated. */
export const CPU_SATURATED = 0.75;
/** Summed CPU per remaining thread under which the work fits in one thread fewer. */
export const CPU_SLACK = 0.5;

export interface ThreadSample {
  /** A thread runs on this row (started, not ended). */
  readonly running: boolean;
  /** It accepts (a starting thread is running but not ready). */
  readonly ready: boolean;
  /** Its heartbeat is stale: its event loop is not turning. */
  readonly blocked: boolean;
  /** Its share of one CPU over the last window, 0..1. */
  readonly cpu: number;
  /** It had a request in flight or took one during the window. */
  readonly working: boolean;
  /** Not running, and may not start yet: its last start failed a moment ago (backoff). */
  readonly held?: boolean;
  /** Running with connections the app took over (WebSockets): retiring it would drop them. */
  readonly holding?: boolean;
}

export interface DemandLimits {
  readonly min: number;
  readonly idleMs: number;
}

export type Demand =
  | { readonly act: 'start'; readonly thread: number; readonly reason: 'blocked' | 'cpu' }
  | { readonly act: 'retire'; readonly thread: number }
  | undefined;

/** Carried from one check to the next: since when the work has fitted in one thread fewer. */
export interface DemandState {
  slackSince: number | undefined;
}

export function decideThreads(samples: readonly ThreadSample[], limits: DemandLimits, state: DemandState, now: number): Demand {
  const running = samples.filter((s) => s.running);
  if (running.some((s) => !s.ready) || running.length === 0) {
    state.slackSince = undefined;
    return undefined;
  }
  const saturated = running.every((s) => s.working && (s.blocked || s.cpu >= CPU_SATURATED));
  const free = samples.findIndex((s) => !s.running && s.held !== true);
  if (saturated && free >= 0) {
    state.slackSince = undefined;
    return { act: 'start', thread: free, reason: running.some((s) => s.blocked) ? 'blocked' : 'cpu' };
  }
  const cpu = running.reduce((sum, s) => sum + s.cpu, 0);
  const slack = running.length > limits.min && !running.some((s) => s.blocked) && cpu <= (running.length - 1) * CPU_SLACK;
  if (!slack) {
    state.slackSince = undefined;
    return undefined;
  }
  state.slackSince ??= now;
  if (now - state.slackSince < limits.idleMs) return undefined;
  let highest = -1;
  samples.forEach((s, i) => {
    if (s.running) highest = i;
  });
  // The highest one only, so rows stay packed; while it holds upgraded connections, none retires.
  if (samples[highest].holding === true) return undefined;
  state.slackSince = now;
  return { act: 'retire', thread: highest };
}
