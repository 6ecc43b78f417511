/**
 * The cheaper (adaptive worker count) under real load through nginx: each algorithm adds
 * workers under load and removes them when idle, added workers accept before they count,
 * removed ones drain (no request fails because of scaling), and manual only follows
 * SIGTTIN / SIGTTOU. cheaper-overload = 1 keeps the decisions one second apart.
 */
import { expect } from 'chai';
import { fixtureApp } from '../support/server';
import { request } from '../support/http';
import { waitUntil, sleep } from '../support/wait';
import { serveBehindNginx, type BehindNginx } from '../support/behind-nginx';
import { text } from '../support/http';

const serve = (ini: Record<string, string | number | boolean>): Promise<BehindNginx> =>
  serveBehindNginx({ 'wsgi-file': fixtureApp('echo.js'), 'disable-logging': true, processes: 3, cheaper: 1, 'cheaper-overload': 1, ...ini });

interface Load {
  failures: string[];
  ok: number;
  stop(): Promise<void>;
}

/** `clients` requests kept going (each a blocking handler of `ms`) until stop(). */
function loadWith(url: string, clients: number): Load {
  let running = true;
  const l: Load = { failures: [], ok: 0, stop: async () => undefined };
  const client = async (): Promise<void> => {
    while (running) {
      try {
        const r = await request(url, { timeoutMs: 20_000 });
        if (r.status === 200) l.ok++;
        else l.failures.push(`${r.status}`);
      } catch (err) {
        l.failures.push((err as Error).message);
      }
    }
  };
  const all = Promise.all(Array.from({ length: clients }, client));
  l.stop = async () => {
    running = false;
    await all;
  };
  return l;
}

const decisions = (s: BehindNginx): Array<{ from: number; to: number; reason: string; algo: string }> =>
  s.server.events('cheaper') as unknown as Array<{ from: number; to: number; reason: string; algo: string }>;

/** Load until the cheaper reached processes, then idle until it is back at cheaper. */
async function stepLoad(s: BehindNginx, url: string, clients: number): Promise<Load> {
  expect(s.server.workerPids()).to.have.length(1);
  const load = loadWith(url, clients);
  try {
    await waitUntil('scaled up to 3', () => decisions(s).some((d) => d.to === 3), 30_000);
    // The third worker accepts before the load stops: it counts once it accepts.
    await waitUntil('3 workers accepting', () => s.server.events('accepting').length >= 3, 10_000);
  } finally {
    await load.stop();
  }
  await waitUntil('scaled down to 1', () => decisions(s).some((d) => d.to === 1) && s.server.workerPids().length === 1, 40_000);
  expect(load.failures, 'no request failed because of scaling').to.deep.equal([]);
  expect(load.ok).to.be.greaterThan(10);
  // Removed workers drained and exited on their own.
  for (const e of s.server.events('worker-exited')) expect(e.code).to.equal(0);
  return load;
}

describe('cheaper: adaptive workers under load, through nginx', function () {
  this.timeout(120_000);
  let s: BehindNginx | undefined;

  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it('spare: adds a worker when every worker is busy for cheaper-overload seconds, removes them when idle', async () => {
    s = await serve({ 'cheaper-algo': 'spare', stats: '127.0.0.1:0', 'stats-http': true });
    await stepLoad(s, `${s.nginx.url}/block?ms=50`, 8);
    const d = decisions(s);
    expect(d[0]).to.include({ algo: 'spare', from: 1, to: 2 });
    expect(d[0].reason).to.match(/all 1 worker\(s\) busy for 1 s/);
    expect(d.filter((x) => x.to < x.from).every((x) => /idle/.test(x.reason))).to.equal(true);
  });

  it('spare: a worker whose event loop is saturated outside requests is busy too (short requests: none in flight when asked)', async () => {
    // Each request is answered at once and leaves 3 ms of CPU work behind: no request is ever in
    // flight for long, but the worker's event loop is busy all the time.
    s = await serve({ 'cheaper-algo': 'spare' });
    const load = loadWith(`${s.nginx.url}/spin-after?ms=3`, 8);
    try {
      await waitUntil('scaled up', () => decisions(s!).some((d) => d.to >= 2), 30_000);
    } finally {
      await load.stop();
    }
    expect(load.failures).to.deep.equal([]);
    expect(decisions(s)[0]).to.include({ algo: 'spare', from: 1, to: 2 });
  });

  it('busyness: adds when the average busyness is over the max, removes after overload x multiplier idle seconds', async () => {
    s = await serve({ 'cheaper-algo': 'busyness', 'cheaper-busyness-multiplier': 1, 'cheaper-busyness-backlog-alert': 1000 });
    await stepLoad(s, `${s.nginx.url}/block?ms=50`, 8);
    const d = decisions(s);
    expect(d[0]).to.include({ algo: 'busyness', from: 1, to: 2 });
    expect(d[0].reason).to.match(/average busyness is at \d+% \(over 50%\)/);
    expect(d.some((x) => x.to < x.from && /under 25%/.test(x.reason))).to.equal(true);
  });

  it('backlog: adds while the listen queue is longer than cheaper-overload, removes when it is shorter', async () => {
    s = await serve({ 'cheaper-algo': 'backlog', 'cheaper-overload': 3 });
    await stepLoad(s, `${s.nginx.url}/block?ms=100`, 24);
    const d = decisions(s);
    expect(d[0]).to.include({ algo: 'backlog', from: 1, to: 2 });
    expect(d[0].reason).to.match(/connection\(s\) in the listen queue \(over 3\)/);
  });

  it('manual: the load changes nothing; SIGTTIN / SIGTTOU do, within 1..processes', async () => {
    s = await serve({ 'cheaper-algo': 'manual' });
    const load = loadWith(`${s.nginx.url}/block?ms=50`, 8);
    await sleep(3000);
    await load.stop();
    expect(load.failures).to.deep.equal([]);
    expect(decisions(s)).to.deep.equal([]);
    expect(s.server.workerPids()).to.have.length(1);
    const x = s;
    // One at a time: the same signal sent twice at once may arrive once.
    for (const n of [2, 3]) {
      process.kill(x.server.pid, 'SIGTTIN');
      await waitUntil(`${n} workers`, () => x.server.workerPids().length === n, 10_000);
    }
    process.kill(x.server.pid, 'SIGTTIN');
    await waitUntil('the fourth refused', () => x.server.events('scale').some((e) => /already at processes/.test(String(e.msg))), 10_000);
    process.kill(x.server.pid, 'SIGTTOU');
    await waitUntil('2 workers', () => x.server.workerPids().length === 2, 10_000);
  });

  it('the stats list every worker up to processes, the empty ones as uWSGI does (pid 0, status cheap)', async () => {
    s = await serve({ 'cheaper-algo': 'manual', stats: '127.0.0.1:0', 'stats-http': true });
    const line = await s.server.waitForLog('stats server', (l) => l.event === 'stats-listening');
    const address = String(line.address);
    const doc = JSON.parse(await text(`http://${address}/`)) as { workers: Array<{ id: number; pid: number; status: string }> };
    expect(doc.workers.map((w) => [w.id, w.pid === 0, w.status])).to.deep.equal([[1, false, 'idle'], [2, true, 'cheap'], [3, true, 'cheap']]);
    const metrics = await text(`http://${address}/metrics`);
    expect(metrics).to.match(/tsuwsgi_workers\{state="cheap"\} 2/);
    expect(metrics).to.match(/tsuwsgi_workers\{state="idle"\} 1/);
  });
});
