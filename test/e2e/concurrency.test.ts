/**
 * How many requests run at once: processes × threads for handlers that block, many per thread
 * for handlers that wait. Asserted on which process and thread served each request (the
 * fixture answers "pid:threadId"), never on timings.
 */
import { expect } from 'chai';
import { fixtureApp } from '../support/server';
import { request } from '../support/http';
import { serveBehindNginx, type BehindNginx } from '../support/behind-nginx';

const serve = (processes: number, threads: number): Promise<BehindNginx> =>
  serveBehindNginx({ 'wsgi-file': fixtureApp('echo.js'), processes, threads, 'threads-min': threads, 'disable-logging': true });

async function getAll(url: string, count: number): Promise<string[]> {
  const replies = await Promise.all(Array.from({ length: count }, () => request(url)));
  for (const r of replies) expect(r.status).to.equal(200);
  return replies.map((r) => r.body.toString());
}

function tally(served: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const who of served) counts.set(who, (counts.get(who) ?? 0) + 1);
  return counts;
}

describe('concurrency of processes × threads', function () {
  this.timeout(60_000);
  let s: BehindNginx | undefined;

  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it('runs exactly processes × threads blocking requests at once, each on its own thread', async () => {
    s = await serve(2, 2);
    // Eight requests that each block their thread for 700 ms, all sent at once: a thread that
    // took a second connection while blocked would serve three, and another only one.
    const served = await getAll(`${s.nginx.url}/block?ms=700`, 8);
    const counts = tally(served);
    expect(counts.size, `served by ${JSON.stringify([...counts])}`).to.equal(4);
    expect([...counts.values()]).to.deep.equal([2, 2, 2, 2]);
    const pids = new Set(served.map((s) => s.split(':')[0]));
    expect(pids.size).to.equal(2);
  });

  it('with threads = 1 the app runs in the worker process itself, one blocking request at a time', async () => {
    s = await serve(2, 1);
    const served = await getAll(`${s.nginx.url}/block?ms=500`, 4);
    const counts = tally(served);
    expect([...counts.values()]).to.deep.equal([2, 2]);
    for (const who of counts.keys()) expect(who.endsWith(':0'), who).to.equal(true); // threadId 0 = main thread
  });

  it('serves many waiting requests at once on a single thread', async () => {
    s = await serve(1, 1);
    const served = await getAll(`${s.nginx.url}/concurrent?ms=400`, 12);
    expect(tally(served.map((s) => s.split(':').slice(0, 2).join(':'))).size).to.equal(1);
    const peak = Math.max(...served.map((s) => Number(s.split(':')[2])));
    expect(peak).to.equal(12);
  });

  it('an app reads its worker id (1..processes) from TSUWSGI_WORKER_ID, the same in every thread of a worker', async () => {
    s = await serve(2, 2);
    const served = await getAll(`${s.nginx.url}/worker-id`, 40);
    const idByPid = new Map<string, Set<string>>();
    for (const line of served) {
      const [pid, id] = line.split(':');
      idByPid.set(pid, (idByPid.get(pid) ?? new Set()).add(id));
    }
    for (const ids of idByPid.values()) expect(ids.size, 'one id per worker process').to.equal(1);
    const ids = [...idByPid.values()].map((set) => [...set][0]).sort();
    expect(ids).to.satisfy((all: string[]) => all.every((id) => id === '1' || id === '2'));
    expect(new Set(ids).size, 'two workers, two ids').to.equal(ids.length);
  });
});
