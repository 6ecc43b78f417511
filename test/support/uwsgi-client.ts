/** A raw client for the uwsgi socket: writes given bytes (optionally split) and reads until close. */
import net from 'node:net';

export type Target = { path: string } | { port: number; host?: string };

export function exchange(target: Target, chunks: Buffer[], opts: { endAfterWrite?: boolean; timeoutMs?: number; gapMs?: number } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = 'path' in target ? net.connect(target.path) : net.connect(target.port, target.host ?? '127.0.0.1');
    const got: Buffer[] = [];
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error('raw uwsgi exchange timed out'));
    }, opts.timeoutMs ?? 10_000);
    sock.on('data', (d: Buffer) => got.push(d));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(got));
    });
    sock.once('connect', async () => {
      for (const c of chunks) {
        sock.write(c);
        if (opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
      }
      if (opts.endAfterWrite) sock.end();
    });
  });
}
