/**
 * What a worker process (threads = 1) or an app thread does when the app faults outside any
 * request's promise chain (docs/design-notes.md, "App faults"):
 *
 * - An uncaught exception (thrown from a timer, an event handler, a callback): Node's advice is
 *   that the process is now in an undefined state and must not go on for long. The first one is
 *   logged with its stack and `leave` is called once: the worker asks the master for a
 *   replacement and drains when it accepts, an app thread stops accepting, drains and exits.
 *   Requests in flight meanwhile still get their answers. Later ones (a second timer, a flood
 *   while draining) are counted and logged at a bounded rate, and never end the process early.
 * - An unhandled rejection: a promise nobody awaited failed. No code was cut short half-way,
 *   so nothing is in an undefined state; ending the process for it (Node's default) would fail
 *   every other request in flight for one dropped promise. Logged (rate-limited) and counted.
 *
 * Both count as exceptions in the stats (uWSGI's `exceptions`).
 */
import type { Logger } from '../shared/logger';
import { LogRateLimit } from '../shared/log-rate-limit';

export interface AppFaultActions {
  readonly log: Logger;
  /** Counts one exception in the stats, if they are on. */
  countException(): void;
  /** Called once, at the first uncaught exception. */
  leave(): void;
  /** What `leave` does, for the log line ("this worker will be replaced"). */
  readonly leaving: string;
}

export function watchAppFaults(actions: AppFaultActions): void {
  const { log } = actions;
  const uncaughtLines = new LogRateLimit();
  const rejectionLines = new LogRateLimit();
  let left = false;
  process.on('uncaughtException', (err) => {
    actions.countException();
    if (!left) {
      left = true;
      log.error({ event: 'app-uncaught', err, first: true }, `uncaught exception: ${describe(err)}; ${actions.leaving}`);
      actions.leave();
      return;
    }
    const dropped = uncaughtLines.admit();
    if (dropped !== undefined) log.error({ event: 'app-uncaught', err, dropped }, `another uncaught exception: ${describe(err)}${more(dropped)}`);
  });
  process.on('unhandledRejection', (reason) => {
    actions.countException();
    const dropped = rejectionLines.admit();
    if (dropped !== undefined) {
      log.warn({ event: 'app-unhandled-rejection', err: reason, dropped }, `a promise rejected and nobody handled it: ${describe(reason)}${more(dropped)}`);
    }
  });
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function more(dropped: number): string {
  return dropped > 0 ? ` (${dropped} more not logged)` : '';
}
