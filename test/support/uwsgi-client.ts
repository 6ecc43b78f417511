/** A raw client for the uwsgi socket: writes given bytes (optionally split) and reads until close. */
import net from 'node:net';
import { sleep } from './wait';

export type Target = { path: string } | { port: number; host?: string };

/**
 * Connects, writes `chunks` and resolves with every byte received until the server closes.
 * A connection that cannot be made rejects: a test expecting "no reply" must not pass because
 * the request was never sent. Once connected, a reset or a broken pipe is the server's doing
 * (an early answer, a worker killed mid-request): the bytes received so far are the reply.
 */
export function exchange(target: Target, chunks: Buffer[], opts: { endAfterWrite?: boolean; timeoutMs?: number; gapMs?: number } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = 'path' in target ? net.connect(target.path) : net.connect(target.port, target.host ?? '127.0.0.1');
    const got: Buffer[] = [];
    let connected = false;
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`raw uwsgi exchange with ${nameOf(target)} timed out`));
    }, opts.timeoutMs ?? 10_000);
    sock.on('data', (d: Buffer) => got.push(d));
    sock.on('error', (err) => {
      if (connected) return;
      clearTimeout(timer);
      reject(new Error(`raw uwsgi exchange: cannot connect to ${nameOf(target)}: ${err.message}`));
    });
    sock.on('close', () => {
      clearTimeout(timer);
      if (connected) resolve(Buffer.concat(got));
    });
    sock.once('connect', () => {
      connected = true;
      writeAll(sock, chunks, opts).catch((err: unknown) => sock.destroy(err as Error));
    });
  });
}

async function writeAll(sock: net.Socket, chunks: Buffer[], opts: { endAfterWrite?: boolean; gapMs?: number }): Promise<void> {
  for (const c of chunks) {
    sock.write(c);
    if (opts.gapMs) await sleep(opts.gapMs);
  }
  if (opts.endAfterWrite) sock.end();
}

function nameOf(target: Target): string {
  return 'path' in target ? target.path : `${target.host ?? '127.0.0.1'}:${target.port}`;
}
