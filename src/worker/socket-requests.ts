/**
 * Asks the master for fresh dups of every listening socket (for a replacement app thread) and
 * collects the handles as they arrive over IPC. The received handle objects are kept for the
 * process's life: the fd they carry now belongs to an app thread, and a handle that was closed
 * or collected here would close that thread's socket. Only a thread that never used its fds
 * (it could not load the app) gives them back, through `release`.
 */
import type { ListenFd } from '../shared/fd-layout';
import type { MasterToWorker, WorkerToMaster } from '../shared/ipc';

type SocketMessage = Extract<MasterToWorker, { act: 'socket' }>;

interface Pending {
  readonly expected: number;
  readonly fds: ListenFd[];
  readonly resolve: (fds: ListenFd[]) => void;
}

export class SocketRequests {
  private readonly pending = new Map<number, Pending>();
  /** By fd number. */
  private readonly held = new Map<number, unknown>();

  constructor(private readonly sendToMaster: (m: WorkerToMaster) => void = (m) => process.send?.(m)) {}

  request(thread: number, expected: number): Promise<ListenFd[]> {
    return new Promise((resolve) => {
      this.pending.set(thread, { expected, fds: new Array(expected), resolve });
      this.sendToMaster({ act: 'need-sockets', thread });
    });
  }

  receive(m: SocketMessage, handle: unknown): void {
    const p = this.pending.get(m.thread);
    const fd = (handle as { fd?: number } | undefined)?.fd;
    if (p === undefined || typeof fd !== 'number' || fd < 0) return;
    this.held.set(fd, handle);
    p.fds[m.index] = { fd, proto: m.proto, name: m.name };
    if (p.fds.filter(Boolean).length === p.expected) {
      this.pending.delete(m.thread);
      p.resolve(p.fds);
    }
  }

  /** Closes fds a thread received and never listened on; without it each failed start leaks them. */
  release(fds: readonly ListenFd[]): void {
    for (const { fd } of fds) {
      const handle = this.held.get(fd) as { close?: () => void } | undefined;
      this.held.delete(fd);
      handle?.close?.();
    }
  }
}
