/**
 * Recycling under load through a real nginx: max-requests (with max-requests-delta),
 * reload-on-rss and max-worker-lifetime each replace a worker, the replacement accepting
 * before the old one drains, with no failed request.
 */
import { expect } from 'chai';
import { fixtureApp } from '../support/server';
import { request } from '../support/http';
import { waitUntil } from '../support/wait';
import { serveBehindNginx, keepLoading, reportLoad, type BehindNginx, type LoadResult } from '../support/behind-nginx';

const serve = (ini: Record<string, string | number | boolean>): Promise<BehindNginx> =>
  serveBehindNginx({ 'wsgi-file': fixtureApp('echo.js'), 'disable-logging': true, ...ini });

/** The worker pids that answered /pid. */
const pidsOf = (r: LoadResult): Set<string> => new Set(r.bodies.map((b) => b.split(':')[0]));

describe('recycling workers under load, through nginx', function () {
  this.timeout(90_000);
  let s: BehindNginx | undefined;

  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it('max-requests with max-requests-delta: workers recycle at staggered counts, 0 failed requests', async () => {
    s = await serve({ processes: 2, 'max-requests': 100, 'max-requests-delta': 50 });
    const first = s.server.workerPids();
    const result = await keepLoading(`${s.nginx.url}/pid`, 1500);
    reportLoad('max-requests', result);
    expect(result.failures).to.deep.equal([]);
    const recycles = s.server.events('recycle');
    expect(recycles.length).to.be.at.least(4);
    for (const r of recycles) expect(r.reason).to.equal('max-requests');
    const limits = new Map(recycles.map((r) => [r.worker, r.limit]));
    expect(limits.get(1)).to.equal(100);
    expect(limits.get(2)).to.equal(150);
    expect(pidsOf(result).size).to.be.at.least(5);
    await waitUntil('two workers again', () => s!.server.workerPids().length === 2, 10_000);
    for (const pid of s.server.workerPids()) expect(first).to.not.include(pid);
  });

  it('max-requests keeps its bound: a worker at its limit stops accepting once a sibling accepts, 0 failed requests', async () => {
    // Staggered limits (40, 80, 120, 160) and 10 ms requests: whenever a worker reaches its
    // limit another one accepts, so none may serve on while its replacement starts.
    s = await serve({ processes: 4, 'max-requests': 40, 'max-requests-delta': 40 });
    const result = await keepLoading(`${s.nginx.url}/block?ms=10`, 900);
    reportLoad('max-requests bound', result);
    expect(result.failures).to.deep.equal([]);
    const served = new Map<number, number>();
    for (const b of result.bodies) served.set(Number(b.split(':')[0]), (served.get(Number(b.split(':')[0])) ?? 0) + 1);
    const recycles = s.server.events('recycle');
    expect(recycles.length).to.be.at.least(4);
    for (const r of recycles) {
      // The overshoot is the round trip worker -> master -> worker (a request or two per
      // client, 8 clients), not the request rate times a replacement's start-up (~70 here
      // before, +21 in a725bae's run). Seen: +1 or +2 on a quiet machine, +6 once under CI's
      // two parallel jobs on Node 24; +10 still fails the old behaviour by far.
      const pid = r.workerPid as number;
      if (process.env.TSUWSGI_TEST_REPORT) console.log(`      worker ${r.worker}: ${served.get(pid)} served, limit ${r.limit}`);
      expect(served.get(pid), `worker ${r.worker} (pid ${pid}), limit ${r.limit}`).to.be.at.most((r.limit as number) + 10);
    }
  });

  it('reload-on-rss: a worker above the limit after a request is replaced, 0 failed requests', async () => {
    s = await serve({ processes: 1, 'reload-on-rss': 120 });
    const [before] = s.server.workerPids();
    const x = s;
    const background = keepLoading(`${x.nginx.url}/pid`, 300, () => x.server.events('worker-exited').length > 0);
    const grown = await request(`${x.nginx.url}/grow?mb=160`);
    expect(grown.status).to.equal(200);
    const result = await background;
    reportLoad('reload-on-rss', result);
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
    const result = await keepLoading(`${x.nginx.url}/pid`, 200, () => x.server.events('worker-exited').length > 0, 20_000);
    reportLoad('max-worker-lifetime', result);
    expect(result.failures).to.deep.equal([]);
    expect(x.server.events('recycle')[0].reason).to.equal('max-worker-lifetime');
    expect(pidsOf(result).size).to.equal(2);
    expect(x.server.workerPids()[0]).to.not.equal(before);
  });
});
