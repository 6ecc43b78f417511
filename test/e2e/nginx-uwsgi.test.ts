/**
 * The app behind a real nginx with uwsgi_pass, over a unix socket and over TCP: methods,
 * headers, cookies, bodies of every size byte-exact, limits as the client sees them, app errors
 * and concurrency.
 */
import path from 'node:path';
import { expect } from 'chai';
import { startServer, fixtureApp, pickPort, type ServerProcess } from '../support/server';
import { startNginx, type Nginx } from '../support/nginx';
import { request } from '../support/http';
import { tempDir } from '../support/tmp';

function pattern(n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7 + 3) & 0xff;
  return out;
}

for (const transport of ['unix', 'tcp'] as const) {
  describe(`behind nginx uwsgi_pass over ${transport}`, function () {
    this.timeout(60_000);
    let server: ServerProcess;
    let nginx: Nginx;

    before(async () => {
      const dir = tempDir();
      const port = await pickPort();
      const socket = transport === 'unix' ? path.join(dir, 'app.sock') : `127.0.0.1:${port}`;
      server = startServer({
        dir,
        ini: { socket, 'wsgi-file': fixtureApp('echo.js'), processes: 2, threads: 2, 'limit-post': 20 * 1024 * 1024 },
      });
      await server.ready();
      nginx = await startNginx({ upstream: transport === 'unix' ? `unix:${socket}` : socket });
    });

    after(async () => {
      await nginx?.stop();
      await server?.stop();
    });

    it('answers GET', async () => {
      const r = await request(`${nginx.url}/`);
      expect(r.status).to.equal(200);
      expect(r.body.toString()).to.equal('hello');
    });

    for (const method of ['POST', 'PUT', 'DELETE']) {
      it(`passes ${method} with its body`, async () => {
        const r = await request(`${nginx.url}/echo`, { method, body: `body of ${method}` });
        expect(r.status).to.equal(200);
        expect(r.headers['x-method']).to.equal(method);
        expect(r.body.toString()).to.equal(`body of ${method}`);
      });
    }

    it('answers HEAD with headers and no body', async () => {
      const r = await request(`${nginx.url}/big?n=1000`, { method: 'HEAD' });
      expect(r.status).to.equal(200);
      expect(r.headers['content-length']).to.equal('1000');
      expect(r.body.length).to.equal(0);
    });

    it('keeps the encoded query string as sent', async () => {
      const r = await request(`${nginx.url}/headers?q=a%20b&x=%C3%A9&y=1+2`);
      const seen = JSON.parse(r.body.toString());
      expect(seen.url).to.equal('/headers?q=a%20b&x=%C3%A9&y=1+2');
      expect(seen.method).to.equal('GET');
    });

    it('delivers request headers, joins repeated ones, and shows the client address', async () => {
      const r = await request(`${nginx.url}/headers`, {
        headers: { 'X-Foo': 'bar', 'X-Multi': ['one', 'two'], Cookie: ['a=1', 'b=2'], 'User-Agent': 'tsuwsgi-test' },
      });
      const seen = JSON.parse(r.body.toString());
      expect(seen.headers['x-foo']).to.equal('bar');
      expect(seen.headers['x-multi']).to.equal('one, two');
      expect(seen.headers.cookie).to.equal('a=1; b=2');
      expect(seen.headers['user-agent']).to.equal('tsuwsgi-test');
      expect(seen.headers.host).to.equal('127.0.0.1');
      expect(seen.remote).to.equal('127.0.0.1');
      expect(seen.headers).not.to.have.property('transfer-encoding');
    });

    it('keeps several Set-Cookie headers separate', async () => {
      const r = await request(`${nginx.url}/cookies`);
      expect(r.headers['set-cookie']).to.deep.equal(['a=1; Path=/', 'b=2; HttpOnly']);
    });

    it('sends no body with 204 and 304', async () => {
      const a = await request(`${nginx.url}/204`);
      expect(a.status).to.equal(204);
      expect(a.body.length).to.equal(0);
      const b = await request(`${nginx.url}/304`);
      expect(b.status).to.equal(304);
      expect(b.body.length).to.equal(0);
    });

    for (const size of [0, 1, 64 * 1024, 10 * 1024 * 1024]) {
      it(`round-trips a ${size}-byte body byte-exact in both directions`, async () => {
        const body = pattern(size);
        const up = await request(`${nginx.url}/echo`, { method: 'POST', body });
        expect(up.status).to.equal(200);
        expect(up.body.equals(body), 'upload echoed byte-exact').to.equal(true);
        const down = await request(`${nginx.url}/big?n=${size}`);
        expect(down.headers['content-length']).to.equal(String(size));
        expect(down.body.equals(body), 'download byte-exact').to.equal(true);
        const streamed = await request(`${nginx.url}/stream?n=${size}`);
        expect(streamed.status).to.equal(200);
        expect(streamed.body.equals(body), 'streamed download without content-length, no chunk framing').to.equal(true);
      });
    }

    it('turns a thrown error and a rejection into 500, then serves the next request', async () => {
      expect((await request(`${nginx.url}/throw`)).status).to.equal(500);
      expect((await request(`${nginx.url}/reject`)).status).to.equal(500);
      const ok = await request(`${nginx.url}/`);
      expect(ok.status).to.equal(200);
      const logged = await server.waitForLog('app-error line with the stack', (l) => l.event === 'app-error' && JSON.stringify(l).includes('thrown by the test app'));
      expect(JSON.stringify(logged)).to.contain('echo.js');
    });

    it('serves 50 concurrent clients', async () => {
      const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => request(`${nginx.url}/echo`, { method: 'POST', body: `client ${i}` })));
      replies.forEach((r, i) => {
        expect(r.status).to.equal(200);
        expect(r.body.toString()).to.equal(`client ${i}`);
      });
    });

    it('logs one structured line per request', async () => {
      await request(`${nginx.url}/pid?mark=logline`);
      const line = await server.waitForLog('request line', (l) => l.event === 'request' && l.uri === '/pid?mark=logline');
      expect(line).to.include({ method: 'GET', status: 200 });
      expect(line.worker).to.be.a('number');
      expect(line.thread).to.be.a('number');
      expect(line.ms).to.be.a('number');
      expect(line.bytes).to.be.a('number');
      expect(line.remote).to.equal('127.0.0.1');
    });
  });
}
