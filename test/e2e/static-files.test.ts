/**
 * static-map and its family, end to end: the real binary on a unix uwsgi socket behind a real
 * nginx (uwsgi_pass) and on an http-socket, the same scenarios through both. Files are served
 * before the app with uWSGI's meaning; misses, other methods and every path that would leave a
 * mapped directory reach the app instead.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { encodePacket } from '../../src/protocol';
import { serveBehindNginx, type BehindNginx } from '../support/behind-nginx';
import { request, type RequestOptions } from '../support/http';
import { pickPort } from '../support/server';
import { tempDir } from '../support/tmp';
import { exchange } from '../support/uwsgi-client';
import { waitUntil } from '../support/wait';

const SECRET = 'TOP SECRET, never served\n';
const APP = `module.exports = (req, res) => {
  res.setHeader('content-type', 'text/plain');
  res.end('app ' + req.method + ' ' + req.url + '\\n');
};
`;

/** A site with every case: files, an index, links in and out, a static-safe target, a % name. */
function makeSite(dir: string): { big: Buffer } {
  const pub = path.join(dir, 'pub');
  const write = (rel: string, data: string | Buffer): void => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), data);
  };
  const big = crypto.randomBytes(1024 * 1024);
  write('app.js', APP);
  write('pub/a.txt', 'hello\n');
  write('pub/app.css', 'body{}\n');
  write('pub/logo.png', Buffer.from('89504e470d0a1a0a', 'hex'));
  write('pub/script.js', 'x()\n');
  write('pub/big.bin', big);
  // Larger than what loopback socket buffers hold, so a client that stops reading holds it open.
  write('pub/huge.bin', Buffer.alloc(32 * 1024 * 1024));
  write('pub/sub/index.html', '<h1>index</h1>\n');
  write('pub/100%.txt', 'percent\n');
  write('pub/a b.txt', 'space\n');
  write('pub/x.php', '<?php ?>\n');
  fs.mkdirSync(path.join(pub, 'noindex'));
  write('secret/s.txt', SECRET);
  write('secret/index.html', SECRET);
  write('shared/ok.txt', 'shared by static-safe\n');
  write('pub-sibling/s.txt', SECRET);
  write('site/assets/app.js', 'assets()\n');
  write('site/favicon.ico', 'ICO');
  write('www/robots.txt', 'User-agent: *\n');
  fs.symlinkSync('a.txt', path.join(pub, 'in.txt'));
  fs.symlinkSync('../secret/s.txt', path.join(pub, 'out.txt'));
  fs.symlinkSync('../secret', path.join(pub, 'outdir'));
  fs.symlinkSync('../pub-sibling/s.txt', path.join(pub, 'sibling.txt'));
  fs.symlinkSync('../shared/ok.txt', path.join(pub, 'safe.txt'));
  fs.symlinkSync('../../secret/index.html', path.join(pub, 'noindex', 'index.html.link'));
  return { big };
}

describe('static files (static-map, static-check, static-index, static-safe, static-expires)', function () {
  this.timeout(60_000);
  let site: BehindNginx;
  let big: Buffer;
  let httpUrl: string;

  before(async () => {
    const dir = tempDir();
    ({ big } = makeSite(dir));
    const port = await pickPort();
    httpUrl = `http://127.0.0.1:${port}`;
    site = await serveBehindNginx(
      {
        'http-socket': `127.0.0.1:${port}`,
        'wsgi-file': path.join(dir, 'app.js'),
        threads: 2,
        'static-map': ['/static=pub', '/favicon.ico=site/favicon.ico'],
        'static-map2': '/assets=site',
        'static-check': 'www',
        'static-index': 'index.html',
        'static-safe': 'shared',
        'static-skip-ext': '.php',
        'static-expires-uri': '\\.css$ 3600',
        'static-expires-type': 'image/png=60',
      },
      dir,
    );
  });
  after(() => site?.stop());

  for (const via of ['nginx (uwsgi_pass)', 'http-socket'] as const) {
    describe(`through ${via}`, () => {
      const get = (p: string, opts: RequestOptions = {}) => request(`${via === 'http-socket' ? httpUrl : site.nginx.url}${p}`, opts);
      const app = (r: { status: number; body: Buffer }, method = 'GET') => {
        expect(r.status).to.equal(200);
        expect(r.body.toString()).to.match(new RegExp(`^app ${method} `));
        expect(r.body.toString()).to.not.include('SECRET');
      };

      it('serves a mapped file with its length, type, ETag and Last-Modified, before the app', async () => {
        const r = await get('/static/a.txt');
        expect(r.status).to.equal(200);
        expect(r.body.toString()).to.equal('hello\n');
        expect(r.headers['content-type']).to.equal('text/plain; charset=utf-8');
        expect(r.headers['content-length']).to.equal('6');
        expect(r.headers['accept-ranges']).to.equal('bytes');
        expect(r.headers.etag).to.match(/^W\/"6-[0-9a-f]+"$/);
        const mtime = fs.statSync(path.join(site.dir, 'pub', 'a.txt')).mtime;
        expect(r.headers['last-modified']).to.equal(new Date(Math.floor(mtime.getTime() / 1000) * 1000).toUTCString());
      });

      it('gives each file its content type', async () => {
        const types: Record<string, RegExp> = {
          '/static/app.css': /^text\/css/,
          '/static/logo.png': /^image\/png$/,
          '/static/script.js': /^(application|text)\/javascript/,
          '/static/sub/index.html': /^text\/html/,
          '/static/big.bin': /^application\/octet-stream$/,
        };
        for (const [p, type] of Object.entries(types)) expect((await get(p)).headers['content-type'], p).to.match(type);
      });

      it('answers 304 to If-None-Match and If-Modified-Since, 412 to a failed If-Match', async () => {
        const first = await get('/static/a.txt');
        const byTag = await get('/static/a.txt', { headers: { 'if-none-match': first.headers.etag as string } });
        expect(byTag.status).to.equal(304);
        expect(byTag.body.length).to.equal(0);
        expect(byTag.headers.etag).to.equal(first.headers.etag);
        const byDate = await get('/static/a.txt', { headers: { 'if-modified-since': first.headers['last-modified'] as string } });
        expect(byDate.status).to.equal(304);
        const stale = await get('/static/a.txt', { headers: { 'if-none-match': 'W/"0-0"' } });
        expect(stale.status).to.equal(200);
        expect((await get('/static/a.txt', { headers: { 'if-match': '"nope"' } })).status).to.equal(412);
      });

      it('answers a Range with 206 and an unsatisfiable one with 416', async () => {
        const part = await get('/static/a.txt', { headers: { range: 'bytes=1-3' } });
        expect(part.status).to.equal(206);
        expect(part.body.toString()).to.equal('ell');
        expect(part.headers['content-range']).to.equal('bytes 1-3/6');
        const tail = await get('/static/big.bin', { headers: { range: 'bytes=-1000' } });
        expect(tail.status).to.equal(206);
        expect(tail.body.equals(big.subarray(big.length - 1000))).to.equal(true);
        const none = await get('/static/a.txt', { headers: { range: 'bytes=100-200' } });
        expect(none.status).to.equal(416);
        expect(none.headers['content-range']).to.equal('bytes */6');
      });

      it('answers HEAD with the headers and no body', async () => {
        const r = await get('/static/big.bin', { method: 'HEAD' });
        expect(r.status).to.equal(200);
        expect(r.headers['content-length']).to.equal(String(big.length));
        expect(r.body.length).to.equal(0);
      });

      it('sends a 1 MiB file whole', async () => {
        const r = await get('/static/big.bin');
        expect(r.status).to.equal(200);
        expect(r.body.equals(big)).to.equal(true);
      });

      it('serves static-index for a directory, with or without the slash; without one the app gets it', async () => {
        for (const p of ['/static/sub/', '/static/sub']) {
          const r = await get(p);
          expect(r.body.toString(), p).to.equal('<h1>index</h1>\n');
          expect(r.headers['content-type'], p).to.match(/^text\/html/);
        }
        app(await get('/static/noindex/'));
        app(await get('/static/'));
      });

      it('gives the app what is not a file: a miss, another method, an unmapped path, a skipped extension', async () => {
        app(await get('/static/nope.txt'));
        app(await get('/static/a.txt', { method: 'POST', body: 'x' }), 'POST');
        app(await get('/'));
        app(await get('/api/static/a.txt'));
        app(await get('/static/x.php'));
      });

      it('decodes the path: a space, a % in a name', async () => {
        expect((await get('/static/a%20b.txt')).body.toString()).to.equal('space\n');
        expect((await get('/static/100%25.txt')).body.toString()).to.equal('percent\n');
      });

      it('never serves a path outside the directory: .., %2e%2e, ..%2f, double-encoded', async () => {
        for (const p of ['/static/../secret/s.txt', '/static/%2e%2e/secret/s.txt', '/static/%2E%2E/secret/s.txt', '/static/..%2fsecret/s.txt',
          '/static/%2e%2e%2fsecret%2fs.txt', '/static/%252e%252e/secret/s.txt', '/static/sub/../../secret/s.txt', '/static/..']) {
          const r = await get(p);
          expect(r.body.toString(), p).to.not.include('SECRET');
        }
      });

      it('follows a symlink that stays inside; one that leaves goes to the app unless static-safe names its target', async () => {
        expect((await get('/static/in.txt')).body.toString()).to.equal('hello\n');
        app(await get('/static/out.txt'));
        app(await get('/static/outdir/s.txt'));
        app(await get('/static/outdir/'));
        app(await get('/static/sibling.txt'));
        expect((await get('/static/safe.txt')).body.toString()).to.equal('shared by static-safe\n');
      });

      it('static-map2 looks the whole path up; a mount onto a file serves that file; static-check looks every path up', async () => {
        expect((await get('/assets/app.js')).body.toString()).to.equal('assets()\n');
        expect((await get('/favicon.ico')).body.toString()).to.equal('ICO');
        expect((await get('/robots.txt')).body.toString()).to.equal('User-agent: *\n');
        app(await get('/assets/none.js'));
      });

      it('sets Expires from static-expires-uri and static-expires-type, and not elsewhere', async () => {
        const before = Math.floor(Date.now() / 1000) * 1000;
        const css = Date.parse((await get('/static/app.css')).headers.expires as string);
        expect(css).to.be.within(before + 3600_000, before + 3600_000 + 60_000);
        const png = Date.parse((await get('/static/logo.png')).headers.expires as string);
        expect(png).to.be.within(before + 60_000, before + 120_000);
        expect((await get('/static/a.txt')).headers.expires).to.equal(undefined);
      });
    });
  }

  it('logs a static request like any other, and a symlink leaving the directory once as a warning', async () => {
    await request(`${httpUrl}/static/a.txt?logged=1`);
    await request(`${httpUrl}/static/out.txt?warned=1`);
    await site.server.waitForLog('static request line', (l) => l.event === 'request' && l.uri === '/static/a.txt?logged=1' && l.status === 200);
    const warned = await site.server.waitForLog('outside warning', (l) => l.event === 'static-outside');
    expect(warned.resolved).to.equal(fs.realpathSync(path.join(site.dir, 'secret', 's.txt')));
  });

  it('closes the file when the client leaves mid-download', async () => {
    const huge = fs.realpathSync(path.join(site.dir, 'pub', 'huge.bin'));
    const openOnHuge = (): number =>
      site.server.workerPids().reduce((n, pid) => {
        for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
          try {
            if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === huge) n++;
          } catch {
            // closed while we looked
          }
        }
        return n;
      }, 0);
    const clients: net.Socket[] = [];
    for (let i = 0; i < 4; i++) {
      const c = net.connect(Number(new URL(httpUrl).port), '127.0.0.1');
      c.write('GET /static/huge.bin HTTP/1.1\r\nHost: x\r\n\r\n');
      // Read a little, then stop: the server is held by backpressure with the file open.
      c.once('data', () => c.pause());
      clients.push(c);
    }
    await waitUntil('four downloads holding the file open', () => openOnHuge() === 4);
    for (const c of clients) c.destroy();
    await waitUntil('the file closed after the clients left', () => openOnHuge() === 0);
  });

  it('on the uwsgi socket, maps PATH_INFO (not REQUEST_URI) and refuses a .. in it from a raw client', async () => {
    const sock = { path: path.join(site.dir, 'app.sock') };
    const ask = async (vars: Record<string, string>) =>
      (await exchange(sock, [encodePacket({ REQUEST_METHOD: 'GET', SERVER_PROTOCOL: 'HTTP/1.1', ...vars })])).toString();
    expect(await ask({ REQUEST_URI: '/elsewhere', PATH_INFO: '/static/a.txt' })).to.match(/\r\n\r\nhello\n$/);
    const climbed = await ask({ REQUEST_URI: '/x', PATH_INFO: '/static/../secret/s.txt' });
    expect(climbed).to.match(/\r\n\r\napp GET \/x\n$/);
  });
});
