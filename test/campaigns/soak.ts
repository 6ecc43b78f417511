/**
 * `npm run soak`: 10^6 requests through a real nginx to ONE worker (processes = 1, threads = 1,
 * unix socket, request lines logged to a file), driven by wrk in 10-second rounds, with the
 * worker's RSS sampled every second. Reports the RSS once warmed up (after the first 10^5
 * requests) against the RSS at the end, the growth (issue 11 wants < 5 %), and req/s.
 *
 *   npm run soak -- [--requests 1000000] [--warmup 100000] [--connections 16]
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO, killAllServers, startServer, type ServerProcess } from '../support/server';
import { killAllNginx, startNginx, type Nginx } from '../support/nginx';
import { waitUntil } from '../support/wait';
import { LogTail, workerPids } from './live/health';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parseWrk } = require('../../bench/lib/wrk') as { parseWrk: (text: string) => { requests: number; rps: number; non2xx: number; errors: number } };

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '1000000' },
    warmup: { type: 'string', default: '100000' },
    connections: { type: 'string', default: '16' },
  },
});
const TARGET = Number(args.requests);
const WARMUP = Number(args.warmup);

function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const mb = (kb: number): string => (kb / 1024).toFixed(1);

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsuwsgi-soak-'));
  const socket = path.join(dir, 'app.sock');
  const logto = path.join(dir, 'requests.log');
  let server: ServerProcess | undefined;
  let nginx: Nginx | undefined;
  try {
    server = startServer({
      dir,
      ini: { socket, 'chmod-socket': 666, processes: 1, threads: 1, 'wsgi-file': path.join(REPO, 'bench', 'apps', 'hello.js'), logto },
    });
    const tail = new LogTail(logto);
    const s = server;
    await waitUntil('ready in logto', () => {
      if (s.exit) throw new Error(`server exited: ${s.stderr.join('\n')}`);
      return tail.read().some((l) => l.event === 'ready');
    }, 30_000);
    const [worker] = workerPids(server.pid);
    if (worker === undefined) throw new Error('no worker');
    nginx = await startNginx({ upstream: `unix:${socket}` });

    const samples: { t: number; done: number; kb: number }[] = [];
    let done = 0;
    const started = Date.now();
    const sampler = setInterval(() => samples.push({ t: (Date.now() - started) / 1000, done, kb: rssKb(worker) }), 1000);
    let failures = 0;
    let round = 0;
    console.log(`soak: ${TARGET} requests through nginx to worker ${worker}, wrk -c${args.connections}, RSS every second`);
    while (done < TARGET) {
      const { stdout } = await promisify(execFile)('wrk', ['-t1', `-c${args.connections}`, '-d10s', `${nginx.url}/`]);
      const r = parseWrk(stdout);
      done += r.requests;
      failures += r.non2xx + r.errors;
      console.log(`  round ${++round}: ${r.requests} requests (${Math.round(r.rps)}/s), total ${done}, RSS ${mb(rssKb(worker))} MB`);
    }
    clearInterval(sampler);
    const seconds = (Date.now() - started) / 1000;
    const afterWarmup = samples.filter((x) => x.done >= WARMUP).slice(0, 3).map((x) => x.kb);
    const atEnd = samples.slice(-3).map((x) => x.kb);
    const warm = median(afterWarmup);
    const end = median(atEnd);
    const peak = Math.max(...samples.map((x) => x.kb));
    console.log(`\nrequests ${done} in ${seconds.toFixed(0)} s (${Math.round(done / seconds)} req/s), failed ${failures}`);
    console.log(`worker RSS: after warm-up (${WARMUP} requests) ${mb(warm)} MB, at the end ${mb(end)} MB, peak ${mb(peak)} MB; ` +
      `growth ${(((end - warm) / warm) * 100).toFixed(1)} % (issue 11: < 5 %)`);
    console.log(`worker pid ${worker} ${workerPids(server.pid).includes(worker) ? 'unchanged' : 'CHANGED'}`);
    process.exitCode = failures === 0 && (end - warm) / warm < 0.05 ? 0 : 1;
  } finally {
    await nginx?.stop();
    if (server && server.exit === undefined) await server.stop('SIGTERM', 15_000);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

process.on('uncaughtException', (err) => {
  console.error(err);
  killAllNginx();
  void killAllServers().finally(() => process.exit(2));
});
void main();
