/**
 * Recycling under load through a real nginx: max-requests (with max-requests-delta),
 * reload-on-rss and max-worker-lifetime each replace a worker, the replacement accepting
 * before the old one drains, with no failed request.
 */
import path from 'node:path';
import { expect } from 'chai';
import { startServer, fixtureApp, type ServerProcess } from '../support/server';
import { startNginx, type Nginx } from '../support/nginx';
import { request } from '../support/http';
import { tempDir } from '../support/tmp';
import { waitUntil } from '../support/wait';

async function serve(ini: Record<string, string | number | boolean>): Promise<{ server: ServerProcess; nginx: Nginx }> {
  const dir = tempDir();
  const socket = path.join(dir, 'app.sock');
  const server = startServer({ dir, ini: { socket, 'chmod-socket': 666, 'wsgi-file': fixtureApp('echo.js'), 'disable-logging': true, ...ini } });
  await server.ready();
  const nginx = await startNginx({ upstream: `unix:${socket}` });
  return { server, nginx };
}

/** `count` requests, 8 at a time (or until `until()` once count is reached); returns failures and pids seen. */
async function load(url: string, count: number, until: () => boolean = () => true, timeoutMs = 60_000): Promise<{ ok: number; failures: string[]; pids: Set<string> }> {
  const out = { ok: 0, failures: [] as string[], pids: new Set<string>() };
  const deadline = Date.now() + timeoutMs;
  const worker = async (): Promise<void> => {
    while ((out.ok + out.failures.length < count || !until()) && Date.now() < deadline) {
      try {
        const r = await request(url, { timeoutMs: 10_000 });
        if (r.status === 200) {
          out.ok++;
          out.pids.add(r.body.toString().split(':')[0]);
        } else out.failures.push(`status ${r.status}`);
      } catch (err) {
        out.failures.push((err as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  if (Date.now() >= deadline) throw new Error('load loop timed out');
  return out;
}

function report(what: string, r: { ok: number; failures: string[] }): void {
  if (process.env.TSUWSGI_TEST_REPORT) console.log(`      ${what}: ${r.failures.length} failed of ${r.ok + r.failures.length}`);
}

describe('recycling workers under load, through nginx', function () {
  this.timeout(90_000);
  let s: { server: ServerProcess; nginx: Nginx } | undefined;

  afterEach(async () => {
    await s?.nginx.stop();
    await s?.server.stop();
    s = undefined;
  });

  it('max-requests with max-requests-delta: workers recycle at staggered counts, 0 failed requests', async () => {
    s = await serve({ processes: 2, 'max-requests': 100, 'max-requests-delta': 50 });
    const first = s.server.workerPids();
    const result = await load(`${s.nginx.url}/pid`, 1500);
    report('max-requests', result);
    expect(result.failures).to.deep.equal([]);
    const recycles = s.server.events('recycle');
    expect(recycles.length).to.be.at.least(4);
    for (const r of recycles) expect(r.reason).to.equal('max-requests');
    const limits = new Map(recycles.map((r) => [r.worker, r.limit]));
    expect(limits.get(1)).to.equal(100);
    expect(limits.get(2)).to.equal(150);
    expect(result.pids.size).to.be.at.least(5);
    await waitUntil('two workers again', () => s!.server.workerPids().length === 2, 10_000);
    for (const pid of s.server.workerPids()) expect(first).to.not.include(pid);
  });

  it('reload-on-rss: a worker above the limit after a request is replaced, 0 failed requests', async () => {
    s = await serve({ processes: 1, 'reload-on-rss': 120 });
    const [before] = s.server.workerPids();
    const x = s;
    const background = load(`${x.nginx.url}/pid`, 300, () => x.server.events('worker-exited').length > 0);
    const grown = await request(`${x.nginx.url}/grow?mb=160`);
    expect(grown.status).to.equal(200);
    const result = await background;
    report('reload-on-rss', result);
    expect(result.failures).to.deep.equal([]);
    const [recycle] = x.server.events('recycle');
    expect(recycle.reason).to.equal('reload-on-rss');
    expect(recycle.rssBytes as number).to.be.greaterThan(120 * 1024 * 1024);
    const after = x.server.workerPids();
    expect(after).to.have.length(1);
    expect(after[0]).to.not.equal(before);
  });

  it('max-worker-lifetime: the worker is replaced after its lifetime, 0 failed requests', async () => {
    s = await serve({ processes: 1, 'max-worker-lifetime': 2 });
    const [before] = s.server.workerPids();
    const x = s;
    const result = await load(`${x.nginx.url}/pid`, 200, () => x.server.events('worker-exited').length > 0, 20_000);
    report('max-worker-lifetime', result);
    expect(result.failures).to.deep.equal([]);
    expect(x.server.events('recycle')[0].reason).to.equal('max-worker-lifetime');
    expect(result.pids.size).to.equal(2);
    expect(x.server.workerPids()[0]).to.not.equal(before);
  });
});
