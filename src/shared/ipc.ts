/**
 * Messages between the master and a worker process (over the fork IPC channel) and between
 * a worker process and its app threads (postMessage). One discriminated union per direction.
 * Nothing here is sent per request.
 */
import type { Config } from './config';
import type { ListenFd } from './fd-layout';
import type { SocketProto } from './socket-proto';
import type { CoreFigures } from './stats-figures';
import type { MuleAck, MuleSend } from './mules/ipc';

/** Why a worker asks for its replacement: a limit, or an uncaught exception (worker/app-faults.ts). */
export const RECYCLE_REASONS = ['max-requests', 'reload-on-rss', 'max-worker-lifetime', 'uncaught-exception'] as const;
export type RecycleReason = (typeof RECYCLE_REASONS)[number];

export type MasterToWorker =
  | { act: 'init'; workerId: number; config: Config; fds: readonly (readonly ListenFd[])[]; turn?: TurnSeat }
  | { act: 'stop'; graceful: boolean }
  /** Report your state (SIGUSR1, fifo s). */
  | { act: 'report' }
  /** The master has reopened logto (SIGUSR2, fifo l, log-reopen): write to the new file. */
  | { act: 'reopen-log' }
  /** Send your counters for the stats server; `round` comes back with them. */
  | { act: 'stats'; round: number }
  /** The cheaper's once-a-second question: how busy are you? */
  | { act: 'load'; round: number }
  /** Sent with a socket handle: a fresh dup for a replacement app thread. */
  | { act: 'socket'; thread: number; index: number; proto: SocketProto; name: string }
  /** The answer to app thread `thread`'s mules.send (mules/ipc.ts). */
  | ({ act: 'mule-ack'; thread: number } & MuleAck);

/** One app thread's state, for SIGUSR1 / fifo s (worker/thread-reports.ts). */
export interface ThreadReport {
  readonly thread: number;
  /** False for a thread that is not running, or whose event loop is blocked (its heartbeat stopped). */
  readonly answered: boolean;
  /** False when no thread runs on the row: not started yet (threads-min), retired, or being replaced. */
  readonly running: boolean;
  readonly requests?: number;
  readonly connections?: number;
  /** Of those, connections the app took over (WebSocket, CONNECT). */
  readonly upgraded?: number;
  /** The oldest request in progress, if any: "METHOD URI" and how long it has run. */
  readonly current?: { readonly request: string; readonly ms: number };
}

export type WorkerToMaster =
  | { act: 'ready' }
  /** An app thread died: its fds closed with it, so its replacement needs new dups. */
  | { act: 'need-sockets'; thread: number }
  | { act: 'report'; rssBytes: number; threads: ThreadReport[] }
  | { act: 'stats'; round: number; cores: CoreFigures[] }
  /** µs with a request in flight since the start (mean over the app threads); one in flight now. */
  | { act: 'load'; round: number; busyMicros: number; busy: boolean }
  /** A recycling limit was reached: start my replacement, then tell me to drain. */
  | { act: 'recycle'; reason: RecycleReason; detail: Record<string, number> }
  | { act: 'app-load-failed'; code: string; message: string }
  /** App thread `thread` called mules.send. */
  | ({ act: 'mule-msg'; thread: number } & MuleSend);

export type ThreadToWorker =
  | { act: 'ready' }
  | { act: 'app-load-failed'; code: string; message: string }
  | { act: 'recycle'; reason: RecycleReason; detail: Record<string, number> }
  | ({ act: 'mule-msg' } & MuleSend);

/** A thread's state for SIGUSR1 is read from the scoreboard: no message asks for it. */
export type WorkerToThread = { act: 'stop' } | { act: 'reopen-log' } | ({ act: 'mule-ack' } & MuleAck);

/** To the harakiri watchdog thread (threads = 1), which writes to logto too. */
export type WorkerToWatchdog = { act: 'reopen-log' };
/** The watchdog found app thread `thread` (not the main thread's) stuck: end it, it is replaced. */
export type WatchdogToWorker = { act: 'terminate'; thread: number };

/** workerData of an app thread. */
/** A worker's place on the accept-turn board (shared/turn-board.ts): absent when every worker always accepts. */
export interface TurnSeat {
  /** The board file, open read-write in the worker. */
  readonly fd: number;
  /** This worker's record. */
  readonly slot: number;
  /** Records on the board. */
  readonly capacity: number;
  /** How many workers accept while none is saturated (accepting-workers, resolved). */
  readonly accepting: number;
}

export interface ThreadData {
  readonly workerId: number;
  readonly threadIndex: number;
  readonly config: Config;
  readonly fds: readonly ListenFd[];
  /** The worker's scoreboard (worker/scoreboard/layout.ts); this thread writes row `threadIndex`. */
  readonly board: SharedArrayBuffer;
  /** Only for app thread 0 on the worker's main thread. */
  readonly turn?: TurnSeat;
}
