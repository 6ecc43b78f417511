/** Entry point of an app thread (worker_threads), started by the worker process. */
import { parentPort, workerData } from 'node:worker_threads';
import type { ThreadData, ThreadToWorker, WorkerToThread } from '../../shared/ipc';
import { createLogger } from '../../shared/logger';
import { ExitCode } from '../../shared/exit-codes';
import { isTsuwsgiError } from '../../shared/errors';
import { startAppHost, type AppHost } from '../app-host';
import { reopenLog } from '../../shared/reopen-log';
import { watchAppFaults } from '../app-faults';
import { CoreSlots } from '../stats/core-slots';

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

let listening: AppHost | undefined;
let draining: Promise<void> | undefined;

function exit(code: number): void {
  flush();
  process.exit(code);
}

/** Stop accepting, let the requests in flight finish, exit. Once, whoever asks first. */
function drainAndExit(code: number): void {
  if (listening === undefined) return exit(code);
  draining ??= listening.drain().then(() => exit(code));
}

const stats = data.statsSlots === undefined ? undefined : new CoreSlots(data.statsSlots);
watchAppFaults({
  log: logger,
  countException: () => stats?.exception(data.threadIndex),
  // The worker replaces a thread that exits (app-threads.ts); its siblings never stop. The
  // requests still in flight here get worker-reload-mercy to finish.
  leave: () => {
    drainAndExit(ExitCode.Internal);
    setTimeout(() => exit(ExitCode.Internal), data.config.workerReloadMercy * 1000).unref();
  },
  leaving: 'this app thread stops accepting, finishes its requests and is replaced',
});

startAppHost(data, logs, (reason, detail) => send({ act: 'recycle', reason, detail })).then(
  (host) => {
    listening = host;
    port.on('message', (m: WorkerToThread) => {
      if (m.act === 'report') send({ act: 'report', report: host.report() });
      // Queued until the app is loaded (this listener starts the port): nothing is lost, the
      // few lines written while loading go to whichever file was open then.
      else if (m.act === 'reopen-log') reopenLog(logs);
      else if (m.act === 'stop') drainAndExit(ExitCode.Ok);
    });
    send({ act: 'ready' });
  },
  (err: unknown) => {
    if (isTsuwsgiError(err)) send({ act: 'app-load-failed', code: err.code, message: err.message });
    else logger.error({ err }, 'app thread failed to start');
    exit(isTsuwsgiError(err) ? ExitCode.AppLoadError : ExitCode.BootError);
  },
);
