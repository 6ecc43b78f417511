/** Entry point of an app thread (worker_threads), started by the worker process. */
import { parentPort, workerData } from 'node:worker_threads';
import type { ThreadData, ThreadToWorker, WorkerToThread } from '../../shared/ipc';
import { createLogger } from '../../shared/logger';
import { ExitCode } from '../../shared/exit-codes';
import { isTsuwsgiError } from '../../shared/errors';
import { startAppHost } from '../app-host';
import { reopenLog } from '../../shared/reopen-log';

const data = workerData as ThreadData;
const port = parentPort;
if (port === null) throw new Error('thread/main must run as a worker thread');
const logs = createLogger({
  role: 'thread',
  logto: data.config.logto,
  bindings: { worker: data.workerId, thread: data.threadIndex },
});
const send = (m: ThreadToWorker): void => port.postMessage(m);

const { logger, flush } = logs;

startAppHost(data, logs, (reason, detail) => send({ act: 'recycle', reason, detail })).then(
  (listening) => {
    port.on('message', (m: WorkerToThread) => {
      if (m.act === 'report') send({ act: 'report', report: listening.report() });
      // Queued until the app is loaded (this listener starts the port): nothing is lost, the
      // few lines written while loading go to whichever file was open then.
      else if (m.act === 'reopen-log') reopenLog(logs);
      else if (m.act === 'stop') {
        void listening.drain().then(() => {
          flush();
          process.exit(ExitCode.Ok);
        });
      }
    });
    send({ act: 'ready' });
  },
  (err: unknown) => {
    if (isTsuwsgiError(err)) send({ act: 'app-load-failed', code: err.code, message: err.message });
    else logger.error({ err }, 'app thread failed to start');
    flush();
    process.exit(isTsuwsgiError(err) ? ExitCode.AppLoadError : ExitCode.BootError);
  },
);
