/**
 * Over-limit requests get a real answer through nginx (413, 431), and malformed uwsgi input
 * sent on a raw socket closes only that connection: the same process keeps serving.
 */
import path from 'node:path';
import { expect } from 'chai';
import { startServer, fixtureApp, type ServerProcess } from '../support/server';
import { startNginx, type Nginx } from '../support/nginx';
import { request } from '../support/http';
import { exchange } from '../support/uwsgi-client';
import { tempDir } from '../support/tmp';
import { encodePacket, encodePing } from '../../src/protocol';

describe('limits and malformed input', function () {
  this.timeout(60_000);
  let server: ServerProcess;
  let nginx: Nginx;
  let sock: string;
  let workers: number[];

  before(async () => {
    const dir = tempDir();
    sock = path.join(dir, 'app.sock');
    server = startServer({ dir, ini: { socket: sock, 'wsgi-file': fixtureApp('echo.js'), 'limit-post': 1000, 'buffer-size': 4096 } });
    workers = await server.ready();
    nginx = await startNginx({ upstream: `unix:${sock}`, clientMaxBodySize: '10m' });
  });

  after(async () => {
    await nginx?.stop();
    await server?.stop();
  });

  const good = async (): Promise<void> => {
    const r = await request(`${nginx.url}/`);
    expect(r.status).to.equal(200);
    expect(r.body.toString()).to.equal('hello');
  };

  it('accepts a body of exactly limit-post bytes', async () => {
    const r = await request(`${nginx.url}/echo`, { method: 'POST', body: Buffer.alloc(1000, 1) });
    expect(r.status).to.equal(200);
    expect(r.body.length).to.equal(1000);
  });

  it('answers 413 through nginx to a body one byte over limit-post, and logs size, limit and option', async () => {
    const r = await request(`${nginx.url}/echo`, { method: 'POST', body: Buffer.alloc(1001, 1) });
    expect(r.status).to.equal(413);
    const line = await server.waitForLog('413 log line', (l) => l.event === 'request-rejected' && l.status === 413);
    expect(line.msg).to.contain('1001').and.to.contain('1000').and.to.contain('limit-post');
    await good();
  });

  it('answers 413 to a 5 MiB upload, read and dropped so nginx sees no reset', async () => {
    const r = await request(`${nginx.url}/echo`, { method: 'POST', body: Buffer.alloc(5 * 1024 * 1024, 1) });
    expect(r.status).to.equal(413);
    expect(nginx.errorLog()).not.to.contain('reset by peer');
  });

  it('answers 431 through nginx to headers over buffer-size, and logs size, limit and option', async () => {
    const r = await request(`${nginx.url}/headers`, { headers: { 'X-Big': 'a'.repeat(8000) } });
    expect(r.status).to.equal(431);
    const line = await server.waitForLog('431 log line', (l) => l.event === 'request-rejected' && l.status === 431);
    expect(line.msg).to.contain('4096').and.to.contain('buffer-size');
    await good();
  });

  const header = (mod1: number, size: number, mod2 = 0): Buffer => Buffer.from([mod1, size & 0xff, size >> 8, mod2]);
  const valid = encodePacket({ REQUEST_METHOD: 'GET', REQUEST_URI: '/', PATH_INFO: '/', SERVER_PROTOCOL: 'HTTP/1.1' });

  const cases: [string, Buffer[]][] = [
    ['a truncated header', [Buffer.from([0, 10])]],
    ['truncated vars', [valid.subarray(0, valid.length - 5)]],
    ['a key length pointing past the block', [Buffer.concat([header(0, 6), Buffer.from([200, 0, 65, 66, 67, 68])])]],
    ['garbage bytes', [Buffer.from('\x00\x05\x00\x00\xff\xff\xff\xff\xff', 'latin1')]],
    ['HTTP spoken to the uwsgi socket', [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')]],
    ['modifier1 42', [Buffer.concat([header(42, 0)])]],
  ];

  for (const [name, chunks] of cases) {
    it(`closes the connection on ${name}, logs it, and keeps serving`, async () => {
      const before = server.logs().filter((l) => l.event === 'bad-request').length;
      const reply = await exchange({ path: sock }, chunks, { endAfterWrite: true });
      expect(reply.toString('latin1')).not.to.match(/^HTTP\/1\.1 200/);
      await server.waitForLog(`bad-request line for ${name}`, () => server.logs().filter((l) => l.event === 'bad-request').length > before);
      await good();
      expect(server.workerPids()).to.deep.equal(workers);
    });
  }

  it('answers a ping 64 00 00 00 with 64 00 00 01', async () => {
    const reply = await exchange({ path: sock }, [encodePing()]);
    expect([...reply]).to.deep.equal([100, 0, 0, 1]);
    await good();
  });

  it('serves a packet split into single bytes', async () => {
    const bytes = [...valid].map((b) => Buffer.from([b]));
    const reply = await exchange({ path: sock }, bytes, { gapMs: 1 });
    expect(reply.toString('latin1')).to.match(/^HTTP\/1\.1 200 OK\r\n/);
    expect(reply.toString('latin1')).to.match(/\r\n\r\nhello$/);
  });
});
