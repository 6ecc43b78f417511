/**
 * The app threads of one worker process (threads > 1): start them, learn when each accepts,
 * stop them gracefully. A thread that dies on its own takes the process down with it for now;
 * the master replaces the process.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../shared/logger';
import type { Config } from '../config/types';
import type { ListenFd } from '../server/listeners';
import type { ThreadData, ThreadToWorker, WorkerToThread } from '../shared/ipc';
import { TsuwsgiError, type ErrorCode } from '../shared/errors';

const THREAD_ENTRY = path.join(__dirname, 'thread', 'main.js');

export interface AppThreads {
  /** Resolves once every thread accepts; rejects with the first thread's load error. */
  readonly ready: Promise<void>;
  /** Graceful stop: each thread drains its connections and exits. */
  stop(): Promise<void>;
}

export function startAppThreads(
  opts: { workerId: number; config: Config; fds: ListenFd[][] },
  log: Logger,
  onUnexpectedExit: (threadIndex: number, code: number) => void,
): AppThreads {
  let stopping = false;
  const threads = opts.fds.map((fds, threadIndex) => {
    const data: ThreadData = { workerId: opts.workerId, threadIndex, config: opts.config, fds };
    const worker = new Worker(THREAD_ENTRY, { workerData: data, stdout: false, stderr: false });
    const ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (m: ThreadToWorker) => {
        if (m.act === 'ready') resolve();
        else if (m.act === 'app-load-failed') reject(new TsuwsgiError(m.code as ErrorCode, m.message));
      });
      worker.once('exit', (code) => reject(new Error(`app thread ${threadIndex} exited with code ${code} before accepting`)));
    });
    worker.on('error', (err) => log.error({ event: 'thread-error', thread: threadIndex, err }, 'uncaught exception in an app thread'));
    worker.on('exit', (code) => {
      if (!stopping) onUnexpectedExit(threadIndex, code);
    });
    return { worker, ready };
  });
  return {
    ready: Promise.all(threads.map((t) => t.ready)).then(() => undefined),
    stop: async () => {
      stopping = true;
      await Promise.all(
        threads.map(
          ({ worker }) =>
            new Promise<void>((resolve) => {
              worker.once('exit', () => resolve());
              worker.postMessage({ act: 'stop' } satisfies WorkerToThread);
            }),
        ),
      );
    },
  };
}
