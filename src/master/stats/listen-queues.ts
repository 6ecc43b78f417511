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

const TCP_FILES = ['/proc/net/tcp', '/proc/net/tcp6'] as const;

/**
 * Which of TCP_FILES held each TCP listener (by inode) at the last read. Only those files are
 * read again: a file that holds none of our listeners has no listening row of ours at its head,
 * and finding that out walks the kernel's whole connection table (262 144 buckets on a 24 GiB
 * host, every TIME_WAIT socket of the other family included): /proc/net/tcp6 on a host whose
 * traffic is IPv4 took 7.7 ms a read with 29 000 TIME_WAIT sockets, once a second in the master.
 */
let tcpFileOf = new Map<number, string>();

/** Synchronous (a few small /proc reads); a promise for the callers that await it with others. */
export async function readListenQueues(sockets: readonly QueuedSocket[]): Promise<SocketQueue[]> {
  const table = new Map<number, number>();
  const inodes = sockets.map((s) => inodeOf(s.fd));
  const tcpInodes = inodes.filter((inode, i): inode is number => sockets[i]!.kind === 'tcp' && inode !== undefined);
  if (sockets.some((s) => s.kind === 'tcp')) {
    const known = tcpInodes.every((inode) => tcpFileOf.has(inode)) && tcpInodes.length > 0;
    const files = known ? TCP_FILES.filter((f) => tcpInodes.some((inode) => tcpFileOf.get(inode) === f)) : TCP_FILES;
    const seen = new Map<number, string>();
    for (const file of files) {
      const rows = parseProcNetTcp(readListeningHead(file));
      for (const inode of tcpInodes) if (rows.has(inode)) seen.set(inode, file);
      merge(table, rows);
    }
    tcpFileOf = seen;
  }
  if (sockets.some((s) => s.kind === 'unix')) merge(table, parseProcNetUnix(readOr('/proc/net/unix')));
  const cap = somaxconn();
  return sockets.map((s, i) => {
    const inode = inodes[i];
    const found = inode === undefined ? undefined : table.get(inode);
    return { queue: found ?? 0, max: Math.min(s.backlog, cap) };
  });
}

/** For tests: forget which file held which listener. */
export function forgetTcpFiles(): void {
  tcpFileOf = new Map();
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
