/**
 * The contract between the master, which forks a worker with its listening sockets as extra
 * stdio fds, and the worker, which finds them there: one dup per socket per app thread, so each
 * thread owns an fd it may close without touching its siblings or the master's copy.
 *
 * In the child, fd 0-2 are stdio and fd 3 the IPC channel; socket i of thread t is at
 * FIRST_SOCKET_FD + i × threads + t. The worker is told the layout in its init message
 * (shared/ipc.ts) rather than computing it, so this file is the only place that knows it.
 */
import type { SocketProto } from './socket-proto';

/** The first fd in the child that carries a listening socket. */
export const FIRST_SOCKET_FD = 4;

/** One listening socket as an app thread receives it. */
export interface ListenFd {
  readonly fd: number;
  readonly proto: SocketProto;
  /** The socket's address as the operator wrote it, for logs and stats. */
  readonly name: string;
}

export interface FdLayout {
  /** The master's fds, in the order they follow the IPC channel in the child's stdio. */
  readonly parentFds: readonly number[];
  /** Per app thread, its sockets as numbered in the child. */
  readonly perThread: readonly (readonly ListenFd[])[];
}

/** Pure: the same sockets and thread count give the same layout. */
export function layOutFds(sockets: readonly { readonly fd: number; readonly proto: SocketProto; readonly name: string }[], threads: number): FdLayout {
  const parentFds: number[] = [];
  const perThread: ListenFd[][] = Array.from({ length: threads }, () => []);
  sockets.forEach((s, i) => {
    for (let t = 0; t < threads; t++) {
      parentFds.push(s.fd);
      perThread[t].push({ fd: FIRST_SOCKET_FD + i * threads + t, proto: s.proto, name: s.name });
    }
  });
  return { parentFds, perThread };
}

/** The child's fd of the first extra fd passed after the sockets (the accept-turn board). */
export function fdAfterSockets(layout: FdLayout): number {
  return FIRST_SOCKET_FD + layout.parentFds.length;
}
