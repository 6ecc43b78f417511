/**
 * limit-post and buffer-size on http-socket give the uwsgi socket's answers: 413 before the
 * app runs for a Content-Length over the limit, a chunked body counted as it arrives and cut at
 * the limit, 431 for a head over buffer-size; each with the same one warning line. Exactly at a
 * limit is accepted, and the same worker keeps serving.
 */
import { expect } from 'chai';
import { startServer, fixtureApp, pickPort, type ServerProcess, type LogLine } from '../support/server';
import { request, text } from '../support/http';
import { RawConnection, chunked, head, rawExchange } from '../support/raw-http';
import { waitUntil } from '../support/wait';
import { rawResponse } from '../../src/server/raw-response';

const LIMIT = 1000;
const BUFFER_SIZE = 1024;
const TOO_LARGE = rawResponse(413, 'Content Too Large').toString('latin1');
const HEAD_TOO_LARGE = rawResponse(431, 'Request Header Fields Too Large').toString('latin1');

/** A GET whose URL, header names and values (what Node counts against maxHeaderSize) total `n` bytes. */
function headOfCountedSize(n: number, extra: [string, string][] = []): string {
  const headers: [string, string][] = [['Host', 'x'], ...extra];
  const fixed = '/'.length + headers.reduce((sum, [k, v]) => sum + k.length + v.length, 0) + 'X-Fill'.length;
  return head('GET / HTTP/1.1', ...headers.map(([k, v]) => `${k}: ${v}`), `X-Fill: ${'f'.repeat(n - fixed)}`);
}

describe('http-socket: limit-post and buffer-size', function () {
  this.timeout(30_000);
  let server: ServerProcess;
  let port: number;
  let url: string;
  let workers: number[];

  before(async () => {
    port = await pickPort();
    url = `http://127.0.0.1:${port}`;
    server = startServer({ ini: { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': fixtureApp('echo.js'), 'limit-post': LIMIT, 'buffer-size': BUFFER_SIZE } });
    workers = await server.ready();
  });
  after(() => server?.stop());

  const rejected = (what: string, match: (l: LogLine) => boolean): Promise<LogLine> =>
    server.waitForLog(what, (l) => l.event === 'request-rejected' && match(l));

  afterEach(async () => {
    expect((await request(`${url}/`)).body.toString(), 'still serving').to.equal('hello');
    expect(server.workerPids()).to.deep.equal(workers);
  });

  describe('limit-post, Content-Length', () => {
    it('accepts a body of exactly limit-post bytes', async () => {
      const r = await request(`${url}/echo`, { method: 'POST', body: Buffer.alloc(LIMIT, 1) });
      expect(r.status).to.equal(200);
      expect(r.body.length).to.equal(LIMIT);
    });

    it('answers one byte over with the uwsgi socket\'s 413, before the app runs, and logs it once', async () => {
      const conn = await rawExchange(port, head('POST /echo?cl-over HTTP/1.1', 'Host: x', `Content-Length: ${LIMIT + 1}`) + 'b'.repeat(LIMIT + 1));
      expect(conn.text()).to.equal(TOO_LARGE);
      const line = await rejected('413 line', (l) => l.uri === '/echo?cl-over');
      expect(line).to.include({ level: 40, code: 'E_PROTO_BODY_TOO_BIG', status: 413, method: 'POST' });
      expect(line.msg).to.contain(String(LIMIT + 1)).and.to.contain(String(LIMIT)).and.to.contain('limit-post');
      const about = server.logs().filter((l) => JSON.stringify(l).includes('cl-over'));
      expect(about, JSON.stringify(about)).to.have.length(1);
    });

    it('answers 413 to a 2 MiB upload', async () => {
      const r = await request(`${url}/echo?big-cl`, { method: 'POST', body: Buffer.alloc(2 * 1024 * 1024, 1) });
      expect(r.status).to.equal(413);
      expect(r.body.toString()).to.equal('413 Content Too Large\n');
    });

    it('answers 413 instead of 100 Continue to a client that waits for it (Expect: 100-continue)', async () => {
      const conn = await RawConnection.open(port);
      conn.write(head('POST /echo?expect HTTP/1.1', 'Host: x', `Content-Length: ${LIMIT + 1}`, 'Expect: 100-continue'));
      await conn.waitClosed('the refused upload');
      expect(conn.text()).to.equal(TOO_LARGE);
      await rejected('413 line for the expect request', (l) => l.uri === '/echo?expect');
    });
  });

  describe('limit-post, chunked (counted as it arrives)', () => {
    it('accepts a chunked body of exactly limit-post bytes', async () => {
      const body = Buffer.alloc(LIMIT, 7);
      const conn = await rawExchange(port, head('POST /echo HTTP/1.1', 'Host: x', 'Transfer-Encoding: chunked', 'Connection: close') + chunked(body, 100).toString('latin1'));
      const [r] = conn.responses();
      expect(r?.status).to.equal(200);
      expect(r?.body.equals(body)).to.equal(true);
    });

    it('cuts a chunked body at the limit: 413, connection closed, one line', async () => {
      const conn = await RawConnection.open(port);
      conn.write(head('POST /echo?chunked-over HTTP/1.1', 'Host: x', 'Transfer-Encoding: chunked'));
      conn.write(chunked(Buffer.alloc(LIMIT + 1, 7), 250));
      await conn.waitClosed('the cut upload');
      expect(conn.text()).to.equal(TOO_LARGE);
      const line = await rejected('413 line for the chunked body', (l) => l.uri === '/echo?chunked-over');
      expect(line).to.include({ level: 40, code: 'E_PROTO_BODY_TOO_BIG', status: 413, method: 'POST' });
      expect(line.msg).to.contain('chunked').and.to.contain(String(LIMIT)).and.to.contain('limit-post');
      expect(server.logs().filter((l) => JSON.stringify(l).includes('chunked-over'))).to.have.length(1);
    });

    it('cuts a 2 MiB chunked upload that keeps coming', async () => {
      const conn = await RawConnection.open(port);
      conn.write(head('POST /echo?chunked-big HTTP/1.1', 'Host: x', 'Transfer-Encoding: chunked'));
      conn.write(chunked(Buffer.alloc(2 * 1024 * 1024, 7), 16 * 1024));
      await conn.waitClosed('the cut 2 MiB upload');
      expect(conn.text()).to.equal(TOO_LARGE);
    });

    it('closes the connection without a second answer when the response had already started', async () => {
      const conn = await RawConnection.open(port);
      // /pipe streams the body back: the 200 head is out before the limit is crossed.
      conn.write(head('POST /pipe?started HTTP/1.1', 'Host: x', 'Transfer-Encoding: chunked'));
      conn.write(chunked(Buffer.alloc(600, 7), 600).subarray(0, -5));
      await conn.waitForText('the streamed head', (t) => t.startsWith('HTTP/1.1 200 OK'));
      conn.write(chunked(Buffer.alloc(600, 7), 600));
      await conn.waitClosed('the cut, already answered, upload');
      expect(conn.text()).to.match(/^HTTP\/1\.1 200 OK\r\n/);
      expect(conn.text()).not.to.contain('413');
      const line = await rejected('line for the cut streamed request', (l) => l.uri === '/pipe?started');
      expect(line).to.include({ code: 'E_PROTO_BODY_TOO_BIG', method: 'POST' });
      expect(line).not.to.have.property('status');
    });
  });

  describe('buffer-size (the request head)', () => {
    it('accepts a head of exactly buffer-size counted bytes', async () => {
      const conn = await rawExchange(port, headOfCountedSize(BUFFER_SIZE, [['Connection', 'close']]));
      expect(conn.responses()[0]?.status).to.equal(200);
    });

    it('answers one byte more with the uwsgi socket\'s 431 and logs size, limit and option once', async () => {
      const before = server.events('request-rejected').filter((l) => l.status === 431).length;
      const conn = await rawExchange(port, headOfCountedSize(BUFFER_SIZE + 1));
      expect(conn.text()).to.equal(HEAD_TOO_LARGE);
      const line = await rejected('431 line', (l) => l.status === 431);
      expect(line).to.include({ level: 40, code: 'E_PROTO_TOO_BIG' });
      expect(line.msg).to.contain(String(BUFFER_SIZE)).and.to.contain('buffer-size');
      await waitUntil('the 431 line', () => server.events('request-rejected').filter((l) => l.status === 431).length === before + 1);
    });

    it('counts the URL too', async () => {
      const conn = await rawExchange(port, head(`GET /${'u'.repeat(BUFFER_SIZE)} HTTP/1.1`, 'Host: x'));
      expect(conn.text()).to.equal(HEAD_TOO_LARGE);
    });

    it('answers 431 to a head far over the limit sent in pieces', async () => {
      const conn = await RawConnection.open(port);
      const big = headOfCountedSize(8 * BUFFER_SIZE);
      for (let i = 0; i < big.length; i += 500) conn.write(big.slice(i, i + 500));
      await conn.waitClosed('the oversized head');
      expect(conn.text()).to.equal(HEAD_TOO_LARGE);
    });
  });
});

describe('http-socket: what the app sees when its chunked body is cut at limit-post', function () {
  this.timeout(30_000);
  let server: ServerProcess;
  let port: number;

  before(async () => {
    port = await pickPort();
    server = startServer({ ini: { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': fixtureApp('events.js'), 'limit-post': LIMIT, processes: 1, threads: 1 } });
    await server.ready();
  });
  after(() => server?.stop());

  it('the sequence of a client that left (aborted, error with the limit\'s code, close), after the 413 went out', async () => {
    const conn = await RawConnection.open(port);
    conn.write(head('POST /read-then-answer?id=cut HTTP/1.1', 'Host: x', 'Transfer-Encoding: chunked'));
    conn.write(chunked(Buffer.alloc(3 * LIMIT, 7), 500));
    await conn.waitClosed('the cut upload');
    expect(conn.text()).to.equal(TOO_LARGE);
    const seq = await waitUntil('the cut request to close', async () => {
      const got = JSON.parse(await text(`http://127.0.0.1:${port}/events?id=cut`)) as string[];
      return got.includes('req:close') ? got : undefined;
    });
    expect(seq).to.deep.equal(['app:called', 'req:aborted', 'res:close', 'req:error(E_PROTO_BODY_TOO_BIG)', 'req:close']);
  });
});

describe('http-socket: limit-post under Express (its own request prototype)', function () {
  this.timeout(30_000);
  let server: ServerProcess;
  let port: number;

  before(async () => {
    port = await pickPort();
    server = startServer({ ini: { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': fixtureApp('express-echo.js'), 'limit-post': LIMIT } });
    await server.ready();
  });
  after(() => server?.stop());

  it('cuts a chunked body at the limit: 413, connection closed, one line', async () => {
    const conn = await RawConnection.open(port);
    conn.write(head('POST /echo?express-over HTTP/1.1', 'Host: x', 'Transfer-Encoding: chunked'));
    conn.write(chunked(Buffer.alloc(LIMIT + 1, 7), 250));
    await conn.waitClosed('the cut upload');
    expect(conn.text()).to.equal(TOO_LARGE);
    await server.waitForLog('413 line', (l) => l.event === 'request-rejected' && l.uri === '/echo?express-over');
  });
});
