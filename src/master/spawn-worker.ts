/**
 * Forks one worker process. The listening sockets go to the child as extra stdio fds (the
 * systemd way): one dup per socket per app thread, so each thread owns an fd it may close.
 * child_process.fork rather than cluster.fork: in a cluster worker listen({fd}) means the
 * PRIMARY's fd, and worker threads inherit NODE_UNIQUE_ID and hang in listen().
 *
 * A fork can fail (a chdir a deploy swapped away, EACCES, EAGAIN). Node reports that either
 * by throwing (ENOTDIR, EPERM …) or, for ENOENT, EACCES, EAGAIN, EMFILE and ENFILE, by an
 * 'error' event on a ChildProcess without a pid; unhandled, that event would end the master.
 * Both become one call of `onFailed`.
 */
import { childExecArgv } from '../shared/node-args';
import { fork, type ChildProcess, type StdioOptions } from 'node:child_process';
import path from 'node:path';
import type { Config } from '../shared/config';
import type { TurnSeat } from '../shared/ipc';
import { fdAfterSockets, layOutFds } from '../shared/fd-layout';
import type { BoundSocket } from './sockets';
import { workerCredentials } from './credentials';
import { sendToWorker } from './send-to-worker';
import { describeSpawnFailure, started, type SpawnFailure } from './spawn-failure';

export const WORKER_ENTRY = path.join(__dirname, '..', 'worker', 'main.js');
/** The worker's record on the accept-turn board as the master holds it: the master's fd, not the child's. */
export type TurnBoardSeat = Omit<TurnSeat, 'fd'> & { readonly boardFd: number };

/** The running worker, or undefined when it could not be started (`onFailed` says why, once). */
export function spawnWorker(workerId: number, config: Config, sockets: readonly BoundSocket[], onFailed: (failure: SpawnFailure) => void, turn?: TurnBoardSeat): ChildProcess | undefined {
  const threads = config.threads;
  const layout = layOutFds(sockets, threads);
  const stdio: StdioOptions = ['ignore', 'inherit', 'inherit', 'ipc', ...layout.parentFds, ...(turn === undefined ? [] : [turn.boardFd])];
  const failed = (err: unknown): void => onFailed(describeSpawnFailure(err, config.chdir, process.execPath));
  let child: ChildProcess;
  try {
    child = fork(WORKER_ENTRY, [], {
      stdio,
      env: { ...process.env, ...Object.fromEntries(config.env), TSUWSGI_WORKER_ID: String(workerId) },
      cwd: config.chdir,
      execArgv: childExecArgv(config, 'worker', process.execArgv, process.env.NODE_OPTIONS),
      serialization: 'json',
      // uid/gid (root master only): libuv runs setgroups(0, NULL), setgid, setuid in the child
      // before exec, so supplementary groups go too (verified in libuv 1.46; see privileges.ts).
      ...workerCredentials(config),
    });
  } catch (err) {
    failed(err);
    return undefined;
  }
  if (!started(child, failed)) return undefined;
  const seat: TurnSeat | undefined = turn === undefined ? undefined : { fd: fdAfterSockets(layout), slot: turn.slot, capacity: turn.capacity, accepting: turn.accepting };
  sendToWorker(child, { act: 'init', workerId, config, fds: layout.perThread, turn: seat });
  return child;
}
