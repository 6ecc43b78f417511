/**
 * Where harakiri's watchdog runs: never on a thread that runs the app. With threads-min > 1 that
 * is the worker's main thread, which ends a stuck app thread through `terminate` (the host
 * replaces one of the first threads-min; one started on demand starts again on demand). Otherwise the app runs on the main thread, so the watchdog gets a small thread
 * of its own: a stuck main thread ends the whole process (the master replaces it, as uWSGI's
 * harakiri ends a worker with all its threads); a stuck on-demand thread beside it is ended
 * alone, by the main thread on the watchdog's word. The detection, the 504s and
 * the log line are the same code either way (watchdog.ts).
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Config } from '../../shared/config';
import type { Logger } from '../../shared/logger';
import type { WatchdogToWorker, WorkerToWatchdog } from '../../shared/ipc';
import { mainThreadServes } from '../../shared/main-serves';
import type { Scoreboard } from '../scoreboard/scoreboard';
import { startWatchdog } from './watchdog';
import { appThreadLimits } from '../../shared/node-args';
import type { WatchdogData } from './watchdog-thread';

export interface Supervision {
  /** The watchdog's own logto fd, when it has one (threads = 1). */
  reopenLog(): void;
}

export function superviseHarakiri(
  board: Scoreboard,
  config: Config,
  workerId: number,
  log: Logger,
  terminate: (thread: number) => void,
): Supervision {
  if (!mainThreadServes(config)) {
    startWatchdog(board, config.harakiri, workerId, log, (s) => terminate(s.thread));
    return { reopenLog: () => undefined };
  }
  const data: WatchdogData = { board: board.view.buffer, seconds: config.harakiri, workerId, logto: config.logto };
  const watchdog = new Worker(path.join(__dirname, 'watchdog-thread.js'), { workerData: data, stdout: false, stderr: false, resourceLimits: appThreadLimits(config) });
  // A stuck app thread next to the main one: ended alone (the main thread's, the process).
  watchdog.on('message', (m: WatchdogToWorker) => {
    if (m.act === 'terminate') terminate(m.thread);
  });
  watchdog.unref();
  return { reopenLog: () => watchdog.postMessage({ act: 'reopen-log' } satisfies WorkerToWatchdog) };
}
