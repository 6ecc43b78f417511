/** A tsuwsgi on a unix socket with a real nginx in front (`uwsgi_pass`), and a client loop. */
import path from 'node:path';
import { startServer, type IniValues, type ServerProcess } from './server';
import { startNginx, type Nginx } from './nginx';
import { request, type RequestOptions } from './http';
import { tempDir } from './tmp';

export interface BehindNginx {
  readonly server: ServerProcess;
  readonly nginx: Nginx;
  readonly dir: string;
  stop(): Promise<void>;
}

/** `ini` gets `socket` and `chmod-socket` added; `dir` defaults to a fresh temp dir. */
export async function serveBehindNginx(ini: IniValues, dir = tempDir()): Promise<BehindNginx> {
  const socket = path.join(dir, 'app.sock');
  const server = startServer({ dir, ini: { socket, 'chmod-socket': 666, ...ini } });
  await server.ready();
  const nginx = await startNginx({ upstream: `unix:${socket}` });
  return {
    server,
    nginx,
    dir,
    stop: async () => {
      await nginx.stop();
      await server.stop();
    },
  };
}

export interface LoadResult {
  ok: number;
  failures: string[];
  /** Every 200 body, in arrival order. */
  bodies: string[];
}

/**
 * Keeps 8 requests going until at least `min` are done and `until()` holds; every non-200 and
 * every connection error is a failure. Bounded by `timeoutMs`.
 */
export async function keepLoading(url: string, min: number, until: () => boolean = () => true, timeoutMs = 60_000, more: { request?: RequestOptions; live?: LoadResult } = {}): Promise<LoadResult> {
  // `live`: the caller's own result object, to watch the bodies while the loop runs.
  const result: LoadResult = more.live ?? { ok: 0, failures: [], bodies: [] };
  const deadline = Date.now() + timeoutMs;
  const client = async (): Promise<void> => {
    while ((result.ok + result.failures.length < min || !until()) && Date.now() < deadline) {
      try {
        const r = await request(url, { timeoutMs: 10_000, ...more.request });
        if (r.status === 200) {
          result.ok++;
          result.bodies.push(r.body.toString());
        } else result.failures.push(`${r.status} ${r.body.toString().slice(0, 80)}`);
      } catch (err) {
        result.failures.push((err as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, client));
  if (Date.now() >= deadline) throw new Error(`load loop timed out after ${result.ok} requests`);
  return result;
}

/** With TSUWSGI_TEST_REPORT=1, prints "what: F failed of N" (the figures for issue notes). */
export function reportLoad(what: string, r: LoadResult): void {
  if (process.env.TSUWSGI_TEST_REPORT) console.log(`      ${what}: ${r.failures.length} failed of ${r.ok + r.failures.length}`);
}
