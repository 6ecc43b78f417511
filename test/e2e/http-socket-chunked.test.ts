/**
 * Chunked uploads on http-socket reach the app whole and in order, whatever the chunk size and
 * however the bytes are split on the wire; trailers and chunk extensions are understood.
 */
import { expect } from 'chai';
import { startServer, fixtureApp, pickPort, type ServerProcess } from '../support/server';
import { RawConnection, chunked, head, rawExchange } from '../support/raw-http';

function pattern(n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + 7) & 0xff;
  return out;
}

const uploadHead = (uri: string): string => head(`POST ${uri} HTTP/1.1`, 'Host: x', 'Transfer-Encoding: chunked', 'Connection: close');

describe('http-socket: chunked uploads', function () {
  this.timeout(30_000);
  let server: ServerProcess;
  let port: number;

  before(async () => {
    port = await pickPort();
    server = startServer({ ini: { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': fixtureApp('echo.js'), 'limit-post': '1m' } });
    await server.ready();
  });
  after(() => server?.stop());

  for (const [size, total] of [[1, 3000], [7, 20_000], [1000, 100_000], [16 * 1024, 300_000], [65536, 1024 * 1024]] as const) {
    it(`echoes a ${total}-byte body sent in ${size}-byte chunks`, async () => {
      const body = pattern(total);
      const conn = await rawExchange(port, Buffer.concat([Buffer.from(uploadHead('/echo'), 'latin1'), chunked(body, size)]));
      const [r] = conn.responses();
      expect(r?.status).to.equal(200);
      expect(r?.body.length).to.equal(total);
      expect(r?.body.equals(body)).to.equal(true);
    });
  }

  it('echoes a chunked body whose bytes arrive one at a time, head included', async () => {
    const body = pattern(300);
    const bytes = Buffer.concat([Buffer.from(uploadHead('/echo'), 'latin1'), chunked(body, 50)]);
    const conn = await RawConnection.open(port);
    for (let i = 0; i < bytes.length; i++) {
      conn.write(bytes.subarray(i, i + 1));
      if (i % 64 === 0) await new Promise((r) => setImmediate(r));
    }
    await conn.waitClosed('the echoed upload');
    expect(conn.responses()[0]?.body.equals(body)).to.equal(true);
  });

  it('gives the app the trailers that follow the last chunk', async () => {
    const conn = await rawExchange(port, uploadHead('/trailers') + chunked(pattern(1234), 100, ['X-Checksum: abc123', 'X-Count: 13']).toString('latin1'));
    expect(JSON.parse(conn.responses()[0]?.body.toString() ?? '')).to.deep.equal({ length: 1234, trailers: { 'x-checksum': 'abc123', 'x-count': '13' } });
  });

  it('ignores chunk extensions', async () => {
    const conn = await rawExchange(port, `${uploadHead('/echo')}5;name=value\r\nhello\r\n6;a;b="c d"\r\n world\r\n0\r\n\r\n`);
    expect(conn.responses()[0]?.body.toString()).to.equal('hello world');
  });

  it('accepts an empty chunked body', async () => {
    const conn = await rawExchange(port, `${uploadHead('/echo')}0\r\n\r\n`);
    const [r] = conn.responses();
    expect(r?.status).to.equal(200);
    expect(r?.body.length).to.equal(0);
  });

  it('streams a chunked body straight back (/pipe) on a kept-alive connection, twice', async () => {
    const conn = await RawConnection.open(port);
    const a = pattern(5000);
    const b = pattern(7000);
    conn.write(head('POST /pipe HTTP/1.1', 'Host: x', 'Transfer-Encoding: chunked') + chunked(a, 999).toString('latin1'));
    await conn.waitForResponses(1);
    conn.write(head('POST /pipe HTTP/1.1', 'Host: x', 'Transfer-Encoding: chunked') + chunked(b, 333).toString('latin1'));
    const [first, second] = await conn.waitForResponses(2);
    conn.destroy();
    expect(first?.body.equals(a)).to.equal(true);
    expect(second?.body.equals(b)).to.equal(true);
  });
});
