/**
 * threads = 1 runs the app on the worker's main thread, so the watchdog needs a thread of its
 * own. On a stuck request it logs, answers 504 when it still can, and ends the process; the
 * master starts a replacement.
 */
import { workerData } from 'node:worker_threads';
import { createLogger } from '../../shared/logger';
import { startWatchdog } from './watchdog';

export interface WatchdogData {
  readonly buffer: SharedArrayBuffer;
  readonly seconds: number;
  readonly workerId: number;
  readonly logto: string | undefined;
}

const data = workerData as WatchdogData;
const { logger, flush } = createLogger({ role: 'worker', logto: data.logto, bindings: { worker: data.workerId, watchdog: true } });
startWatchdog(data.buffer, data.seconds, data.workerId, logger, () => {
  flush();
  process.kill(process.pid, 'SIGKILL');
});
// Keeps this thread alive: the watchdog's timer is unref'd so it never holds a process open.
setInterval(() => undefined, 1 << 30);
