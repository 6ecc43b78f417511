/**
 * When the app runs on the worker's main thread (threads-min = 1), the watchdog needs a thread
 * of its own. On a stuck request it logs and answers 504 when it still can; then a stuck main
 * thread ends the process (the master starts a replacement) and a stuck on-demand app thread is
 * ended by the main thread (it starts again when the demand says so, host/app-threads.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../../shared/logger';
import { reopenLog } from '../../shared/reopen-log';
import type { WatchdogToWorker, WorkerToWatchdog } from '../../shared/ipc';
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
startWatchdog(new Scoreboard(data.board), data.seconds, data.workerId, logger, (stuck) => {
  if (stuck.thread !== 0) {
    parentPort?.postMessage({ act: 'terminate', thread: stuck.thread } satisfies WatchdogToWorker);
    return;
  }
  flush();
  process.kill(process.pid, 'SIGKILL');
});
// Keeps this thread alive: the watchdog's timer is unref'd so it never holds a process open.
setInterval(() => undefined, 1 << 30);
