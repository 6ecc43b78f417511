/**
 * Listening sockets' accept queues from the kernel's own tables, by socket inode. Pure parsers
 * of two sources:
 * - `ss -lnHe -t -x` (sock_diag: the kernel filters listening sockets itself, so its cost does
 *   not grow with the thousands of TIME_WAIT sockets a busy server has). For a LISTEN socket
 *   Recv-Q is the current accept queue and Send-Q the backlog; unix sockets included.
 * - /proc/net/tcp and /proc/net/tcp6, the fallback without ss (TCP only): for a LISTEN row
 *   (state 0A) rx_queue is the accept queue (`sk_ack_backlog`); the backlog is not there.
 */

export interface QueueFigures {
  readonly queue: number;
  /** The backlog when the source gives it. */
  readonly max: number | undefined;
}

/** Lines of `ss -lnHe -t -x`: "tcp LISTEN 1 7 127.0.0.1:34007 0.0.0.0:* ino:95929053 …" or "u_str LISTEN 1 5 /path 95929054 * 0 …". */
export function parseSsListening(text: string): Map<number, QueueFigures> {
  const out = new Map<number, QueueFigures>();
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 6 || cols[1] !== 'LISTEN') continue;
    const queue = Number(cols[2]);
    const max = Number(cols[3]);
    if (!Number.isSafeInteger(queue) || !Number.isSafeInteger(max)) continue;
    let inode: number | undefined;
    if (cols[0] === 'u_str' || cols[0] === 'u_seq') {
      inode = Number(cols[5]);
    } else {
      const ino = cols.find((c) => c.startsWith('ino:'));
      if (ino !== undefined) inode = Number(ino.slice(4));
    }
    if (inode !== undefined && Number.isSafeInteger(inode) && inode > 0) out.set(inode, { queue, max });
  }
  return out;
}

const LISTEN_STATE = '0A';

/** /proc/net/tcp or tcp6: "sl local rem st tx_queue:rx_queue tr:when retrnsmt uid timeout inode …". */
export function parseProcNetTcp(text: string): Map<number, QueueFigures> {
  const out = new Map<number, QueueFigures>();
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10 || cols[3] !== LISTEN_STATE) continue;
    const rx = cols[4].split(':')[1];
    const inode = Number(cols[9]);
    if (rx === undefined || !Number.isSafeInteger(inode) || inode <= 0) continue;
    out.set(inode, { queue: parseInt(rx, 16), max: undefined });
  }
  return out;
}

/** "socket:[12345]" (readlink of /proc/self/fd/N) → 12345. */
export function socketInode(link: string): number | undefined {
  const m = /^socket:\[(\d+)\]$/.exec(link);
  return m === null ? undefined : Number(m[1]);
}
