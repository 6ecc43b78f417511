/**
 * threads > 1: the app runs in worker_threads the main thread supervises. Start them, learn
 * when each accepts, replace one that dies or is terminated (harakiri) without disturbing its
 * siblings, stop them gracefully. A thread that ends gives its row of the scoreboard back
 * (retire), so nothing reads it as running until its replacement takes the row.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ListenFd } from '../../shared/fd-layout';
import type { ThreadData, ThreadToWorker, WorkerToThread } from '../../shared/ipc';
import { TsuwsgiError, isTsuwsgiError, type ErrorCode } from '../../shared/errors';
import { nextQuickDeaths, respawnDelayMs } from '../../shared/respawn-policy';
import type { AppRunner, HostOptions } from './app-host';

const THREAD_ENTRY = path.join(__dirname, '..', 'thread', 'main.js');

/** What the main thread keeps about one app thread (index = its row of the scoreboard). */
interface AppThread {
  worker: Worker | undefined;
  /** Has accepted once: only such a thread is replaced (a first start failing stops the worker). */
  everReady: boolean;
  startedAt: number;
  quickDeaths: number;
}

export function startAppThreads(o: HostOptions): AppRunner {
  const log = o.logs.logger;
  let stopping = false;
  const threads: AppThread[] = [];

  const start = (index: number, fds: readonly ListenFd[]): Promise<void> => {
    const data: ThreadData = { workerId: o.workerId, threadIndex: index, config: o.config, fds, board: o.board.view.buffer };
    const worker = new Worker(THREAD_ENTRY, { workerData: data, stdout: false, stderr: false });
    const thread = threads[index];
    thread.worker = worker;
    thread.startedAt = Date.now();
    worker.on('error', (err) => log.error({ event: 'thread-error', thread: index, err }, 'uncaught exception in an app thread'));
    worker.once('exit', (code) => {
      if (thread.worker === worker) {
        thread.worker = undefined;
        o.board.retire(index);
      }
      if (!stopping && thread.everReady) void replace(index, code);
    });
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (m: ThreadToWorker) => {
        if (m.act === 'ready') {
          thread.everReady = true;
          resolve();
        } else if (m.act === 'app-load-failed') reject(new TsuwsgiError(m.code as ErrorCode, m.message));
        else if (m.act === 'recycle') o.askRecycle(m.reason, m.detail);
        else if (m.act === 'mule-msg') o.mules.fromThread(index, m);
      });
      worker.once('exit', (code) => reject(new Error(`app thread ${index} exited with code ${code} before accepting`)));
    });
  };

  const replace = async (index: number, code: number): Promise<void> => {
    const thread = threads[index];
    thread.quickDeaths = nextQuickDeaths(thread.quickDeaths, Date.now() - thread.startedAt);
    const delay = respawnDelayMs(thread.quickDeaths);
    log.warn({ event: 'thread-died', thread: index, code, respawnDelayMs: delay }, `app thread ${index} died (code ${code}); replacing it`);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (stopping) return;
    let fds: readonly ListenFd[] | undefined;
    try {
      fds = await o.sockets.request(index, o.fds[0].length);
      if (stopping) return;
      await start(index, fds);
      log.info({ event: 'thread-replaced', thread: index }, `app thread ${index} replaced and accepting`);
    } catch (err) {
      // The app is loaded before any fd is used: a thread that failed to load it never touched
      // its dups, and the next attempt (its exit starts one, throttled) gets new ones.
      if (fds !== undefined && isTsuwsgiError(err)) o.sockets.release(fds);
      log.error({ event: 'thread-replace-failed', thread: index, err }, `app thread ${index} could not be replaced`);
    }
  };

  // An answer for a thread replaced meanwhile is dropped: its sender went with it.
  o.mules.toThread = (index, ack) => threads[index]?.worker?.postMessage({ act: 'mule-ack', ...ack } satisfies WorkerToThread);
  const first = o.fds.map((fds, index) => {
    threads.push({ worker: undefined, everReady: false, startedAt: 0, quickDeaths: 0 });
    return start(index, fds);
  });

  return {
    ready: Promise.all(first).then(() => undefined),
    terminate: (index) => void threads[index]?.worker?.terminate(),
    reopenLogs: () => {
      for (const { worker } of threads) worker?.postMessage({ act: 'reopen-log' } satisfies WorkerToThread);
    },
    // A fault on this thread is tsuwsgi's own, not the app's: not an app exception.
    countMainThreadException: () => undefined,
    drain: async () => {
      stopping = true;
      await Promise.all(
        threads.map(({ worker }) =>
          worker === undefined
            ? Promise.resolve()
            : new Promise<void>((resolve) => {
                worker.once('exit', () => resolve());
                worker.postMessage({ act: 'stop' } satisfies WorkerToThread);
              }),
        ),
      );
    },
  };
}
