/**
 * post-buffering: the body is read whole before the app is called, so an app that streams its
 * body into its response does not deadlock with nginx (which sends the whole body before it
 * reads the response); a large body waits in a temp file that goes with its request, whether
 * the request succeeds, the app throws or the client leaves. Both socket kinds; the temp file is
 * looked for among the worker's open fds (it has no name in the directory).
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { fixtureApp, pickPort, startServer, type ServerProcess } from '../support/server';
import { serveBehindNginx, type BehindNginx } from '../support/behind-nginx';
import { request } from '../support/http';
import { exchange } from '../support/uwsgi-client';
import { tempDir } from '../support/tmp';
import { waitUntil } from '../support/wait';
import { encodePacket } from '../../src/protocol';

const MiB = 1024 * 1024;

function pattern(n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7 + 3) & 0xff;
  return out;
}

function checksum(b: Buffer): number {
  let sum = 0;
  for (const byte of b) sum = (sum + byte) % 65521;
  return sum;
}

/** The fds of `pid` open on a file in `dir` (post-buffering's temp files: "dir/#123 (deleted)"). */
function filesOpenIn(pid: number, dir: string): string[] {
  const open: string[] = [];
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
      if (target.startsWith(`${dir}/`)) open.push(target);
    } catch {
      // Closed between the two reads.
    }
  }
  return open;
}

function uwsgiPost(uri: string, length: number, extra: Record<string, string> = {}): Buffer {
  return encodePacket({
    REQUEST_METHOD: 'POST', REQUEST_URI: uri, PATH_INFO: uri.split('?')[0], QUERY_STRING: uri.split('?')[1] ?? '',
    SERVER_PROTOCOL: 'HTTP/1.1', CONTENT_LENGTH: String(length), HTTP_HOST: 'x', ...extra,
  });
}

function connectUnix(socketPath: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socketPath);
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

function connectTcp(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

describe('post-buffering behind nginx: an app that streams its body back', function () {
  this.timeout(90_000);
  const body = pattern(10 * MiB);

  describe('with post-buffering', () => {
    let b: BehindNginx;
    const dir = tempDir('tsuwsgi-postbuf-');
    before(async () => {
      b = await serveBehindNginx({ 'wsgi-file': fixtureApp('post-buffering.js'), 'limit-post': '64m', 'post-buffering': '64k', 'post-buffering-dir': dir });
    });
    after(async () => b?.stop());

    it('echoes 10 MiB through uwsgi_pass byte-exact, and leaves no temp file open', async () => {
      const r = await request(`${b.nginx.url}/pipe`, { method: 'POST', body, timeoutMs: 60_000 });
      expect(r.status).to.equal(200);
      expect(r.body.length).to.equal(body.length);
      expect(r.body.equals(body)).to.equal(true);
      const [worker] = b.server.workerPids();
      await waitUntil('the temp file closed', () => filesOpenIn(worker, dir).length === 0);
      expect(fs.readdirSync(dir)).to.deep.equal([]);
    });

    it('calls the app with the body whole, small (memory) or large (file)', async () => {
      for (const n of [10, 64 * 1024 - 1, 64 * 1024, 3 * MiB]) {
        const sent = pattern(n);
        const r = await request(`${b.nginx.url}/length`, { method: 'POST', body: sent });
        expect(JSON.parse(r.body.toString()), `${n} bytes`).to.deep.equal({ whole: true, length: n, sum: checksum(sent) });
      }
    });
  });

  describe('without post-buffering', () => {
    let b: BehindNginx;
    before(async () => {
      b = await serveBehindNginx({ 'wsgi-file': fixtureApp('post-buffering.js'), 'limit-post': '64m', 'socket-timeout': 2 });
    });
    after(async () => b?.stop());

    it('stalls until socket-timeout cuts the connection: the echo never completes', async () => {
      let received = -1;
      let failure = '';
      try {
        const r = await request(`${b.nginx.url}/pipe`, { method: 'POST', body, timeoutMs: 30_000 });
        received = r.body.length;
        failure = `status ${r.status}`;
      } catch (err) {
        failure = (err as Error).message;
      }
      // Measured: nginx takes the response head and the first bytes, then sends no more of the
      // body; the app waits for the body, so nothing moves until socket-timeout. The client
      // sees the echo cut short (or an error): never all of it.
      expect(received, failure).to.be.lessThan(body.length);
      const cut = await b.server.waitForLog('the stalled exchange cut', (l) => l.event === 'timeout');
      expect(cut).to.include({ state: 'body', uri: '/pipe', limitMs: 2000 });
      expect(b.nginx.errorLog()).to.include('upstream prematurely closed connection');
    });
  });
});

describe('post-buffering: a fetch-style app', function () {
  this.timeout(60_000);
  let b: BehindNginx;
  before(async () => {
    b = await serveBehindNginx({ 'wsgi-file': fixtureApp('fetch-echo.mjs'), 'limit-post': '64m', 'post-buffering': '64k' });
  });
  after(async () => b?.stop());

  it('streams a 10 MiB Request body into its Response through nginx', async () => {
    const body = pattern(10 * MiB);
    const r = await request(`${b.nginx.url}/`, { method: 'POST', body, timeoutMs: 60_000 });
    expect(r.status).to.equal(200);
    expect(r.body.equals(body)).to.equal(true);
  });
});

describe('post-buffering: the temp file goes with its request', function () {
  this.timeout(60_000);
  let server: ServerProcess;
  let socketPath: string;
  let httpPort: number;
  let worker: number;
  const dir = tempDir('tsuwsgi-postbuf-');
  const body = pattern(2 * MiB);

  before(async () => {
    ({ server, socketPath, httpPort, worker } = await serveBothKinds('post-buffering.js', dir));
  });
  after(async () => server?.stop());

  const noFileLeft = (): Promise<true> => noBodyFileIn(worker, dir);

  it('on success (uwsgi), the app having read it all', async () => {
    const reply = await exchange({ path: socketPath }, [uwsgiPost('/length', body.length), body]);
    expect(reply.toString()).to.match(/^HTTP\/1.1 200/);
    expect(reply.toString()).to.include(JSON.stringify({ whole: true, length: body.length, sum: checksum(body) }));
    await noFileLeft();
  });

  it('on success, the app having read none of it', async () => {
    const reply = await exchange({ path: socketPath }, [uwsgiPost('/ignore', body.length), body]);
    expect(reply.toString()).to.match(/^HTTP\/1.1 200[^]*ignored$/);
    await noFileLeft();
  });

  it('when the app throws before reading, and while reading', async () => {
    for (const uri of ['/throw', '/throw-reading']) {
      const reply = await exchange({ path: socketPath }, [uwsgiPost(uri, body.length), body]);
      expect(reply.toString(), uri).to.match(/^HTTP\/1.1 500/);
      await noFileLeft();
    }
    // Log lines are written together, up to 20 ms after the fact.
    await server.waitForLog('both app errors', () => server.events('app-error').length === 2);
    expect(server.events('app-error').map((l) => l.uri)).to.have.members(['/throw', '/throw-reading']);
  });

  it('when the client leaves while the body arrives: the app is never called', async () => {
    const client = await connectUnix(socketPath);
    client.on('error', () => undefined);
    client.write(uwsgiPost('/length?left-early', body.length));
    client.write(body.subarray(0, MiB));
    // The file exists (the body is past 64k) and has no name in the directory.
    await waitUntil('the body spilled to a temp file', () => filesOpenIn(worker, dir).length === 1);
    expect(fs.readdirSync(dir)).to.deep.equal([]);
    client.destroy();
    await noFileLeft();
    expect(server.events('app-error')).to.have.length(2);
    expect(server.events('request').some((l) => String(l.uri).includes('left-early'))).to.equal(false);
  });

  it('when the client leaves while the app works on it', async () => {
    const client = await connectUnix(socketPath);
    client.on('error', () => undefined);
    client.write(uwsgiPost('/wait', body.length));
    client.write(body);
    await server.untilInFlight('/wait');
    expect(filesOpenIn(worker, dir)).to.have.length(1);
    client.destroy();
    await noFileLeft();
  });

  it('on http-socket: a chunked body spills once it reaches post-buffering, and goes on success and on a client leaving', async () => {
    const chunked = (b: Buffer): Buffer => Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')]);
    const head = 'POST /length HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n';
    // Success: answered with the whole body, then nothing left.
    const ok = await connectTcp(httpPort);
    const got: Buffer[] = [];
    ok.on('data', (d: Buffer) => got.push(d));
    ok.write(head);
    for (let i = 0; i < body.length; i += 256 * 1024) ok.write(chunked(body.subarray(i, i + 256 * 1024)));
    ok.write('0\r\n\r\n');
    await new Promise((resolve) => ok.once('close', resolve));
    expect(Buffer.concat(got).toString()).to.include(JSON.stringify({ whole: true, length: body.length, sum: checksum(body) }));
    await noFileLeft();
    // A client that leaves half-way.
    const left = await connectTcp(httpPort);
    left.on('error', () => undefined);
    left.write(head);
    left.write(chunked(body.subarray(0, MiB)));
    await waitUntil('the chunked body spilled to a temp file', () => filesOpenIn(worker, dir).length === 1);
    left.destroy();
    await noFileLeft();
  });

  it('on http-socket, a small body stays in memory: no file at all', async () => {
    const small = pattern(1000);
    const r = await request(`http://127.0.0.1:${httpPort}/length`, { method: 'POST', body: small });
    expect(JSON.parse(r.body.toString())).to.deep.equal({ whole: true, length: 1000, sum: checksum(small) });
    expect(filesOpenIn(worker, dir)).to.deep.equal([]);
  });

  it('limit-post applies first: over it is 413, and no file is made', async () => {
    const reply = await exchange({ path: socketPath }, [uwsgiPost('/length', 9 * MiB)], { endAfterWrite: true });
    expect(reply.toString()).to.match(/^HTTP\/1.1 413/);
    expect(filesOpenIn(worker, dir)).to.deep.equal([]);
  });

  it('on http-socket, a chunked body past limit-post is cut with 413 while it spills, and its file goes', () => chunkedOverLimit(httpPort, worker, dir));
});

/** 9 MiB chunked to an http-socket with limit-post = 8m: the file it spilled into goes, the client gets 413. */
async function chunkedOverLimit(port: number, worker: number, dir: string): Promise<void> {
  const conn = await connectTcp(port);
  conn.on('error', () => undefined);
  const got: Buffer[] = [];
  conn.on('data', (d: Buffer) => got.push(d));
  conn.write('POST /length HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
  const piece = pattern(MiB);
  for (let i = 0; i < 9 && !conn.destroyed; i++) conn.write(Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]));
  await new Promise((resolve) => conn.once('close', resolve));
  expect(Buffer.concat(got).toString()).to.match(/^HTTP\/1.1 413/);
  await noBodyFileIn(worker, dir);
}

/** `app` on a uwsgi socket and an http-socket, post-buffering = 64k into `dir`, limit-post = 8m. */
async function serveBothKinds(app: string, dir: string): Promise<{ server: ServerProcess; socketPath: string; httpPort: number; worker: number }> {
  const home = tempDir();
  const socketPath = path.join(home, 'app.sock');
  const httpPort = await pickPort();
  const server = startServer({
    dir: home,
    ini: {
      socket: socketPath, 'http-socket': `127.0.0.1:${httpPort}`, 'wsgi-file': fixtureApp(app),
      'post-buffering': '64k', 'post-buffering-dir': dir, 'limit-post': '8m',
    },
  });
  const [worker] = await server.ready();
  return { server, socketPath, httpPort, worker: worker! };
}

function noBodyFileIn(worker: number, dir: string): Promise<true> {
  return waitUntil('no temp file open in the worker', () => filesOpenIn(worker, dir).length === 0 && fs.readdirSync(dir).length === 0);
}

describe('post-buffering: an Express app (its own request prototype)', function () {
  this.timeout(60_000);
  let server: ServerProcess;
  let socketPath: string;
  let httpPort: number;
  let worker: number;
  const dir = tempDir('tsuwsgi-postbuf-');

  before(async () => {
    ({ server, socketPath, httpPort, worker } = await serveBothKinds('express-post-buffering.js', dir));
  });
  after(async () => server?.stop());

  it('reads a body held in memory or in a file, whole, on both socket kinds, and the file goes', async () => {
    for (const n of [10, 64 * 1024, 2 * MiB]) {
      const sent = pattern(n);
      const reply = await exchange({ path: socketPath }, [uwsgiPost('/length', n), sent]);
      expect(reply.toString(), `uwsgi, ${n} bytes`).to.include(JSON.stringify({ whole: true, length: n, sum: checksum(sent) }));
      const r = await request(`http://127.0.0.1:${httpPort}/length`, { method: 'POST', body: sent });
      expect(JSON.parse(r.body.toString()), `http, ${n} bytes`).to.deep.equal({ whole: true, length: n, sum: checksum(sent) });
    }
    await noBodyFileIn(worker, dir);
  });

  it('on http-socket, a chunked body past limit-post is cut with 413 while it spills, and its file goes', () => chunkedOverLimit(httpPort, worker, dir));

  it('served all of it on the same worker', () => {
    expect(server.workerPids()).to.deep.equal([worker]);
    expect(server.logs().filter((l) => (l.level as number) >= 50)).to.deep.equal([]);
  });
});

describe('post-buffering: a temp file that cannot be made', function () {
  this.timeout(30_000);
  let server: ServerProcess;
  let socketPath: string;

  before(async () => {
    const home = tempDir();
    socketPath = path.join(home, 'app.sock');
    server = startServer({
      dir: home,
      ini: { socket: socketPath, 'wsgi-file': fixtureApp('post-buffering.js'), 'post-buffering': '64k', 'post-buffering-dir': path.join(home, 'missing') },
    });
    await server.ready();
  });
  after(async () => server?.stop());

  it('answers 500 with one E_POST_BUFFER line, and the app never sees the request', async () => {
    const body = pattern(MiB);
    const reply = await exchange({ path: socketPath }, [uwsgiPost('/length?unkept', body.length), body]);
    expect(reply.toString()).to.match(/^HTTP\/1.1 500/);
    const line = await server.waitForLog('the failure', (l) => l.event === 'post-buffering-failed');
    expect(line).to.include({ code: 'E_POST_BUFFER', uri: '/length?unkept', error: 'ENOENT' });
    expect(server.events('request').some((l) => l.uri === '/length?unkept')).to.equal(false);
  });

  it('still serves a body under post-buffering, from memory', async () => {
    const small = pattern(1000);
    const reply = await exchange({ path: socketPath }, [uwsgiPost('/length', small.length), small]);
    expect(reply.toString()).to.include(JSON.stringify({ whole: true, length: 1000, sum: checksum(small) }));
  });
});
