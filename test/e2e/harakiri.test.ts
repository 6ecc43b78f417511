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
    s = await serve({ processes: 1, threads: 2, harakiri: 3 });
    const [worker] = s.server.workerPids();
    const stuck = request(`${s.nginx.url}/loop`);
    await sleep(1500);
    const sibling = request(`${s.nginx.url}/concurrent?ms=2500`);
    const [loopReply, siblingReply] = await Promise.all([stuck, sibling]);
    expect(loopReply.status).to.equal(504);
    expect(siblingReply.status).to.equal(200);
    expect(siblingReply.body.toString().split(':')[0]).to.equal(String(worker));
    const line = await s.server.waitForLog('harakiri', (l) => l.event === 'harakiri');
    expect(line).to.include({ worker: 1, method: 'GET', uri: '/loop', stuck: true, answered504: true });
    expect(line.ranMs as number).to.be.at.least(3000);
    expect(siblingReply.body.toString().split(':')[1]).to.not.equal(String(line.thread + 1));
    await s.server.waitForLog('thread replaced', (l) => l.event === 'thread-replaced');
    expect(s.server.workerPids()).to.deep.equal([worker]);
    const after = await Promise.all([request(`${s.nginx.url}/pid`), request(`${s.nginx.url}/pid`)]);
    for (const r of after) expect(r.status).to.equal(200);
  });

  it('threads = 1: the worker process is killed and replaced, and the client gets a 504', async () => {
    s = await serve({ processes: 1, threads: 1 });
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
  });

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
