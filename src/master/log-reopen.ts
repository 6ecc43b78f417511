/**
 * Reopening logto for logrotate (SIGUSR2, fifo `l`, and a reload under `log-reopen`).
 *
 * The master reopens first: that creates the new file and, when the workers run as another
 * uid/gid, gives it to them through the open fd (log-file.ts), so that an unprivileged worker
 * never has to create a file in a directory it may not write. A master that dropped root
 * (without master-as-root) opens the new file as the workers' user: the directory must then be
 * writable by that user, or logrotate must create the file for it (`create MODE USER GROUP`);
 * otherwise this is one error line and everybody keeps writing to the old file.
 * Only then are the workers told over IPC; each flushes what it buffered to the old file,
 * reopens the path, and passes the word on to its app threads (and harakiri watchdog).
 */
import type { ChildProcess } from 'node:child_process';
import type { Config } from '../shared/config';
import type { LogHandle } from '../shared/logger';
import { sendToWorker } from './send-to-worker';

export function reopenLogs(config: Config, logs: LogHandle, workers: readonly (ChildProcess | undefined)[], source: string): void {
  const log = logs.logger;
  const file = config.logto;
  if (file === undefined) {
    log.info({ event: 'log-reopen', source, reopened: false }, `${source}: no logto, the log goes to stdout: nothing to reopen`);
    return;
  }
  try {
    logs.reopen();
  } catch (err) {
    log.error({ event: 'log-reopen-failed', source, code: (err as { code?: string }).code }, `${source}: ${(err as Error).message}; still writing to the old file`);
    return;
  }
  let told = 0;
  for (const child of workers) {
    if (child === undefined || !sendToWorker(child, { act: 'reopen-log' })) continue;
    told++;
  }
  log.info({ event: 'log-reopened', source, file, workers: told }, `${source}: log reopened (${file})`);
}
