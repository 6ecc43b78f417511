/**
 * threads > 1: the app runs in worker_threads the main thread supervises. threads-min of them
 * start with the worker; the others start when every running one is saturated and retire when
 * they have been unneeded for threads-idle seconds (thread-demand.ts says when), so an app
 * whose handlers never block costs about one thread. The main thread runs no app code, so it
 * can decide while every app thread is blocked. A thread of the first threads-min that dies or
 * is terminated (harakiri) is replaced without disturbing its siblings; one started on demand
 * starts again on demand. A thread that ends gives its row of the scoreboard back (retire), so
 * nothing reads it as running until a new thread takes the row.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ListenFd } from '../../shared/fd-layout';
import type { ThreadData, ThreadToWorker, WorkerToThread } from '../../shared/ipc';
import { TsuwsgiError, isTsuwsgiError, type ErrorCode } from '../../shared/errors';
import { nextQuickDeaths, respawnDelayMs } from '../../shared/respawn-policy';
import { appThreadLimits } from '../../shared/node-args';
import type { AppRunner, HostOptions } from './app-host';
import { watchDemand } from './demand-watch';

const THREAD_ENTRY = path.join(__dirname, '..', 'thread', 'main.js');

/** What the main thread keeps about one app thread (index = its row of the scoreboard). */
export interface AppThread {
  worker: Worker | undefined;
  /** Accepts now. */
  ready: boolean;
  /**
   * A start is under way, from the request for its socket dups on: the row counts as running
   * (not ready) meanwhile, or a check while the master's answer waits (the main thread blocked)
   * would start it a second time.
   */
  starting: boolean;
  /** Has accepted once: only such a thread is replaced (a first start failing stops the worker). */
  everReady: boolean;
  /** Asked to finish and end because it is not needed: not replaced when it exits. */
  retiring: boolean;
  /** The fds the master gave this row at fork are still unused (a thread that ends closes its own). */
  forkFds: boolean;
  startedAt: number;
  quickDeaths: number;
  /** ms since epoch before which no start on demand is tried again (a start failed). */
  notBefore: number;
}

/**
 * `mainReady`: row 0 runs on the worker's main thread (host/app-host.ts), not here; it counts in
 * the decisions as a running thread, ready once this says so.
 */
export function startAppThreads(o: HostOptions, mainReady?: () => boolean): AppRunner {
  const log = o.logs.logger;
  let stopping = false;
  const threads: AppThread[] = o.fds.map(() => ({
    worker: undefined, ready: false, starting: false, everReady: false, retiring: false, forkFds: true, startedAt: 0, quickDeaths: 0, notBefore: 0,
  }));

  const start = (index: number, fds: readonly ListenFd[]): Promise<void> => {
    const data: ThreadData = { workerId: o.workerId, threadIndex: index, config: o.config, fds, board: o.board.view.buffer };
    const worker = new Worker(THREAD_ENTRY, { workerData: data, stdout: false, stderr: false, resourceLimits: appThreadLimits(o.config) });
    const thread = threads[index];
    Object.assign(thread, { worker, ready: false, retiring: false, forkFds: false, startedAt: Date.now() });
    worker.on('error', (err) => log.error({ event: 'thread-error', thread: index, err }, 'uncaught exception in an app thread'));
    worker.once('exit', (code) => {
      if (thread.worker === worker) {
        thread.worker = undefined;
        thread.ready = false;
        o.board.retire(index);
      }
      if (stopping || !thread.everReady || thread.retiring) return;
      if (index < o.config.threadsMin) void replace(index, code);
      else ended(index, code);
    });
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (m: ThreadToWorker) => {
        if (m.act === 'ready') {
          thread.everReady = true;
          thread.ready = true;
          resolve();
        } else if (m.act === 'app-load-failed') reject(new TsuwsgiError(m.code as ErrorCode, m.message));
        else if (m.act === 'recycle') o.askRecycle(m.reason, m.detail);
        else if (m.act === 'mule-msg') o.mules.fromThread(index, m);
      });
      worker.once('exit', (code) => reject(new Error(`app thread ${index} exited with code ${code} before accepting`)));
    });
  };

  /** The row's fds: the ones from the fork the first time, fresh dups from the master after. */
  const fdsFor = (index: number): Promise<readonly ListenFd[]> =>
    threads[index].forkFds ? Promise.resolve(o.fds[index]) : o.sockets.request(index, o.fds[0].length);

  const startWithFds = async (index: number): Promise<void> => {
    let fds: readonly ListenFd[] | undefined;
    threads[index].starting = true;
    try {
      fds = await fdsFor(index);
      if (stopping) return;
      await start(index, fds);
    } catch (err) {
      // The app is loaded before any fd is used: a thread that failed to load it never touched
      // its dups, and the next attempt gets new ones.
      if (fds !== undefined && isTsuwsgiError(err)) o.sockets.release(fds);
      throw err;
    } finally {
      threads[index].starting = false;
    }
  };

  /** Held back from starting on demand: the respawn policy's delay, at least `minMs`. */
  const holdBack = (thread: AppThread, minMs: number): void => {
    thread.quickDeaths = nextQuickDeaths(thread.quickDeaths, Date.now() - thread.startedAt);
    thread.notBefore = Date.now() + Math.max(minMs, respawnDelayMs(thread.quickDeaths));
  };

  /**
   * A thread started on demand that ended unasked (harakiri, a crash) is not replaced at once:
   * like any row above threads-min it starts when the running threads are saturated again,
   * after the respawn policy's delay should it keep dying.
   */
  const ended = (index: number, code: number): void => {
    holdBack(threads[index], 0);
    log.warn({ event: 'thread-died', thread: index, code, onDemand: true }, `app thread ${index} died (code ${code}); it starts again when needed`);
  };

  const replace = async (index: number, code: number): Promise<void> => {
    const thread = threads[index];
    thread.quickDeaths = nextQuickDeaths(thread.quickDeaths, Date.now() - thread.startedAt);
    const delay = respawnDelayMs(thread.quickDeaths);
    log.warn({ event: 'thread-died', thread: index, code, respawnDelayMs: delay }, `app thread ${index} died (code ${code}); replacing it`);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (stopping) return;
    try {
      await startWithFds(index);
      log.info({ event: 'thread-replaced', thread: index }, `app thread ${index} replaced and accepting`);
    } catch (err) {
      log.error({ event: 'thread-replace-failed', thread: index, err }, `app thread ${index} could not be replaced`);
    }
  };

  const demand = watchDemand(threads, o, mainReady, {
    start: (index, reason) => {
      log.info({ event: 'thread-start', thread: index, reason }, `app thread ${index} starting: every running thread is ${reason === 'blocked' ? 'blocked' : 'busy on a CPU'}`);
      startWithFds(index).then(
        () => log.info({ event: 'thread-started', thread: index }, `app thread ${index} accepting`),
        (err: unknown) => {
          // The respawn policy's backoff (at least a second), or a broken app would be loaded
          // again at every check.
          holdBack(threads[index], 1000);
          log.error({ event: 'thread-start-failed', thread: index, err }, `app thread ${index} could not start`);
        },
      );
    },
    retire: (index, idleS) => {
      const thread = threads[index];
      log.info({ event: 'thread-retire', thread: index, idleS }, `app thread ${index} retiring: not needed for ${idleS} s`);
      thread.retiring = true;
      thread.ready = false;
      const worker = thread.worker;
      worker?.postMessage({ act: 'stop' } satisfies WorkerToThread);
      // Its drain is bounded as a worker's is: no decision is taken until it has gone.
      setTimeout(() => void (thread.worker === worker ? worker?.terminate() : undefined), o.config.workerReloadMercy * 1000).unref();
    },
  });

  // An answer for a thread replaced meanwhile is dropped: its sender went with it.
  o.mules.toThread = (index, ack) => threads[index]?.worker?.postMessage({ act: 'mule-ack', ...ack } satisfies WorkerToThread);
  const from = mainReady === undefined ? 0 : 1;
  const first = threads.slice(from, o.config.threadsMin).map((_, i) => start(from + i, o.fds[from + i]));

  return {
    ready: Promise.all(first).then(() => demand.begin()),
    terminate: (index) => void threads[index]?.worker?.terminate(),
    reopenLogs: () => {
      for (const { worker } of threads) worker?.postMessage({ act: 'reopen-log' } satisfies WorkerToThread);
    },
    // A fault on this thread is tsuwsgi's own, not the app's: not an app exception.
    countMainThreadException: () => undefined,
    loops: () => threads.flatMap(({ worker, ready }) => (worker !== undefined && ready ? [{ id: worker, activeMs: worker.performance.eventLoopUtilization().active }] : [])),
    drain: async () => {
      stopping = true;
      demand.end();
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
