/**
 * The master's sockets' accept queues right now, read in-process from /proc (listen-table.ts
 * parses it): each socket's inode (from its fd) looked up in /proc/net/tcp{,6} for TCP and in
 * /proc/net/unix for unix sockets. No child process: this runs once a second in every master,
 * and an `ss` run each time cost an idle master 1.5 % of a core (design-notes.md, Stats).
 */
import fs from 'node:fs';
import { parseProcNetTcp, parseProcNetUnix, pastListening, socketInode } from './listen-table';

export interface QueuedSocket {
  readonly fd: number;
  readonly kind: 'tcp' | 'unix';
  /** The backlog asked for (listen); the kernel caps it at net.core.somaxconn. */
  readonly backlog: number;
}

export interface SocketQueue {
  readonly queue: number;
  readonly max: number;
}

const CHUNK = 64 * 1024;

/** Synchronous (a few small /proc reads); a promise for the callers that await it with others. */
export async function readListenQueues(sockets: readonly QueuedSocket[]): Promise<SocketQueue[]> {
  const table = new Map<number, number>();
  if (sockets.some((s) => s.kind === 'tcp')) {
    for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) merge(table, parseProcNetTcp(readListeningHead(file)));
  }
  if (sockets.some((s) => s.kind === 'unix')) merge(table, parseProcNetUnix(readOr('/proc/net/unix')));
  const cap = somaxconn();
  return sockets.map((s) => {
    const inode = inodeOf(s.fd);
    const found = inode === undefined ? undefined : table.get(inode);
    return { queue: found ?? 0, max: Math.min(s.backlog, cap) };
  });
}

function merge(into: Map<number, number>, from: Map<number, number>): void {
  for (const [k, v] of from) into.set(k, v);
}

function inodeOf(fd: number): number | undefined {
  try {
    return socketInode(fs.readlinkSync(`/proc/self/fd/${fd}`));
  } catch {
    return undefined;
  }
}

/**
 * The listening rows at the head of /proc/net/tcp{,6}, read until the first other row: a busy
 * server's tens of thousands of connections (TIME_WAIT included) come after and are not read.
 */
function readListeningHead(file: string): string {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return ''; // No IPv6, or no /proc: nothing to add.
  }
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let text = '';
    for (;;) {
      const n = fs.readSync(fd, buf, 0, CHUNK, null);
      if (n <= 0) return text;
      text += buf.toString('latin1', 0, n);
      if (pastListening(text)) return text;
    }
  } catch {
    return '';
  } finally {
    fs.closeSync(fd);
  }
}

function readOr(file: string): string {
  try {
    return fs.readFileSync(file, 'latin1');
  } catch {
    return '';
  }
}

/** listen() takes min(backlog, somaxconn) of the socket's network namespace. */
function somaxconn(): number {
  const n = Number(readOr('/proc/sys/net/core/somaxconn').trim());
  return Number.isSafeInteger(n) && n > 0 ? n : Number.MAX_SAFE_INTEGER;
}
