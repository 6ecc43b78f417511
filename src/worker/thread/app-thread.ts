/**
 * One app thread (threads > 1): its logger, its fault policy, its serving life, and the few
 * messages its worker sends it (stop, reopen-log). Its state is never asked for: the worker
 * reads it from the thread's row of the scoreboard.
 */
import type { MessagePort } from 'node:worker_threads';
import type { ThreadData, ThreadToWorker, WorkerToThread } from '../../shared/ipc';
import { createLogger } from '../../shared/logger';
import { ExitCode } from '../../shared/exit-codes';
import { isTsuwsgiError } from '../../shared/errors';
import type { Listening } from '../../server/listeners';
import { reopenLog } from '../../shared/reopen-log';
import { watchAppFaults } from '../app-faults';
import { BoardView } from '../scoreboard/layout';
import { RowWriter } from '../scoreboard/row-writer';
import { serveThread } from '../serve-thread';
import { MuleSender } from '../../shared/mules/hook';

export function runAppThread(data: ThreadData, port: MessagePort): void {
  const logs = createLogger({ role: 'thread', logto: data.config.logto, bindings: { worker: data.workerId, thread: data.threadIndex } });
  const { logger, flush } = logs;
  const send = (m: ThreadToWorker): void => port.postMessage(m);
  const row = new RowWriter(new BoardView(data.board), data.threadIndex);
  let serving: Listening | undefined;
  let draining: Promise<void> | undefined;

  const exit = (code: number): void => {
    flush();
    process.exit(code);
  };
  /** Stop accepting, let the requests in flight finish, exit. Once, whoever asks first. */
  const drainAndExit = (code: number): void => {
    if (serving === undefined) return exit(code);
    draining ??= serving.drain().then(() => exit(code));
  };

  watchAppFaults({
    log: logger,
    countException: () => row.exception(),
    // The worker replaces a thread that exits (host/app-threads.ts); its siblings never stop.
    // The requests still in flight here get worker-reload-mercy to finish.
    leave: () => {
      drainAndExit(ExitCode.Internal);
      setTimeout(() => exit(ExitCode.Internal), data.config.workerReloadMercy * 1000).unref();
    },
    leaving: 'this app thread stops accepting, finishes its requests and is replaced',
  });

  // Before the app loads: it may send to a mule from its top level.
  const mules = new MuleSender(data.config.mules.length, data.config.muleMsgSize, (seq, mule, payload) => {
    send({ act: 'mule-msg', seq, mule, payload });
    return true;
  }).install();

  // Answers to mules.send are taken at once (an app may await one at its top level); the
  // rest waits until the app is loaded: nothing is lost, the few lines written while loading
  // go to whichever file was open then.
  const early: WorkerToThread[] = [];
  let onMessage = (m: WorkerToThread): void => void early.push(m);
  port.on('message', (m: WorkerToThread) => (m.act === 'mule-ack' ? mules.answer(m) : onMessage(m)));

  serveThread(data, logs, row, (reason, detail) => send({ act: 'recycle', reason, detail })).then(
    (s) => {
      serving = s;
      onMessage = (m) => {
        if (m.act === 'reopen-log') reopenLog(logs);
        else if (m.act === 'stop') drainAndExit(ExitCode.Ok);
      };
      for (const m of early.splice(0)) onMessage(m);
      send({ act: 'ready' });
    },
    (err: unknown) => {
      if (isTsuwsgiError(err)) send({ act: 'app-load-failed', code: err.code, message: err.message });
      else logger.error({ err }, 'app thread failed to start');
      exit(isTsuwsgiError(err) ? ExitCode.AppLoadError : ExitCode.BootError);
    },
  );
}
