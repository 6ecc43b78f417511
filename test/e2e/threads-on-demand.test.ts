/**
 * App threads on demand (threads-min, threads-idle) through nginx: an asynchronous app stays on
 * one thread (the worker's main thread) however many requests overlap; a blocked or CPU-bound
 * thread gets a sibling; the sibling retires once unneeded (finishing its requests) and starts
 * again with fresh sockets when needed again; threads-min = threads starts them all with the
 * worker.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { fixtureApp } from '../support/server';
import { request } from '../support/http';
import { waitUntil } from '../support/wait';
import { keepLoading, serveBehindNginx, type BehindNginx } from '../support/behind-nginx';
import { tempDir } from '../support/tmp';
import { threadsRunning, untilOnThread } from '../support/on-thread';

/** The copies of the app loaded so far ("pid:threadId" per app thread started). */
const loads = (file: string): string[] => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

describe('threads on demand: threads = M costs one thread until more are needed', function () {
  this.timeout(90_000);
  let s: BehindNginx | undefined;
  let loadsFile = '';

  const serve = async (ini: Record<string, string | number | boolean>, app = 'counts-loads.js'): Promise<BehindNginx> => {
    const dir = tempDir();
    loadsFile = path.join(dir, 'loads');
    s = await serveBehindNginx({ 'wsgi-file': fixtureApp(app), env: `LOADS_FILE=${loadsFile}`, processes: 1, 'disable-logging': true, ...ini }, dir);
    return s;
  };

  afterEach(async () => {
    const server = s?.server;
    await s?.stop();
    if (server !== undefined) expect(server.exit?.code, 'a clean stop with on-demand threads').to.equal(0);
    s = undefined;
  });

  it('an asynchronous app under overlapping requests stays on one thread', async () => {
    const b = await serve({ threads: 4 });
    const r = await keepLoading(`${b.nginx.url}/concurrent?ms=20`, 400);
    expect(r.failures).to.deep.equal([]);
    const threads = new Set(r.bodies.map((x) => x.split(':').slice(0, 2).join(':')));
    expect([...threads], 'every answer from the first thread').to.have.length(1);
    // 8 clients, 20 ms each: the one thread had several requests at once.
    expect(Math.max(...r.bodies.map((x) => Number(x.split(':')[2])))).to.be.greaterThan(1);
    expect(b.server.events('thread-start')).to.deep.equal([]);
    expect(loads(loadsFile)).to.have.length(1);
  });

  it('a blocked thread gets a sibling for the next block; it retires once unneeded and starts again with fresh sockets', async () => {
    const b = await serve({ threads: 2, 'threads-idle': 1 });
    for (let round = 1; round <= 2; round++) {
      // App thread 0 runs on the worker's main thread: its first block is seen when it ends.
      const first = await request(`${b.nginx.url}/block?ms=1000`, { timeoutMs: 20_000 });
      expect(first.status).to.equal(200);
      await waitUntil('the sibling accepting', () => b.server.events('thread-started').length === round, 10_000);
      expect(b.server.events('thread-start')[round - 1]).to.include({ thread: 1, reason: 'blocked' });
      // The next block leaves a free thread: a request meanwhile does not wait for it (it has
      // the 1.7 s the block has left; a few ms through nginx).
      const order: string[] = [];
      const blocked = request(`${b.nginx.url}/block?ms=2000`, { timeoutMs: 20_000 }).then((x) => (order.push('blocked'), x));
      await new Promise((res) => setTimeout(res, 300));
      const other = await request(`${b.nginx.url}/pid`, { timeoutMs: 20_000 }).then((x) => (order.push('other'), x));
      const held = await blocked;
      expect([held.status, other.status]).to.deep.equal([200, 200]);
      expect(order, 'the second request did not wait for the blocked one').to.deep.equal(['other', 'blocked']);
      expect(other.body.toString(), 'another thread of the same process').to.not.equal(held.body.toString());
      expect(other.body.toString().split(':')[0]).to.equal(held.body.toString().split(':')[0]);
      await waitUntil('the sibling retired', () => b.server.events('thread-retire').length === round, 20_000);
      await waitUntil('only the main thread left', async () => (await request(`${b.nginx.url}/pid`)).body.toString() === first.body.toString(), 5_000);
    }
    expect(loads(loadsFile), 'thread 0, then thread 1 twice').to.have.length(3);
    expect(b.server.events('thread-start-failed')).to.deep.equal([]);
    expect(b.server.events('thread-died')).to.deep.equal([]);
  });

  it('a thread that retires with a request in flight finishes it, and the report counts one thread running again', async () => {
    const b = await serve({ threads: 2, 'threads-idle': 4 }, 'off-main.js');
    const [pid] = b.server.workerPids();
    expect(await threadsRunning(b.server)).to.equal(1);
    expect((await request(`${b.nginx.url}/block?ms=1000`, { timeoutMs: 20_000 })).status).to.equal(200);
    await waitUntil('the sibling accepting', () => b.server.events('thread-started').length === 1, 10_000);
    // One client, one request at a time, all along: none may fail while the thread retires.
    let retired = false;
    const failures: string[] = [];
    const meanwhile = (async () => {
      while (!retired) {
        const r = await request(`${b.nginx.url}/pid`).catch((err: Error) => err);
        if (r instanceof Error || r.status !== 200) failures.push(r instanceof Error ? r.message : String(r.status));
        await new Promise((res) => setTimeout(res, 50));
      }
    })();
    // On thread 1 /wait-off-main waits 8 s (the retire comes within threads-idle); on the main thread it answers at once.
    const sent = await untilOnThread(b.server, b.nginx.url, '/wait-off-main?ms=8000', 1);
    expect(await threadsRunning(b.server)).to.equal(2);
    let answered = false;
    const replies = Promise.all(sent).then((all) => ((answered = true), all));
    await b.server.waitForLog('thread-retire', (l) => l.event === 'thread-retire', 15_000);
    expect(answered, 'the retire came while the request was in flight').to.equal(false);
    const bodies = (await replies).map((r) => (r instanceof Error ? r.message : `${r.status} ${r.body.toString()}`));
    const onThread = bodies.filter((x) => x.endsWith(':thread'));
    expect(onThread, bodies.join(', ')).to.have.length(1);
    expect(onThread[0]).to.match(new RegExp(`^200 ${pid}:[1-9][0-9]*:thread$`));
    expect(bodies.filter((x) => !x.endsWith(':thread'))).to.deep.equal(bodies.filter((x) => !x.endsWith(':thread')).map(() => `200 ${pid}:0:main`));
    await waitUntil('one thread running', async () => (await threadsRunning(b.server)) === 1, 10_000, 100);
    retired = true;
    await meanwhile;
    expect(failures).to.deep.equal([]);
    expect(b.server.events('thread-retire')).to.have.length(1);
    expect(b.server.events('thread-retire')[0]).to.include({ thread: 1, idleS: 4 });
    expect(b.server.events('thread-died')).to.deep.equal([]);
  });

  it('a CPU-bound load gets the second thread, and both serve', async () => {
    const b = await serve({ threads: 2 });
    const r = await keepLoading(`${b.nginx.url}/spin?ms=5`, 200, () => b.server.events('thread-started').length > 0, 40_000);
    const more = await keepLoading(`${b.nginx.url}/spin?ms=5`, 200);
    expect([...r.failures, ...more.failures]).to.deep.equal([]);
    // 'cpu' on a quiet machine; on a loaded one the thread may also miss its beats (descheduled),
    // which reads as blocked: either way it was saturated by this load alone.
    expect(b.server.events('thread-start')[0]).to.include({ thread: 1 });
    expect(['cpu', 'blocked']).to.include(b.server.events('thread-start')[0].reason);
    expect(new Set(more.bodies).size, 'both threads answer').to.equal(2);
  });

  it('threads-min = threads starts every thread with the worker and never retires one', async () => {
    const b = await serve({ threads: 3, 'threads-min': 3, 'threads-idle': 1 });
    expect(loads(loadsFile)).to.have.length(3);
    const r = await keepLoading(`${b.nginx.url}/block?ms=30`, 60);
    expect(r.failures).to.deep.equal([]);
    await new Promise((res) => setTimeout(res, 1500));
    expect(b.server.events('thread-start')).to.deep.equal([]);
    expect(b.server.events('thread-retire')).to.deep.equal([]);
  });
});
