/**
 * Reopening logto for logrotate (SIGUSR2, fifo `l`, and a reload under `log-reopen`).
 *
 * The master reopens first: that creates the new file, and when the workers run as another
 * uid/gid the master (still root) gives it to them, as it did with the first file before the
 * first fork: an unprivileged worker could not create a file in a root-owned log directory.
 * Only then are the workers told over IPC; each flushes what it buffered to the old file,
 * reopens the path, and passes the word on to its app threads (and harakiri watchdog).
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { Config } from '../config/types';
import type { LogHandle } from '../shared/logger';
import type { MasterToWorker } from '../shared/ipc';
import { TsuwsgiError } from '../shared/errors';
import { workerCredentials } from './credentials';

export function reopenLogs(config: Config, logs: LogHandle, workers: readonly (ChildProcess | undefined)[], source: string): void {
  const log = logs.logger;
  const file = config.logto;
  if (file === undefined) {
    log.info({ event: 'log-reopen', source, reopened: false }, `${source}: no logto, the log goes to stdout: nothing to reopen`);
    return;
  }
  try {
    logs.reopen();
    chownForWorkers(file, config);
  } catch (err) {
    log.error({ event: 'log-reopen-failed', source, code: (err as { code?: string }).code }, `${source}: ${(err as Error).message}; still writing to the old file`);
    return;
  }
  let told = 0;
  for (const child of workers) {
    if (child?.connected !== true) continue;
    child.send({ act: 'reopen-log' } satisfies MasterToWorker);
    told++;
  }
  log.info({ event: 'log-reopened', source, file, workers: told }, `${source}: log reopened (${file})`);
}

function chownForWorkers(file: string, config: Config): void {
  const creds = workerCredentials(config);
  if (creds.uid === undefined && creds.gid === undefined) return;
  try {
    fs.chownSync(file, creds.uid ?? -1, creds.gid ?? -1);
  } catch (err) {
    throw new TsuwsgiError('E_LOGTO', `${file}: cannot give the reopened log file to the workers' uid/gid: ${(err as Error).message}`);
  }
}
