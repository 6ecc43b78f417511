/**
 * harakiri through a real nginx: a request stuck in a synchronous infinite loop is stopped
 * (nginx's client gets a 504), with threads > 1 only that app thread is replaced while a
 * sibling's request completes, with threads = 1 the worker process is replaced; a request
 * that merely waits too long is answered 504 without ending anything.
 */
import { expect } from 'chai';
import { fixtureApp } from '../support/server';
import { request } from '../support/http';
import { waitUntil, sleep } from '../support/wait';
import { serveBehindNginx, type BehindNginx } from '../support/behind-nginx';

const serve = (ini: Record<string, string | number | boolean>): Promise<BehindNginx> =>
  serveBehindNginx({ 'wsgi-file': fixtureApp('echo.js'), harakiri: 1, ...ini });

describe('harakiri', function () {
  this.timeout(60_000);
  let s: BehindNginx | undefined;

  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it('threads = 2: the stuck thread is terminated and replaced, its sibling finishes its request, the process stays', async () => {
    // harakiri 3 s: the loop is stopped at ~3 s; the sibling runs from 1.5 s to 4 s, so it is in
    // flight when its neighbour is terminated, and under the limit itself.
    s = await serve({ processes: 1, threads: 2, 'threads-min': 2, harakiri: 3 });
    const [worker] = s.server.workerPids();
    const stuck = request(`${s.nginx.url}/loop`);
    await sleep(1500);
    const sibling = request(`${s.nginx.url}/concurrent?ms=2500`);
    const [loopReply, siblingReply] = await Promise.all([stuck, sibling]);
    expect(loopReply.status).to.equal(504);
    expect(siblingReply.status).to.equal(200);
    expect(siblingReply.body.toString().split(':')[0]).to.equal(String(worker));
    const line = await s.server.waitForLog('harakiri', (l) => l.event === 'harakiri');
    expect(line).to.include({ worker: 1, method: 'GET', uri: '/loop', stuck: true, answered504: 1 });
    expect(line.ranMs as number).to.be.above(3000);
    expect(siblingReply.body.toString().split(':')[1]).to.not.equal(String((line.thread as number) + 1));
    await s.server.waitForLog('thread replaced', (l) => l.event === 'thread-replaced');
    expect(s.server.workerPids()).to.deep.equal([worker]);
    const after = await Promise.all([request(`${s.nginx.url}/pid`), request(`${s.nginx.url}/pid`)]);
    for (const r of after) expect(r.status).to.equal(200);
  });

  const processKilled = (threads: number) => async (): Promise<void> => {
    s = await serve({ processes: 1, threads });
    const [worker] = s.server.workerPids();
    const reply = await request(`${s.nginx.url}/loop`);
    expect(reply.status).to.equal(504);
    const line = await s.server.waitForLog('harakiri', (l) => l.event === 'harakiri');
    expect(line).to.include({ worker: 1, thread: 0, method: 'GET', uri: '/loop', stuck: true });
    await waitUntil('a replacement worker', () => {
      const pids = s!.server.workerPids();
      return pids.length === 1 && pids[0] !== worker;
    }, 10_000);
    await s.server.waitForLog('replacement accepting', (l) => l.event === 'accepting' && l.workerPid !== worker);
    expect((await request(`${s.nginx.url}/pid`)).status).to.equal(200);
  };
  it('threads = 1: the worker process is killed and replaced, and the client gets a 504', processKilled(1));
  // threads-min = 1: app thread 0 runs on the main thread, which only ending the process stops
  // (uWSGI's harakiri ends a worker with all its threads, too).
  it('threads = 2, threads-min = 1 (the default): a stuck main thread ends the process, which is replaced; 504', processKilled(2));

  /**
   * The case: /a awaits, /b starts and finishes on the same thread, then /a blocks the
   * thread. /b's end must not hide /a: harakiri stops /a near the limit and names it.
   */
  const stuckAfterSiblingFinished = async (threads: number): Promise<void> => {
    const harakiri = 2;
    s = await serve({ processes: 1, threads, 'threads-min': threads, harakiri });
    // threads = 2: a sibling thread blocked (under the limit) leaves /a and /b to the other one.
    const hold = threads > 1 ? request(`${s.nginx.url}/block?ms=1200`) : undefined;
    if (hold !== undefined) await sleep(200);
    const a = request(`${s.nginx.url}/wait-block?wait=500&ms=8000`);
    await sleep(100);
    const b = await request(`${s.nginx.url}/concurrent?ms=50`);
    expect(b.status).to.equal(200);
    expect((await a).status).to.equal(504);
    if (hold !== undefined) expect((await hold).status).to.equal(200);
    const line = await s.server.waitForLog('harakiri', (l) => l.event === 'harakiri');
    expect(line).to.include({ method: 'GET', uri: '/wait-block?wait=500&ms=8000', stuck: true, answered504: 1 });
    expect(line.msg).to.include('GET /wait-block?wait=500&ms=8000');
    // Killed within the limit plus a bounded slack (checks every 250 ms, a stale beat is 1 s).
    expect(line.ranMs as number).to.be.above(harakiri * 1000).and.below((harakiri + 2) * 1000);
    if (threads > 1) {
      // /b ran on the thread that got stuck (first-generation thread ids are index + 1).
      expect(b.body.toString().split(':')[1]).to.equal(String((line.thread as number) + 1));
    }
  };

  it('threads = 1: a request that blocks after a sibling request finished is still stopped, and named', () => stuckAfterSiblingFinished(1));
  it('threads = 2: the same on one of two threads', () => stuckAfterSiblingFinished(2));

  /** Several requests in flight on the thread that gets stuck: each whose head is not out gets a 504. */
  const severalInFlight = async (threads: number): Promise<void> => {
    s = await serve({ processes: 1, threads, 'threads-min': threads, harakiri: 2 });
    const hold = threads > 1 ? request(`${s.nginx.url}/block?ms=1500`) : undefined;
    if (hold !== undefined) await sleep(200);
    const outcome = (p: Promise<{ status: number }>): Promise<number | string> => p.then((r) => r.status, (e: Error) => e.message);
    const first = outcome(request(`${s.nginx.url}/slow?ms=10000&n=1`));
    await sleep(50);
    const second = outcome(request(`${s.nginx.url}/slow?ms=10000&n=2`));
    const headOut = outcome(request(`${s.nginx.url}/head-slow?ms=10000`));
    await sleep(300);
    const blocker = outcome(request(`${s.nginx.url}/block?ms=10000`));
    expect(await first).to.equal(504);
    expect(await second).to.equal(504);
    expect(await blocker).to.equal(504);
    // Its head went out: no 504 can follow it (the client sees a cut 200 response).
    expect(await headOut).to.not.equal(504);
    if (hold !== undefined) expect(await outcome(hold)).to.equal(200);
    const line = await s.server.waitForLog('harakiri', (l) => l.event === 'harakiri');
    expect(line).to.include({ uri: '/slow?ms=10000&n=1', stuck: true, inFlight: 4, answered504: 3 });
    expect(line.msg).to.include('3 other(s) in flight');
  };

  it('threads = 1: several requests in flight on the stuck thread each get a 504', () => severalInFlight(1));
  it('threads = 2: several requests in flight on the stuck thread each get a 504', () => severalInFlight(2));

  it('a request that only waits too long gets a 504 and nothing is terminated', async () => {
    s = await serve({ processes: 1, threads: 1 });
    const [worker] = s.server.workerPids();
    const reply = await request(`${s.nginx.url}/slow?ms=3000`);
    expect(reply.status).to.equal(504);
    const line = await s.server.waitForLog('harakiri', (l) => l.event === 'harakiri');
    expect(line).to.include({ uri: '/slow?ms=3000', stuck: false });
    expect(s.server.workerPids()).to.deep.equal([worker]);
  });
});
