/**
 * Malformed HTTP on http-socket (request line, header bytes, chunk framing, conflicting or
 * smuggled lengths) gets the uwsgi socket's 400, exactly one `bad-request` line with a code,
 * and a closed connection; never a stack, never a crash: the same worker answers the next
 * request. An error found while a response is on its way never writes a second response
 * into that stream.
 */
import { expect } from 'chai';
import { startServer, fixtureApp, pickPort, type ServerProcess } from '../support/server';
import { request } from '../support/http';
import { RawConnection, chunked, head, rawExchange } from '../support/raw-http';
import { waitUntil, sleep } from '../support/wait';
import { rawResponse } from '../../src/server/raw-response';

const BAD_REQUEST = rawResponse(400, 'Bad Request').toString('latin1');

const get = (...lines: string[]): string => head('GET / HTTP/1.1', 'Host: x', ...lines);
const post = (...lines: string[]): string => head('POST /echo HTTP/1.1', 'Host: x', ...lines);
const chunkedPost = (body: string): string => post('Transfer-Encoding: chunked') + body;

/** [what, bytes, the code the log line carries] */
const malformed: [string, string, string][] = [
  ['a request line that is not one', 'GARBAGE\r\n\r\n', 'E_HTTP_BAD_REQUEST'],
  ['an unknown HTTP version', head('GET / HTTP/9.9', 'Host: x'), 'E_HTTP_BAD_REQUEST'],
  ['a lower-case protocol name', head('GET / http/1.1', 'Host: x'), 'E_HTTP_BAD_REQUEST'],
  ['a space inside the URL', head('GET /a b HTTP/1.1', 'Host: x'), 'E_HTTP_BAD_REQUEST'],
  ['a control byte in the URL', head('GET /a\x01b HTTP/1.1', 'Host: x'), 'E_HTTP_BAD_REQUEST'],
  ['a method with a bad character', head('G@T / HTTP/1.1', 'Host: x'), 'E_HTTP_BAD_REQUEST'],
  ['a space in a header name', get('Bad Name: v'), 'E_HTTP_BAD_REQUEST'],
  ['a space before the colon (Transfer-Encoding smuggling)', post('Transfer-Encoding : chunked') + '0\r\n\r\n', 'E_HTTP_BAD_REQUEST'],
  ['a header line without a colon', get('NoColon'), 'E_HTTP_BAD_REQUEST'],
  ['an empty header name', get(': v'), 'E_HTTP_BAD_REQUEST'],
  ['a bare CR inside a header value', get('X: a\rb'), 'E_HTTP_BAD_REQUEST'],
  ['a NUL inside a header value', get('X: a\x00b'), 'E_HTTP_BAD_REQUEST'],
  ['a DEL inside a header value', get('X: a\x7fb'), 'E_HTTP_BAD_REQUEST'],
  ['bare LF line ends', 'GET / HTTP/1.1\nHost: x\n\n', 'E_HTTP_BAD_REQUEST'],
  ['a folded header line (obs-fold)', get('X: a', ' b'), 'E_HTTP_BAD_REQUEST'],
  ['no Host on HTTP/1.1', head('GET / HTTP/1.1'), 'E_HTTP_BAD_REQUEST'],
  ['Content-Length and Transfer-Encoding (CL.TE smuggling)', post('Content-Length: 13', 'Transfer-Encoding: chunked') + '0\r\n\r\nSMUGGLED', 'E_HTTP_BAD_REQUEST'],
  ['Transfer-Encoding and Content-Length (TE.CL smuggling)', post('Transfer-Encoding: chunked', 'Content-Length: 5') + '0\r\n\r\n', 'E_PROTO_BAD_LENGTH'],
  ['two different Content-Lengths', post('Content-Length: 5', 'Content-Length: 6') + 'abcdef', 'E_PROTO_BAD_LENGTH'],
  ['the same Content-Length twice', post('Content-Length: 5', 'Content-Length: 5') + 'abcde', 'E_PROTO_BAD_LENGTH'],
  ['a Content-Length list', post('Content-Length: 5, 5') + 'abcde', 'E_PROTO_BAD_LENGTH'],
  ['a Content-Length that is not a number', post('Content-Length: abc'), 'E_PROTO_BAD_LENGTH'],
  ['a negative Content-Length', post('Content-Length: -1'), 'E_PROTO_BAD_LENGTH'],
  ['a Content-Length over 2^64', post('Content-Length: 99999999999999999999999'), 'E_PROTO_BAD_LENGTH'],
  ['Transfer-Encoding with chunked not last', post('Transfer-Encoding: chunked, gzip') + '0\r\n\r\n', 'E_HTTP_BAD_REQUEST'],
  ['Transfer-Encoding: chunked twice', post('Transfer-Encoding: chunked', 'Transfer-Encoding: chunked') + '0\r\n\r\n', 'E_HTTP_BAD_REQUEST'],
  ['an unknown Transfer-Encoding (xchunked)', post('Transfer-Encoding: xchunked') + '0\r\n\r\n', 'E_HTTP_BAD_REQUEST'],
  ['a chunk size that is not hex', chunkedPost('zz\r\nabc\r\n0\r\n\r\n'), 'E_HTTP_BAD_REQUEST'],
  ['a chunk size over 2^64', chunkedPost('fffffffffffffffffff\r\nabc\r\n0\r\n\r\n'), 'E_HTTP_BAD_REQUEST'],
  ['a negative chunk size', chunkedPost('-3\r\nabc\r\n0\r\n\r\n'), 'E_HTTP_BAD_REQUEST'],
  ['chunk data longer than its size', chunkedPost('3\r\nabcdef\r\n0\r\n\r\n'), 'E_HTTP_BAD_REQUEST'],
  ['a bad byte in a chunk extension', chunkedPost('3;\x01\r\nabc\r\n0\r\n\r\n'), 'E_HTTP_BAD_REQUEST'],
  ['a TLS ClientHello', '\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03', 'E_HTTP_BAD_REQUEST'],
  ['the HTTP/2 connection preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'E_HTTP_BAD_REQUEST'],
  ['CONNECT (not a proxy)', head('CONNECT example.com:443 HTTP/1.1', 'Host: example.com:443'), 'E_HTTP_BAD_REQUEST'],
];

describe('http-socket: malformed requests', function () {
  this.timeout(30_000);
  let server: ServerProcess;
  let port: number;
  let workers: number[];

  before(async () => {
    port = await pickPort();
    server = startServer({ ini: { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': fixtureApp('echo.js'), processes: 1, threads: 2 } });
    workers = await server.ready();
  });
  after(() => server?.stop());

  const badRequests = (): number => server.events('bad-request').length;

  for (const [what, bytes, code] of malformed) {
    it(`400 for ${what}, one line (${code}), then serves on`, async () => {
      const before = badRequests();
      const conn = await rawExchange(port, bytes);
      expect(conn.text()).to.equal(BAD_REQUEST);
      const [line] = await waitUntil('the bad-request line', () => (badRequests() > before ? server.events('bad-request').slice(before) : undefined));
      expect(line).to.include({ level: 40, code });
      expect(line?.msg).to.be.a('string').and.not.to.contain('\n');
      expect((await request(`http://127.0.0.1:${port}/`)).body.toString()).to.equal('hello');
      expect(badRequests(), 'exactly one line').to.equal(before + 1);
      expect(server.workerPids()).to.deep.equal(workers);
    });
  }

  it('logged no stack, no error and no client-gone for any of them', () => {
    const noisy = server.logs().filter((l) => (l.level as number) >= 50 || 'err' in l || 'stack' in l || l.event === 'client-gone');
    expect(noisy).to.deep.equal([]);
    expect(server.stderr.filter(Boolean)).to.deep.equal([]);
    expect(server.unexpectedOutput()).to.deep.equal([]);
  });

  describe('an error while a response is on its way', () => {
    it('a malformed request behind a response that has started: that response completes, then the 400', async () => {
      const conn = await RawConnection.open(port);
      conn.write(head('GET /stream?n=100000 HTTP/1.1', 'Host: x') + 'GARBAGE\r\n\r\n');
      await conn.waitClosed('the connection after the 400');
      const [first, second, ...more] = conn.responses();
      expect(first?.status).to.equal(200);
      expect(first?.body.length).to.equal(100000);
      expect(second?.raw.toString('latin1')).to.equal(BAD_REQUEST);
      expect(more).to.deep.equal([]);
    });

    it('a malformed request behind one the app has not answered yet: the answer first, then the 400', async () => {
      const conn = await RawConnection.open(port);
      conn.write(head('GET /slow?ms=300 HTTP/1.1', 'Host: x') + 'GARBAGE\r\n\r\n');
      await conn.waitClosed('the connection after the 400');
      const [first, second, ...more] = conn.responses();
      expect(first?.body.toString()).to.equal('slow done');
      expect(second?.raw.toString('latin1')).to.equal(BAD_REQUEST);
      expect(more).to.deep.equal([]);
    });

    it('bad chunk framing while the app streams its answer: the connection closes, no 400 inside the stream', async () => {
      const before = badRequests();
      const conn = await RawConnection.open(port);
      conn.write(head('POST /pipe HTTP/1.1', 'Host: x', 'Transfer-Encoding: chunked') + chunked(Buffer.from('first piece'), 100).subarray(0, -5).toString('latin1'));
      await conn.waitForText('the streamed head', (t) => t.includes('first piece'));
      conn.write('zz\r\n');
      await conn.waitClosed('the connection with bad framing');
      expect(conn.text()).to.match(/^HTTP\/1\.1 200 OK\r\n/);
      expect(conn.text()).not.to.contain('400 Bad Request');
      await waitUntil('the bad-request line', () => badRequests() === before + 1);
    });

    it('a peer that resets an idle keep-alive connection: nothing logged as a bad request', async () => {
      const before = badRequests();
      const conn = await RawConnection.open(port);
      conn.write(head('GET / HTTP/1.1', 'Host: x'));
      await conn.waitForResponses(1);
      conn.socket.resetAndDestroy();
      await sleep(200);
      expect((await request(`http://127.0.0.1:${port}/`)).status).to.equal(200);
      expect(badRequests()).to.equal(before);
    });
  });
});
