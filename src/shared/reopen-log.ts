/**
 * What every process and thread does on a reopen request: reopen its own logto fd, and say so
 * only when that fails (one line per process and thread on success would be noise; the master
 * logs the one line that says the log was reopened).
 */
import type { LogHandle } from './logger';

export function reopenLog(logs: LogHandle | undefined): void {
  if (logs === undefined) return;
  try {
    logs.reopen();
  } catch (err) {
    logs.logger.error(
      { event: 'log-reopen-failed', code: (err as { code?: string }).code },
      `${(err as Error).message}; still writing to the old file`,
    );
  }
}
