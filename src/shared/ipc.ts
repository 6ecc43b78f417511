/**
 * Messages between the master and a worker process (over the fork IPC channel) and between
 * a worker process and its app threads (postMessage). One discriminated union per direction.
 * Nothing here is sent per request.
 */
import type { Config } from '../config/types';
import type { ListenFd } from '../server/listeners';

export type MasterToWorker =
  | { act: 'init'; workerId: number; config: Config; fds: ListenFd[][] }
  | { act: 'stop'; graceful: boolean }
  /** Sent with a socket handle: a fresh dup for a replacement app thread. */
  | { act: 'socket'; thread: number; index: number; proto: 'uwsgi' | 'http'; name: string };

export type WorkerToMaster =
  | { act: 'ready' }
  /** An app thread died: its fds closed with it, so its replacement needs new dups. */
  | { act: 'need-sockets'; thread: number }
  | { act: 'app-load-failed'; code: string; message: string };

export type ThreadToWorker =
  | { act: 'ready' }
  | { act: 'app-load-failed'; code: string; message: string }
  | { act: 'drained' };

export type WorkerToThread = { act: 'stop' };

/** workerData of an app thread. */
export interface ThreadData {
  readonly workerId: number;
  readonly threadIndex: number;
  readonly config: Config;
  readonly fds: ListenFd[];
}
