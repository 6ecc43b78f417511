/**
 * threads = 1 runs the app on the worker's main thread, so the watchdog needs a thread of its
 * own. On a stuck request it logs, answers 504 when it still can, and ends the process; the
 * master starts a replacement.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../../shared/logger';
import { reopenLog } from '../../shared/reopen-log';
import type { WorkerToWatchdog } from '../../shared/ipc';
import { Scoreboard } from '../scoreboard/scoreboard';
import { startWatchdog } from './watchdog';

export interface WatchdogData {
  readonly board: SharedArrayBuffer;
  readonly seconds: number;
  readonly workerId: number;
  readonly logto: string | undefined;
}

const data = workerData as WatchdogData;
const logs = createLogger({ role: 'worker', logto: data.logto, bindings: { worker: data.workerId, watchdog: true } });
const { logger, flush } = logs;
// Its harakiri line must land in the current file, not in one logrotate moved away.
parentPort?.on('message', (m: WorkerToWatchdog) => {
  if (m.act === 'reopen-log') reopenLog(logs);
});
startWatchdog(new Scoreboard(data.board), data.seconds, data.workerId, logger, () => {
  flush();
  process.kill(process.pid, 'SIGKILL');
});
// Keeps this thread alive: the watchdog's timer is unref'd so it never holds a process open.
setInterval(() => undefined, 1 << 30);
