/**
 * How many requests run at once: processes × threads for handlers that block, many per thread
 * for handlers that wait. Asserted on which process and thread served each request (the
 * fixture answers "pid:threadId"), never on timings.
 */
import path from 'node:path';
import { expect } from 'chai';
import { startServer, fixtureApp, type ServerProcess } from '../support/server';
import { startNginx, type Nginx } from '../support/nginx';
import { request } from '../support/http';
import { tempDir } from '../support/tmp';

async function serve(processes: number, threads: number): Promise<{ server: ServerProcess; nginx: Nginx }> {
  const dir = tempDir();
  const socket = path.join(dir, 'app.sock');
  const server = startServer({
    dir,
    ini: { socket, 'chmod-socket': 666, 'wsgi-file': fixtureApp('echo.js'), processes, threads, 'disable-logging': true },
  });
  await server.ready();
  const nginx = await startNginx({ upstream: `unix:${socket}`, location: 'uwsgi_read_timeout 30s;' });
  return { server, nginx };
}

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
  let server: ServerProcess | undefined;
  let nginx: Nginx | undefined;

  afterEach(async () => {
    await nginx?.stop();
    await server?.stop();
    nginx = undefined;
    server = undefined;
  });

  it('runs exactly processes × threads blocking requests at once, each on its own thread', async () => {
    ({ server, nginx } = await serve(2, 2));
    // Eight requests that each block their thread for 700 ms, all sent at once: a thread that
    // took a second connection while blocked would serve three, and another only one.
    const served = await getAll(`${nginx.url}/block?ms=700`, 8);
    const counts = tally(served);
    expect(counts.size, `served by ${JSON.stringify([...counts])}`).to.equal(4);
    expect([...counts.values()]).to.deep.equal([2, 2, 2, 2]);
    const pids = new Set(served.map((s) => s.split(':')[0]));
    expect(pids.size).to.equal(2);
  });

  it('with threads = 1 the app runs in the worker process itself, one blocking request at a time', async () => {
    ({ server, nginx } = await serve(2, 1));
    const served = await getAll(`${nginx.url}/block?ms=500`, 4);
    const counts = tally(served);
    expect([...counts.values()]).to.deep.equal([2, 2]);
    for (const who of counts.keys()) expect(who.endsWith(':0'), who).to.equal(true); // threadId 0 = main thread
  });

  it('serves many waiting requests at once on a single thread', async () => {
    ({ server, nginx } = await serve(1, 1));
    const served = await getAll(`${nginx.url}/concurrent?ms=400`, 12);
    expect(tally(served.map((s) => s.split(':').slice(0, 2).join(':'))).size).to.equal(1);
    const peak = Math.max(...served.map((s) => Number(s.split(':')[2])));
    expect(peak).to.equal(12);
  });
});
