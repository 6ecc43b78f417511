/**
 * A fetch app (the Hono fixture) sees the request's own path, whatever the Host header says:
 * behind a real nginx that denies /admin, and on http-socket with raw requests. A Host that is
 * not a valid host[:port] is replaced by the server's name and never moves the path.
 */
import path from 'node:path';
import { expect } from 'chai';
import { fixtureApp, pickPort, startServer, type ServerProcess } from '../support/server';
import { startNginx, type Nginx } from '../support/nginx';
import { rawHttp, type RawReply } from '../support/raw-http';
import { tempDir } from '../support/tmp';

interface Seen {
  route: string;
  path: string;
  url: string;
}

const seen = (r: RawReply): Seen => {
  expect(r.status, `${r.head}\n${r.body}`).to.equal(200);
  return JSON.parse(r.body) as Seen;
};

describe('fetch apps: the path comes from the request, never from Host', function () {
  this.timeout(60_000);

  describe('behind nginx with location /admin { deny all; }', () => {
    let server: ServerProcess;
    let nginx: Nginx;
    const get = (target: string, host: string): Promise<RawReply> =>
      rawHttp(nginx.port, [`GET ${target} HTTP/1.1`, `Host: ${host}`, 'Connection: close']);

    before(async () => {
      const dir = tempDir();
      const socket = path.join(dir, 'app.sock');
      server = startServer({ dir, ini: { socket, 'chmod-socket': 666, 'wsgi-file': fixtureApp('hono-app.mjs') } });
      await server.ready();
      nginx = await startNginx({ upstream: `unix:${socket}`, server: 'server_name tsuwsgi.test; location /admin { deny all; }' });
    });
    after(async () => {
      await nginx?.stop();
      await server?.stop();
    });

    it('the deny rule holds: /admin is refused by nginx itself', async () => {
      expect((await get('/admin', 'example.org')).status).to.equal(403);
    });

    it('Host "x\\admin?" does not turn GET /public into /admin', async () => {
      const s = seen(await get('/public', 'x\\admin?'));
      expect(s).to.include({ route: 'public', path: '/public' });
      expect(new URL(s.url).pathname).to.equal('/public');
    });

    // nginx refuses a Host with `/` itself, and Debian's uwsgi_params passes HTTP_HOST as $host
    // (lower-cased, port cut off); these reach the app.
    for (const host of ['x#', 'x?a', 'x\\', '[::1', 'a@b']) {
      it(`Host ${JSON.stringify(host)} is replaced and leaves the path alone`, async () => {
        const s = seen(await get('/public', host));
        expect(s).to.include({ route: 'public', path: '/public' });
        // nginx's server_name and port, from SERVER_NAME and SERVER_PORT.
        expect(new URL(s.url).host).to.equal(`tsuwsgi.test:${nginx.port}`);
      });
    }

    it('a valid Host is kept', async () => {
      expect(seen(await get('/public', 'Example.org')).url).to.equal('http://example.org/public');
    });

    it('"//evil.example/x" is a path, not an authority', async () => {
      const s = seen(await get('//evil.example/x', 'example.org'));
      expect(s).to.include({ route: 'other', path: '//evil.example/x' });
      expect(new URL(s.url).host).to.equal('example.org');
    });

    it('a backslash in the path stays in the path (%5C), so "/public\\..\\admin" is not /admin', async () => {
      const s = seen(await get('/public\\..\\admin', 'example.org'));
      expect(s).to.include({ route: 'other', path: '/public\\..\\admin' });
      expect(new URL(s.url).pathname).to.equal('/public%5C..%5Cadmin');
    });
  });

  describe('on http-socket (raw sockets)', () => {
    let server: ServerProcess;
    let port: number;
    const send = (lines: string[]): Promise<RawReply> => rawHttp(port, [...lines, 'Connection: close']);

    before(async () => {
      port = await pickPort();
      server = startServer({ ini: { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': fixtureApp('hono-app.mjs') } });
      await server.ready();
    });
    after(async () => {
      await server?.stop();
    });

    it('Host "x\\admin?" does not turn /public into /admin; the socket\'s address replaces it', async () => {
      const s = seen(await send(['GET /public HTTP/1.1', 'Host: x\\admin?']));
      expect(s).to.include({ route: 'public', path: '/public', url: `http://127.0.0.1:${port}/public` });
    });

    it('an empty Host does not swallow the first path segment', async () => {
      const s = seen(await send(['GET /public/deeper HTTP/1.1', 'Host: ']));
      expect(s).to.include({ path: '/public/deeper', url: `http://127.0.0.1:${port}/public/deeper` });
    });

    it('HTTP/1.0 without Host gets the socket\'s address', async () => {
      const s = seen(await send(['GET /public?q=1 HTTP/1.0']));
      expect(s).to.include({ route: 'public', url: `http://127.0.0.1:${port}/public?q=1` });
    });

    it('"//evil.example/x" keeps its path and the Host', async () => {
      const s = seen(await send(['GET //evil.example/x HTTP/1.1', 'Host: example.org']));
      expect(s).to.include({ path: '//evil.example/x', url: 'http://example.org//evil.example/x' });
    });

    it('absolute-form: its path, and its authority instead of Host (RFC 9112 3.2.2)', async () => {
      const s = seen(await send(['GET http://other.example/admin2?x=1 HTTP/1.1', 'Host: example.org']));
      expect(s).to.include({ route: 'other', path: '/admin2', url: 'http://other.example/admin2?x=1' });
    });

    it('absolute-form with an unusable authority: the path still holds', async () => {
      const s = seen(await send(['GET http://a@b/public HTTP/1.1', 'Host: example.org']));
      expect(s).to.include({ route: 'public', path: '/public', url: `http://127.0.0.1:${port}/public` });
    });

    it('"OPTIONS *" has no path a Request can carry: 400, the app is not called', async () => {
      const r = await send(['OPTIONS * HTTP/1.1', 'Host: example.org']);
      expect(r.status).to.equal(400);
      expect(r.body).to.include('request-target');
    });

    for (const host of ['x:99999', 'x:0', 'x:', 'x\\admin?', '1.2.3.999']) {
      it(`Host ${JSON.stringify(host)} is replaced by the socket's address`, async () => {
        const s = seen(await send(['GET /public HTTP/1.1', `Host: ${host}`]));
        expect(s).to.include({ route: 'public', url: `http://127.0.0.1:${port}/public` });
      });
    }

    it('a valid Host keeps its port', async () => {
      expect(seen(await send(['GET /public HTTP/1.1', 'Host: Example.org:8443'])).url).to.equal('http://example.org:8443/public');
    });

    it('an IPv6 Host with a port is kept', async () => {
      expect(seen(await send(['GET /public HTTP/1.1', 'Host: [::1]:8080'])).url).to.equal('http://[::1]:8080/public');
    });
  });
});
