/**
 * Entry point of a worker process, forked by the master. Its listening sockets arrive as
 * inherited fds (laid out by the master, one dup per app thread); its configuration arrives as
 * the first IPC message. It never outlives the master: a closed IPC channel means exit now.
 */
import type { MasterToWorker, ThreadReport, WorkerToMaster, WorkerToWatchdog } from '../shared/ipc';

/** A thread that does not answer this fast is reported as not answering (stuck or busy). */
const REPORT_TIMEOUT_MS = 300;
import { createLogger, type LogHandle } from '../shared/logger';
import { ExitCode } from '../shared/exit-codes';
import { isTsuwsgiError } from '../shared/errors';
import { startAppHost } from './app-host';
import { startAppThreads } from './app-threads';
import { SocketRequests } from './socket-requests';
import { recycleLimits, type RecycleReason } from './recycle-limits';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Config } from '../config/types';
import { RequestSlots } from './harakiri/request-slots';
import { startWatchdog } from './harakiri/watchdog';
import type { WatchdogData } from './harakiri/watchdog-thread';
import { reopenLog } from '../shared/reopen-log';
import { CoreSlots } from './stats/core-slots';
import { watchAppFaults } from './app-faults';

let logs: LogHandle | undefined;
let stopGracefully: (() => Promise<void>) | undefined;
let stopping = false;
let report: (() => Promise<ThreadReport[]>) | undefined;
/** The other threads of this process that write to logto. */
let reopenOtherLogs: (() => void) | undefined;
/** This worker's request counters (stats set): read here, on the main thread, when asked. */
let cores: CoreSlots | undefined;

function send(m: WorkerToMaster): void {
  if (process.connected) process.send?.(m);
}

function exit(code: number): never {
  logs?.flush();
  process.exit(code);
}

async function init(m: Extract<MasterToWorker, { act: 'init' }>): Promise<void> {
  try {
    logs = createLogger({ role: 'worker', logto: m.config.logto, bindings: { worker: m.workerId } });
  } catch (err) {
    // The master opened this file before forking; it went away or changed owner since.
    process.stderr.write(`tsuwsgi worker ${m.workerId}: ${(err as Error).message}\n`);
    exit(ExitCode.BootError);
  }
  const log = logs.logger;
  // With threads = 1 the app runs on this thread; otherwise a fault here is tsuwsgi's own,
  // and the same policy fits: leave gracefully (app threads watch their own, thread/main.ts).
  watchAppFaults({
    log,
    countException: () => {
      if (m.config.threads === 1) cores?.exception(0);
    },
    leave: () => askRecycle('uncaught-exception', {}),
    leaving: 'this worker keeps serving until its replacement accepts, then drains and exits',
  });
  const requestCounter = recycleLimits(m.config, m.workerId) === undefined ? undefined : new SharedArrayBuffer(4);
  if (m.config.maxWorkerLifetime > 0) {
    const seconds = m.config.maxWorkerLifetime;
    setTimeout(() => askRecycle('max-worker-lifetime', { seconds }), seconds * 1000).unref();
  }
  const harakiriSlots = m.config.harakiri > 0 ? new SharedArrayBuffer(RequestSlots.bytesFor(m.config.threads)) : undefined;
  const statsSlots = m.config.stats !== undefined ? new SharedArrayBuffer(CoreSlots.bytesFor(m.config.threads)) : undefined;
  if (statsSlots !== undefined) cores = new CoreSlots(statsSlots);
  try {
    if (m.config.threads === 1) {
      if (harakiriSlots !== undefined) {
        const watchdog = startWatchdogThread(harakiriSlots, m.config, m.workerId);
        reopenOtherLogs = () => watchdog.postMessage({ act: 'reopen-log' } satisfies WorkerToWatchdog);
      }
      const listening = await startAppHost(
        { workerId: m.workerId, threadIndex: 0, config: m.config, fds: m.fds[0], requestCounter, harakiriSlots, statsSlots },
        logs,
        askRecycle,
      );
      stopGracefully = () => listening.drain();
      report = async () => [listening.report()];
    } else {
      const threads = startAppThreads(
        {
          workerId: m.workerId,
          config: m.config,
          fds: m.fds,
          requestSockets: (t) => sockets.request(t, m.fds[0].length),
          releaseSockets: (fds) => sockets.release(fds),
          requestCounter,
          harakiriSlots,
          statsSlots,
          onRecycle: askRecycle,
        },
        log,
      );
      if (harakiriSlots !== undefined) {
        startWatchdog(harakiriSlots, m.config.harakiri, m.workerId, log, (s) => {
          cores?.harakiri(s.thread);
          cores?.idle(s.thread);
          threads.terminate(s.thread);
        });
      }
      stopGracefully = () => threads.stop();
      reopenOtherLogs = () => threads.reopenLogs();
      report = () => threads.report(REPORT_TIMEOUT_MS);
      await threads.ready;
    }
  } catch (err) {
    if (isTsuwsgiError(err)) {
      send({ act: 'app-load-failed', code: err.code, message: err.message });
      exit(err.code.startsWith('E_APP') ? ExitCode.AppLoadError : ExitCode.BootError);
    }
    log.error({ err }, 'worker failed to start');
    exit(ExitCode.BootError);
  }
  send({ act: 'ready' });
}

/** threads = 1: the app runs on this thread, so the harakiri watchdog needs its own. */
function startWatchdogThread(buffer: SharedArrayBuffer, config: Config, workerId: number): Worker {
  const data: WatchdogData = { buffer, seconds: config.harakiri, workerId, logto: config.logto };
  const watchdog = new Worker(path.join(__dirname, 'harakiri', 'watchdog-thread.js'), { workerData: data, stdout: false, stderr: false });
  watchdog.unref();
  return watchdog;
}

let recycleAsked = false;

/** Once per worker: the master starts a replacement and then tells this worker to drain. */
function askRecycle(reason: RecycleReason, detail: Record<string, number>): void {
  if (recycleAsked || stopping) return;
  recycleAsked = true;
  send({ act: 'recycle', reason, detail });
}

async function stop(graceful: boolean): Promise<void> {
  if (!graceful) exit(ExitCode.Interrupted);
  if (stopping) return;
  stopping = true;
  await stopGracefully?.();
  exit(ExitCode.Ok);
}

const sockets = new SocketRequests(send);

process.on('message', (m: MasterToWorker, handle?: unknown) => {
  if (m.act === 'init') void init(m);
  else if (m.act === 'stop') void stop(m.graceful);
  else if (m.act === 'socket') sockets.receive(m, handle);
  else if (m.act === 'reopen-log') {
    // The master created the new file (and chowned it for uid/gid) before asking.
    reopenLog(logs);
    reopenOtherLogs?.();
  }
  // Read straight from shared memory: no app thread is asked, so a stuck one cannot delay it.
  else if (m.act === 'stats') send({ act: 'stats', round: m.round, cores: cores?.readAll() ?? [] });
  else if (m.act === 'report') {
    void (report?.() ?? Promise.resolve([])).then((threads) => send({ act: 'report', rssBytes: process.memoryUsage.rss(), threads }));
  }
});
// The master is gone (even SIGKILLed): nobody will reap or replace us, so leave at once.
process.on('disconnect', () => exit(ExitCode.Ok));
// A whole process group gets these from a terminal or from systemd's control-group kill.
process.on('SIGTERM', () => void stop(true));
process.on('SIGINT', () => exit(ExitCode.Interrupted));
process.on('SIGHUP', () => undefined);
process.on('SIGUSR1', () => undefined);
// Meant for the master (log reopen), which tells the workers over IPC; a group-wide USR2
// must not kill them (Node's default action).
process.on('SIGUSR2', () => undefined);
