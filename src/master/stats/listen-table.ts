/**
 * Listening sockets' accept queues from the kernel's own tables, by socket inode. Pure parsers
 * of what the master reads in-process once a second (listen-queues.ts):
 * - /proc/net/tcp and /proc/net/tcp6: for a LISTEN row (state 0A) rx_queue is the accept queue
 *   (`sk_ack_backlog`); the backlog is not there. The kernel lists the listening sockets first,
 *   then the connections (TIME_WAIT included), so a reader can stop at the first other row.
 * - /proc/net/unix: a connection waiting in a listener's queue is a socket of its own there,
 *   with the listener's path, state 02 (SS_CONNECTING: no `struct socket` yet) and inode 0,
 *   until accept() gives it one; so the queue is the count of those rows per path.
 */

const LISTEN_STATE = '0A';

/** /proc/net/tcp or tcp6: "sl local rem st tx_queue:rx_queue tr:when retrnsmt uid timeout inode …". */
/** Each LISTEN socket's accept queue, by inode. */
export function parseProcNetTcp(text: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10 || cols[3] !== LISTEN_STATE) continue;
    const rx = cols[4].split(':')[1];
    const inode = Number(cols[9]);
    if (rx === undefined || !Number.isSafeInteger(inode) || inode <= 0) continue;
    out.set(inode, parseInt(rx, 16));
  }
  return out;
}

/**
 * Whether the text holds a complete row past the listening ones (the reader can stop): the
 * header line is skipped, a last line without its newline is not looked at.
 */
export function pastListening(text: string): boolean {
  let at = text.indexOf('\n') + 1;
  if (at === 0) return false;
  for (;;) {
    const end = text.indexOf('\n', at);
    if (end < 0) return false;
    const cols = text.slice(at, end).trim().split(/\s+/);
    if (cols.length >= 4 && cols[3] !== LISTEN_STATE) return true;
    at = end + 1;
  }
}

/** __SO_ACCEPTCON in /proc/net/unix's Flags: the socket listens. */
const ACCEPTCON = 0x10000;
const UNCONNECTED = '01';
const CONNECTING = '02';
/** "Num RefCount Protocol Flags Type St Inode [Path]"; a path may hold spaces. */
const UNIX_ROW = /^\s*[0-9a-fA-F]+: [0-9a-fA-F]+ [0-9a-fA-F]+ ([0-9a-fA-F]+) [0-9a-fA-F]+ ([0-9a-fA-F]+) +(\d+)(?: (.*))?$/;

/**
 * /proc/net/unix: each listening socket's queue, by its inode. Two listeners on one path (a
 * second server bound it after ours was unlinked) both get the path's count: the rows of queued
 * connections do not say which listener they wait on.
 */
export function parseProcNetUnix(text: string): Map<number, number> {
  const listeners = new Map<number, string>();
  const waiting = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = UNIX_ROW.exec(line);
    if (m === null || m[4] === undefined || m[4] === '') continue;
    const [, flags, st, ino, path] = m;
    const inode = Number(ino);
    if (st === UNCONNECTED && (parseInt(flags, 16) & ACCEPTCON) !== 0 && inode > 0) listeners.set(inode, path);
    else if (st === CONNECTING && inode === 0) waiting.set(path, (waiting.get(path) ?? 0) + 1);
  }
  const out = new Map<number, number>();
  for (const [inode, path] of listeners) out.set(inode, waiting.get(path) ?? 0);
  return out;
}

/** "socket:[12345]" (readlink of /proc/self/fd/N) → 12345. */
export function socketInode(link: string): number | undefined {
  const m = /^socket:\[(\d+)\]$/.exec(link);
  return m === null ? undefined : Number(m[1]);
}
