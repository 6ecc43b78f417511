/** SIGUSR1 (and fifo s): one line per worker with pid, status, requests, RSS and the request in progress. */
import { expect } from 'chai';
import { fixtureApp, type ServerProcess } from '../support/server';
import { serveBehindNginx, type BehindNginx } from '../support/behind-nginx';
import { request } from '../support/http';
import { waitUntil, sleep, isAlive } from '../support/wait';

describe('workers state on SIGUSR1', function () {
  this.timeout(30_000);
  let served: BehindNginx | undefined;

  afterEach(async () => {
    await served?.stop();
    served = undefined;
  });

  it('reports busy with the running request, requests served and RSS; idle otherwise; a blocked thread as not answering', async () => {
    served = await serveBehindNginx({ 'wsgi-file': fixtureApp('echo.js'), processes: 1, threads: 2, 'threads-min': 2, 'disable-logging': true });
    const server: ServerProcess = served.server;
    const url = served.nginx.url;
    for (let i = 0; i < 3; i++) expect((await request(`${url}/pid`)).status).to.equal(200);
    const slow = request(`${url}/slow?ms=1500`);
    await sleep(300);
    process.kill(server.pid, 'SIGUSR1');
    const line = await server.waitForLog('worker-state', (l) => l.event === 'worker-state');
    expect(line).to.include({ worker: 1, status: 'busy' });
    expect(line.requests as number).to.be.at.least(4);
    expect(line.rssBytes as number).to.be.greaterThan(10 * 1024 * 1024);
    const current = line.current as { request: string; ms: number }[];
    expect(current.map((c) => c.request)).to.deep.equal(['GET /slow?ms=1500']);
    expect(current[0].ms).to.be.within(200, 1500);
    expect(line.notAnswering).to.deep.equal([]);
    await slow;
    // A thread blocked in synchronous code cannot answer: it is named, and the worker is busy.
    const blocked = request(`${url}/block?ms=1500`);
    await sleep(300);
    process.kill(server.pid, 'SIGUSR1');
    await waitUntil('a second state line', () => server.events('worker-state').length === 2, 5000);
    const stuck = server.events('worker-state')[1];
    expect(stuck).to.include({ status: 'busy' });
    expect(stuck.notAnswering as number[]).to.have.length(1);
    await blocked;
    process.kill(server.pid, 'SIGUSR1');
    await waitUntil('a third state line', () => server.events('worker-state').length === 3, 5000);
    const idle = server.events('worker-state')[2];
    expect(idle).to.include({ status: 'idle' });
    expect(idle.current).to.deep.equal([]);
    expect(idle.requests).to.equal(5);
    expect(idle.notAnswering).to.deep.equal([]);
    expect(isAlive(server.pid)).to.equal(true);
  });
});
