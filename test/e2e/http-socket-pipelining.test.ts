/**
 * Several requests in one write on http-socket are answered in order, including when an early
 * one is slow; a malformed one in the middle of a pipeline gets its 400 after the answers to
 * those before it, and nothing after it is served.
 */
import { expect } from 'chai';
import { startServer, fixtureApp, pickPort, type ServerProcess } from '../support/server';
import { RawConnection, chunked, head, rawExchange } from '../support/raw-http';
import { waitUntil } from '../support/wait';
import { rawResponse } from '../../src/server/raw-response';

const get = (uri: string, ...lines: string[]): string => head(`GET ${uri} HTTP/1.1`, 'Host: x', ...lines);

describe('http-socket: pipelining', function () {
  this.timeout(30_000);
  let server: ServerProcess;
  let port: number;

  before(async () => {
    port = await pickPort();
    server = startServer({ ini: { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': fixtureApp('echo.js'), processes: 1, threads: 1 } });
    await server.ready();
  });
  after(() => server?.stop());

  it('answers requests sent in one write in order, a slow first one included', async () => {
    const conn = await RawConnection.open(port);
    conn.write(
      get('/slow?ms=300') +
        get('/') +
        head('POST /echo HTTP/1.1', 'Host: x', 'Content-Length: 5') + 'abcde' +
        head('POST /echo HTTP/1.1', 'Host: x', 'Transfer-Encoding: chunked') + chunked(Buffer.from('chunked body'), 4).toString('latin1') +
        get('/204') +
        get('/big?n=70000'),
    );
    const responses = await conn.waitForResponses(6);
    conn.destroy();
    expect(responses.map((r) => r.status)).to.deep.equal([200, 200, 200, 200, 204, 200]);
    expect(responses.slice(0, 4).map((r) => r.body.toString())).to.deep.equal(['slow done', 'hello', 'abcde', 'chunked body']);
    expect(responses[5]?.body.length).to.equal(70000);
  });

  it('answers 20 pipelined requests on one connection, in order', async () => {
    const conn = await RawConnection.open(port);
    conn.write(Array.from({ length: 20 }, (_, i) => get(`/env?name=N${i}&i=${i}`)).join(''));
    const responses = await conn.waitForResponses(20);
    conn.destroy();
    expect(responses.map((r) => r.status)).to.deep.equal(Array(20).fill(200));
    const lines = await waitUntil('20 request lines', () => {
      const got = server.events('request').filter((l) => String(l.uri).startsWith('/env?name=N'));
      return got.length >= 20 ? got : undefined;
    });
    expect(lines.map((l) => l.uri)).to.deep.equal(Array.from({ length: 20 }, (_, i) => `/env?name=N${i}&i=${i}`));
  });

  it('closes after the request that asked for it (Connection: close), serving nothing after it', async () => {
    const conn = await rawExchange(port, get('/?a') + get('/?b', 'Connection: close') + get('/?c'));
    const responses = conn.responses();
    expect(responses.map((r) => r.body.toString())).to.deep.equal(['hello', 'hello']);
    expect(responses[1]?.headers.connection).to.equal('close');
  });

  it('a malformed request in the middle: the answers before it, then its 400, then the close', async () => {
    const conn = await rawExchange(port, get('/slow?ms=200') + get('/?before') + 'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n' + get('/?after'));
    const responses = conn.responses();
    expect(responses.map((r) => r.status)).to.deep.equal([200, 200, 400]);
    expect(responses[2]?.raw.toString('latin1')).to.equal(rawResponse(400, 'Bad Request').toString('latin1'));
    expect(server.events('request').some((l) => l.uri === '/?after'), 'nothing after the malformed one runs').to.equal(false);
  });
});
