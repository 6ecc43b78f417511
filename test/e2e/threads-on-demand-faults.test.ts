/**
 * Threads on demand when things go wrong, through nginx, with the default shape (threads-min = 1:
 * app thread 0 on the worker's main thread, thread 1 started on demand): harakiri ends a stuck
 * on-demand thread alone and the process serves on; a thread that cannot start is tried again
 * no more often than the respawn backoff, and nothing escalates to the process or the master.
 */
import { expect } from 'chai';
import { fixtureApp } from '../support/server';
import { request, type Reply } from '../support/http';
import { sleep, waitUntil } from '../support/wait';
import { serveBehindNginx, type BehindNginx } from '../support/behind-nginx';
import { untilOnThread, type Outcome } from '../support/on-thread';

const body = (o: Outcome): string => (o instanceof Error ? o.message : `${o.status} ${o.body.toString()}`);

describe('threads on demand: faults', function () {
  this.timeout(90_000);
  let s: BehindNginx | undefined;

  const serve = async (ini: Record<string, string | number | boolean | string[]>): Promise<BehindNginx> => {
    s = await serveBehindNginx({ 'wsgi-file': fixtureApp('off-main.js'), processes: 1, threads: 2, ...ini });
    return s;
  };

  afterEach(async () => {
    const server = s?.server;
    await s?.stop();
    if (server !== undefined) expect(server.exit?.code, 'the master stops cleanly').to.equal(0);
    s = undefined;
  });

  /** A block of the main thread (the only one running) starts the sibling: seen when it ends. */
  const startSibling = async (b: BehindNginx, nth: number): Promise<void> => {
    expect((await request(`${b.nginx.url}/block?ms=1000`, { timeoutMs: 20_000 })).status).to.equal(200);
    await waitUntil(`thread 1 started (${nth})`, () => b.server.events('thread-started').length === nth, 10_000);
  };

  it('harakiri ends a stuck on-demand thread alone: same process, the main thread\'s requests finish, a later block starts it again', async () => {
    const b = await serve({ harakiri: 3, 'threads-idle': 60 });
    const [pid] = b.server.workerPids();
    await startSibling(b, 1);
    // On the main thread /hang-off-main answers in 100 ms; on thread 1 it loops until harakiri.
    const sent = await untilOnThread(b.server, b.nginx.url, '/hang-off-main?ms=100', 1);
    // Thread 1 loops now, so this lands on the main thread: in flight from ~1.5 s to ~4 s,
    // across thread 1's end at ~3 s, and under the limit itself (as in harakiri.test.ts).
    await sleep(1500);
    const onMain = request(`${b.nginx.url}/slow?ms=2500`, { timeoutMs: 30_000 });
    const line = await b.server.waitForLog('harakiri', (l) => l.event === 'harakiri', 15_000);
    expect(line).to.include({ worker: 1, thread: 1, uri: '/hang-off-main?ms=100', stuck: true, answered504: 1 });
    const replies = await Promise.all(sent);
    expect(replies.filter((r) => !(r instanceof Error) && r.status === 504), `one 504: ${replies.map(body)}`).to.have.length(1);
    const others = replies.filter((r) => r instanceof Error || r.status !== 504);
    expect(others.map(body), 'the rest were the main thread\'s').to.deep.equal(others.map(() => `200 ${pid}:0:main`));
    expect(body(await onMain), 'in flight on the main thread as thread 1 ended').to.equal('200 slow done');

    await waitUntil('thread 1 gone', () => b.server.events('thread-died').length === 1, 10_000);
    expect(b.server.events('thread-died')[0]).to.include({ thread: 1 });
    expect(b.server.events('harakiri'), 'one harakiri line').to.have.length(1);
    expect(b.server.workerPids(), 'the same worker process').to.deep.equal([pid]);
    expect(b.server.events('worker-exited'), 'the master saw no worker end').to.deep.equal([]);
    expect(b.server.events('thread-replaced'), 'an on-demand thread is started again by demand, not at once').to.deep.equal([]);
    expect(body(await request(`${b.nginx.url}/pid`)), 'the main thread alone serves').to.match(new RegExp(`^200 ${pid}:0$`));

    await startSibling(b, 2);
    expect(b.server.events('thread-start')[1]).to.include({ thread: 1, reason: 'blocked' });
    await waitUntil('the new thread 1 answers', async () => (await request(`${b.nginx.url}/pid`)).body.toString() !== `${pid}:0`, 10_000);
  });

  it('a start on demand that fails is tried again no more often than the backoff; the main thread serves on, nothing escalates', async () => {
    const b = await serve({ env: ['THROW_OFF_MAIN=1'] });
    const [pid] = b.server.workerPids();
    // Blocks of 800 ms back to back: the 250 ms check after each sees the main thread was blocked
    // (late by more than 400 ms), so without a backoff each block would try a start.
    const windowMs = 6000;
    const until = Date.now() + windowMs;
    const blocks: Reply[] = [];
    while (Date.now() < until) blocks.push(await request(`${b.nginx.url}/block?ms=800`, { timeoutMs: 20_000 }));
    const last = await request(`${b.nginx.url}/pid`);
    await waitUntil('the last try failed', () => b.server.events('thread-start').length === b.server.events('thread-start-failed').length, 10_000);

    expect(blocks.map(body), 'every block answered by the main thread').to.deep.equal(blocks.map(() => `200 ${pid}:0`));
    expect(body(last)).to.equal(`200 ${pid}:0`);
    const starts = b.server.events('thread-start').filter((l) => (l.time as number) <= until);
    const failed = b.server.events('thread-start-failed');
    expect(starts.length, 'tried again').to.be.at.least(2);
    // The backoff is at least 1 s from each failure: at most one try per second of the window.
    expect(starts.length, `${starts.length} tries in ${windowMs} ms`).to.be.at.most(windowMs / 1000 + 1);
    expect(failed.length).to.be.at.least(starts.length);
    for (let i = 1; i < starts.length; i++) {
      expect((starts[i].time as number) - (failed[i - 1].time as number), `try ${i + 1} came after the backoff`).to.be.at.least(990);
    }
    expect(JSON.stringify(failed[0].err)).to.include('does not load in a worker_thread');
    expect(b.server.workerPids(), 'the same worker process').to.deep.equal([pid]);
    expect(b.server.events('worker-exited')).to.deep.equal([]);
    expect(b.server.events('thread-died')).to.deep.equal([]);
  });
});
