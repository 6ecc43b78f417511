/**
 * An app's mistakes with its response never take a worker down, and its req/res emit the events
 * Node's own HTTP server emits, whatever the socket kind: a write after end() is a no-op with one
 * warning line (on the uwsgi socket it used to end the worker process), a handler answering
 * after harakiri's 504 is ignored, and `close` comes after every response (on the uwsgi socket
 * it never came, so app cleanup hung on it never ran).
 */
import { expect } from 'chai';
import http from 'node:http';
import path from 'node:path';
import { fixtureApp, pickPort, startServer, type ServerProcess } from '../support/server';
import { startNginx, type Nginx } from '../support/nginx';
import { request } from '../support/http';
import { tempDir } from '../support/tmp';
import { waitUntil } from '../support/wait';
import { ownServerEvents } from '../support/req-res-events';

interface Kind {
  readonly name: string;
  url(): string;
}

describe('late writes and the req/res events, on every socket kind', function () {
  this.timeout(60_000);
  let server: ServerProcess;
  let nginx: Nginx;
  let httpPort: number;
  const kinds: Kind[] = [
    { name: 'uwsgi socket behind nginx', url: () => nginx.url },
    { name: 'http-socket', url: () => `http://127.0.0.1:${httpPort}` },
  ];

  before(async () => {
    const dir = tempDir();
    const socket = path.join(dir, 'app.sock');
    httpPort = await pickPort();
    server = startServer({
      dir,
      ini: {
        socket, 'http-socket': `127.0.0.1:${httpPort}`, 'chmod-socket': 666,
        'wsgi-file': fixtureApp('late-write.js'), processes: 1, threads: 1, harakiri: 1,
      },
    });
    await server.ready();
    nginx = await startNginx({ upstream: `unix:${socket}` });
  });

  after(async () => {
    await nginx?.stop();
    await server?.stop();
  });

  const workerPid = async (base: string): Promise<string> => (await request(`${base}/pid`)).body.toString();
  let nextId = 0;

  async function eventsOf(base: string, id: number, count: number): Promise<string[]> {
    return waitUntil(`${count} events recorded for request ${id}`, async () => {
      const r = await request(`${base}/events?id=${id}`);
      const events = JSON.parse(r.body.toString()) as string[] | null;
      return events !== null && events.length >= count ? events : undefined;
    }, 5000);
  }

  for (const kind of kinds) {
    describe(kind.name, () => {
      for (const route of ['/late-timer', '/late-sync', '/late-end']) {
        it(`${route}: the late write is ignored with one warning line; the worker serves on`, async () => {
          const base = kind.url();
          const before = await workerPid(base);
          const warned = server.events('late-write').length;
          const reply = await request(`${base}${route}`);
          expect(reply.status).to.equal(200);
          expect(reply.body.toString()).to.equal('ok');
          await waitUntil('a late-write warning', () => server.events('late-write').length > warned, 5000);
          const line = server.events('late-write')[warned];
          expect(line).to.include({ level: 40, method: 'GET', uri: route });
          // Exactly one line for the request, however many late calls it made.
          await new Promise((r) => setTimeout(r, 100));
          expect(server.events('late-write').length).to.equal(warned + 1);
          expect(await workerPid(base)).to.equal(before);
          expect(server.events('worker-exited')).to.deep.equal([]);
        });
      }

      it('a handler answering after harakiri sent 504 is ignored, and the worker serves on', async () => {
        const base = kind.url();
        const before = await workerPid(base);
        const reply = await request(`${base}/slow-end?ms=2500`);
        expect(reply.status).to.equal(504);
        // The handler runs its setHeader/writeHead/end at 2.5 s: give it the time, then look.
        await new Promise((r) => setTimeout(r, 1500));
        expect(await workerPid(base)).to.equal(before);
        expect(server.events('worker-exited')).to.deep.equal([]);
      });

      // Node 20/22 emit res finish, res close, req end, req close; 24/26 end the request first.
      it("a normal response: res finish, res close and req end (in the order Node's own server has them), req close", async () => {
        const base = kind.url();
        const id = ++nextId;
        expect((await request(`${base}/events-ok?id=${id}`)).status).to.equal(200);
        expect(await eventsOf(base, id, 4)).to.deep.equal(await ownServerEvents('a GET answered at once'));
      });

      it("a body read before answering: req end, res finish, then res close and req close in the order Node's own server has them", async () => {
        const base = kind.url();
        const id = ++nextId;
        const reply = await request(`${base}/events-read?id=${id}`, { method: 'POST', body: 'hello' });
        expect(reply.body.toString()).to.equal('read');
        expect(await eventsOf(base, id, 4)).to.deep.equal(await ownServerEvents('a POST whose body is read, then answered'));
      });

      it('the client leaves before the answer: req aborted, res close, req error (listened for), req close', async () => {
        const base = kind.url();
        const id = ++nextId;
        const req = http.get(`${base}/events-hang?id=${id}`);
        req.on('error', () => undefined);
        await waitUntil('the request reached the app', async () => (await request(`${base}/events?id=${id}`)).status === 200, 5000);
        req.destroy();
        expect(await eventsOf(base, id, 4)).to.deep.equal(['req:aborted', 'res:close', 'req:error(ECONNRESET)', 'req:close']);
      });
    });
  }
});
