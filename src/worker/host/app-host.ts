/**
 * A worker's app threads behind one interface, whichever way they run. With threads-min = 1
 * (the default, and always with threads = 1) the app runs on the worker's main thread
 * (in-process.ts: no hop at all) and the other app threads, started on demand, in
 * worker_threads next to it; with threads-min > 1 every app thread is a worker_thread the main
 * thread supervises (app-threads.ts). Everything that is not about how a thread runs is
 * written once, here and in the modules it calls: reports and stats read the scoreboard,
 * harakiri watches it (harakiri/supervise.ts), and each runner only starts, drains, ends and
 * replaces its threads.
 */
import type { Config } from '../../shared/config';
import type { ListenFd } from '../../shared/fd-layout';
import type { ThreadReport, TurnSeat } from '../../shared/ipc';
import type { LogHandle } from '../../shared/logger';
import type { CoreFigures } from '../../shared/stats-figures';
import type { Supervision } from '../harakiri/supervise';
import type { AskRecycle } from '../recycle-limits';
import type { Scoreboard } from '../scoreboard/scoreboard';
import type { SocketRequests } from '../socket-requests';
import type { MuleLink } from '../mule-link';
import { threadReports } from '../thread-reports';
import { mainThreadServes } from '../../shared/main-serves';
import { LoopActive, type LoopSample } from './loop-active';

export interface AppHost {
  /** Resolves once every app thread accepts; rejects with the first load error. */
  readonly ready: Promise<void>;
  /** Graceful stop: every app thread stops accepting, finishes its requests and ends. */
  drain(): Promise<void>;
  /** Each app thread's state (SIGUSR1, fifo s); a thread whose heartbeat stopped is not answering. */
  report(): Promise<ThreadReport[]>;
  /** Each app thread's stats figures; none when stats are off. */
  figures(): CoreFigures[];
  /** Every thread that writes to logto reopens it (the caller reopens its own). */
  reopenLogs(): void;
  /** An uncaught exception on the worker's main thread: the app's with threads = 1, counted. */
  countMainThreadException(): void;
  /** µs the serving threads' event loops were busy, summed, never decreasing (the cheaper). */
  loopActiveMicros(): number;
}

/**
 * The app threads run as worker_threads (all of them, or those beside the main thread): loaded
 * only with threads > 1, as the harakiri watchdog only with harakiri, so that a worker at
 * threads = 1 holds neither's code.
 */
function appThreads(): typeof import('./app-threads') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./app-threads') as typeof import('./app-threads');
}

/** harakiri's watchdog (harakiri/supervise.ts), when harakiri is set. */
function superviseHarakiri(o: HostOptions, terminate: (thread: number) => void): Supervision {
  if (o.config.harakiri <= 0) return { reopenLog: () => undefined };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { superviseHarakiri: supervise } = require('../harakiri/supervise') as typeof import('../harakiri/supervise');
  return supervise(o.board, o.config, o.workerId, o.logs.logger, terminate);
}

/** Row 0 on this thread, rows 1.. in worker_threads started when needed. */
function mainAndThreads(o: HostOptions): AppRunner {
  const main = inProcess().startInProcess(o);
  let mainReady = false;
  const ready = main.ready.then(() => {
    mainReady = true;
  });
  const others = appThreads().startAppThreads(o, () => mainReady);
  return {
    ready: Promise.all([ready, others.ready]).then(() => undefined),
    drain: () => Promise.all([main.drain(), others.drain()]).then(() => undefined),
    terminate: (thread) => (thread === 0 ? main.terminate(0) : others.terminate(thread)),
    reopenLogs: () => others.reopenLogs(),
    countMainThreadException: () => main.countMainThreadException(),
    loops: () => [...main.loops(), ...others.loops()],
  };
}

/** What a runner gets: the worker's configuration, sockets, scoreboard and logs. */
export interface HostOptions {
  readonly workerId: number;
  readonly config: Config;
  /** Per app thread, its dups of every listening socket. */
  readonly fds: readonly (readonly ListenFd[])[];
  /** The accept turn of app thread 0 on the main thread (absent: it always accepts). */
  readonly turn?: TurnSeat;
  readonly board: Scoreboard;
  readonly logs: LogHandle;
  readonly askRecycle: AskRecycle;
  /** Fresh dups for a replacement app thread (threads > 1). */
  readonly sockets: SocketRequests;
  /** Relays the app threads' mules.send to the master and the answers back (threads > 1). */
  readonly mules: MuleLink;
}

/** The part that depends on how the app threads run. */
export interface AppRunner {
  readonly ready: Promise<void>;
  drain(): Promise<void>;
  /** Ends app thread `thread` now, even mid-loop (harakiri); it is replaced. */
  terminate(thread: number): void;
  reopenLogs(): void;
  countMainThreadException(): void;
  /** Each serving thread's event-loop busy time so far. */
  loops(): LoopSample[];
}

/**
 * The serving code (server/, app loading, static files) loaded only where the app runs: with
 * threads > 1 this thread supervises and never serves, and the code would cost its heap ~3 MB.
 */
function inProcess(): typeof import('./in-process') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./in-process') as typeof import('./in-process');
}

export function startAppHost(o: HostOptions): AppHost {
  const runner = !mainThreadServes(o.config) ? appThreads().startAppThreads(o) : o.config.threads === 1 ? inProcess().startInProcess(o) : mainAndThreads(o);
  const loop = new LoopActive();
  const harakiri = superviseHarakiri(o, (t) => runner.terminate(t));
  return {
    ready: runner.ready,
    drain: () => runner.drain(),
    report: () => threadReports(o.board),
    // Read straight from shared memory: no app thread is asked, so a stuck one cannot delay it.
    figures: () => (o.config.stats === undefined ? [] : o.board.figuresOfAll(o.config.statsVars)),
    reopenLogs: () => {
      runner.reopenLogs();
      harakiri.reopenLog();
    },
    countMainThreadException: () => runner.countMainThreadException(),
    loopActiveMicros: () => loop.add(runner.loops()),
  };
}
