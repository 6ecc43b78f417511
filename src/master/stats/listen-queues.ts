/**
 * The master's sockets' accept queues right now: each socket's inode (from its fd) looked up in
 * `ss` output, or in /proc/net/tcp{,6} when ss is missing (unix sockets then read 0: the kernel
 * exposes their queue only through sock_diag, which is what ss uses).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { parseProcNetTcp, parseSsListening, socketInode, type QueueFigures } from './listen-table';

const SS_TIMEOUT_MS = 1000;

export interface QueuedSocket {
  readonly fd: number;
  /** The backlog asked for (listen), used when the source does not give it. */
  readonly backlog: number;
}

export interface SocketQueue {
  readonly queue: number;
  readonly max: number;
}

let ssMissing = false;

export async function readListenQueues(sockets: readonly QueuedSocket[]): Promise<SocketQueue[]> {
  const table = await listeningTable();
  return sockets.map((s) => {
    const inode = inodeOf(s.fd);
    const found = inode === undefined ? undefined : table.get(inode);
    return { queue: found?.queue ?? 0, max: found?.max ?? s.backlog };
  });
}

function inodeOf(fd: number): number | undefined {
  try {
    return socketInode(fs.readlinkSync(`/proc/self/fd/${fd}`));
  } catch {
    return undefined;
  }
}

async function listeningTable(): Promise<Map<number, QueueFigures>> {
  if (!ssMissing) {
    try {
      return parseSsListening(await run('ss', ['-lnHe', '-t', '-x']));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') ssMissing = true;
    }
  }
  const out = new Map<number, QueueFigures>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const [k, v] of parseProcNetTcp(fs.readFileSync(file, 'utf8'))) out.set(k, v);
    } catch {
      // No IPv6, or no /proc: nothing to add.
    }
  }
  return out;
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: SS_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}
