/**
 * The app threads of one worker process (threads > 1): start them, learn when each accepts,
 * replace one that dies without disturbing its siblings, stop them gracefully.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../shared/logger';
import type { Config } from '../config/types';
import type { ListenFd } from '../server/listeners';
import type { ThreadData, ThreadReport, ThreadToWorker, WorkerToThread } from '../shared/ipc';
import { TsuwsgiError, isTsuwsgiError, type ErrorCode } from '../shared/errors';
import { nextQuickDeaths, respawnDelayMs } from '../shared/respawn-policy';
import type { AskRecycle } from './recycle-limits';

const THREAD_ENTRY = path.join(__dirname, 'thread', 'main.js');

export interface AppThreads {
  /** Resolves once every first-generation thread accepts; rejects with the first load error. */
  readonly ready: Promise<void>;
  /** Graceful stop: each thread drains its connections and exits. */
  stop(): Promise<void>;
  /** Ends one thread at once, even mid-loop (harakiri); it is replaced like one that died. */
  terminate(index: number): void;
  /** Each thread's state; a thread that does not answer in time (stuck) is marked so. */
  report(timeoutMs: number): Promise<ThreadReport[]>;
  /** Each running thread reopens logto; a replacement started later opens it fresh anyway. */
  reopenLogs(): void;
}

export interface AppThreadsOptions {
  readonly workerId: number;
  readonly config: Config;
  readonly fds: ListenFd[][];
  /** Fresh dups of every socket for a replacement thread (its predecessor's closed with it). */
  readonly requestSockets: (thread: number) => Promise<ListenFd[]>;
  /** Closes dups a replacement never listened on (it could not load the app). */
  readonly releaseSockets: (fds: readonly ListenFd[]) => void;
  readonly requestCounter: SharedArrayBuffer | undefined;
  readonly harakiriSlots: SharedArrayBuffer | undefined;
  readonly statsSlots: SharedArrayBuffer | undefined;
  readonly onRecycle: AskRecycle;
}

interface ThreadSlot {
  worker: Worker | undefined;
  /** Has accepted once: only such a thread is replaced (a first start failing stops the worker). */
  everReady: boolean;
  startedAt: number;
  quickDeaths: number;
}

export function startAppThreads(opts: AppThreadsOptions, log: Logger): AppThreads {
  let stopping = false;
  const slots: ThreadSlot[] = [];

  const start = (index: number, fds: ListenFd[]): Promise<void> => {
    const data: ThreadData = { workerId: opts.workerId, threadIndex: index, config: opts.config, fds, requestCounter: opts.requestCounter, harakiriSlots: opts.harakiriSlots, statsSlots: opts.statsSlots };
    const worker = new Worker(THREAD_ENTRY, { workerData: data, stdout: false, stderr: false });
    const slot = slots[index];
    slot.worker = worker;
    slot.startedAt = Date.now();
    worker.on('error', (err) => log.error({ event: 'thread-error', thread: index, err }, 'uncaught exception in an app thread'));
    worker.once('exit', (code) => {
      if (slot.worker === worker) slot.worker = undefined;
      if (!stopping && slot.everReady) void replace(index, code);
    });
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (m: ThreadToWorker) => {
        if (m.act === 'ready') {
          slot.everReady = true;
          resolve();
        }
        else if (m.act === 'app-load-failed') reject(new TsuwsgiError(m.code as ErrorCode, m.message));
        else if (m.act === 'recycle') opts.onRecycle(m.reason, m.detail);
      });
      worker.once('exit', (code) => reject(new Error(`app thread ${index} exited with code ${code} before accepting`)));
    });
  };

  const replace = async (index: number, code: number): Promise<void> => {
    const slot = slots[index];
    slot.quickDeaths = nextQuickDeaths(slot.quickDeaths, Date.now() - slot.startedAt);
    const delay = respawnDelayMs(slot.quickDeaths);
    log.warn({ event: 'thread-died', thread: index, code, respawnDelayMs: delay }, `app thread ${index} died (code ${code}); replacing it`);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (stopping) return;
    let fds: ListenFd[] | undefined;
    try {
      fds = await opts.requestSockets(index);
      if (stopping) return;
      await start(index, fds);
      log.info({ event: 'thread-replaced', thread: index }, `app thread ${index} replaced and accepting`);
    } catch (err) {
      // The app is loaded before any fd is used: a thread that failed to load it never touched
      // its dups, and the next attempt (its exit starts one, throttled) gets new ones.
      if (fds !== undefined && isTsuwsgiError(err)) opts.releaseSockets(fds);
      log.error({ event: 'thread-replace-failed', thread: index, err }, `app thread ${index} could not be replaced`);
    }
  };

  const first = opts.fds.map((fds, index) => {
    slots.push({ worker: undefined, everReady: false, startedAt: 0, quickDeaths: 0 });
    return start(index, fds);
  });

  return {
    ready: Promise.all(first).then(() => undefined),
    terminate: (index) => void slots[index]?.worker?.terminate(),
    reopenLogs: () => {
      for (const { worker } of slots) worker?.postMessage({ act: 'reopen-log' } satisfies WorkerToThread);
    },
    report: (timeoutMs) =>
      Promise.all(
        slots.map(
          ({ worker }, thread) =>
            new Promise<ThreadReport>((resolve) => {
              const missing: ThreadReport = { thread, answered: false };
              if (worker === undefined) return resolve(missing);
              const timer = setTimeout(() => {
                worker.off('message', onMessage);
                resolve(missing);
              }, timeoutMs);
              const onMessage = (m: ThreadToWorker): void => {
                if (m.act !== 'report') return;
                clearTimeout(timer);
                worker.off('message', onMessage);
                resolve(m.report);
              };
              worker.on('message', onMessage);
              worker.postMessage({ act: 'report' } satisfies WorkerToThread);
            }),
        ),
      ),
    stop: async () => {
      stopping = true;
      await Promise.all(
        slots.map(({ worker }) =>
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
