/**
 * http-timeout and http-keepalive on http-socket: Node's requestTimeout/headersTimeout and
 * keepAliveTimeout come from them. A head that trickles (or never comes) past http-timeout is
 * answered 408 and closed (what Node's server does); a body that stalls too; an idle keep-alive
 * connection is closed after http-keepalive, and 0 turns keep-alive off.
 */
import { expect } from 'chai';
import { startServer, fixtureApp, pickPort, type ServerProcess } from '../support/server';
import { RawConnection, head } from '../support/raw-http';
import { sleep } from '../support/wait';
import { rawResponse } from '../../src/server/raw-response';

const TIMED_OUT = rawResponse(408, 'Request Timeout').toString('latin1');

async function serve(ini: Record<string, string | number>): Promise<{ server: ServerProcess; port: number }> {
  const port = await pickPort();
  // no-defer-accept: these tests time connections from their connect(); with TCP_DEFER_ACCEPT
  // (the default) the kernel holds a silent one for its defer period before any worker sees it.
  const server = startServer({ ini: { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': fixtureApp('echo.js'), 'no-defer-accept': true, ...ini } });
  await server.ready();
  return { server, port };
}

describe('http-socket: http-timeout and http-keepalive', function () {
  this.timeout(30_000);

  describe('defaults', () => {
    let s: { server: ServerProcess; port: number };
    before(async () => {
      s = await serve({});
    });
    after(() => s?.server.stop());

    it('advertises http-keepalive\'s default, 75 s, longer than nginx\'s 60 s upstream keepalive_timeout', async () => {
      const conn = await RawConnection.open(s.port);
      conn.write(head('GET / HTTP/1.1', 'Host: x'));
      const [r] = await conn.waitForResponses(1);
      conn.destroy();
      expect(r?.headers.connection).to.equal('keep-alive');
      expect(r?.headers['keep-alive']).to.equal('timeout=75');
    });
  });

  describe('http-timeout = 1, http-keepalive = 1', () => {
    let s: { server: ServerProcess; port: number };
    before(async () => {
      s = await serve({ 'http-timeout': 1, 'http-keepalive': 1 });
    });
    after(() => s?.server.stop());

    it('closes an idle keep-alive connection after http-keepalive', async () => {
      const conn = await RawConnection.open(s.port);
      conn.write(head('GET / HTTP/1.1', 'Host: x'));
      const [r] = await conn.waitForResponses(1);
      expect(r?.headers['keep-alive']).to.equal('timeout=1');
      await conn.waitClosed('the idle keep-alive connection', 8000);
      expect(conn.responses()).to.have.length(1);
    });

    it('answers 408 and closes a head that trickles in longer than http-timeout', async () => {
      const conn = await RawConnection.open(s.port);
      conn.write('GET / HTTP/1.1\r\n');
      for (let i = 0; i < 40 && !conn.isClosed; i++) {
        conn.write(`X-${i}: y\r\n`);
        await sleep(200);
      }
      await conn.waitClosed('the trickled head', 8000);
      expect(conn.text()).to.equal(TIMED_OUT);
      const line = await s.server.waitForLog('timeout line', (l) => l.event === 'timeout');
      expect(line).to.include({ level: 30 });
    });

    it('answers 408 and closes a connection that never sends anything', async () => {
      const conn = await RawConnection.open(s.port);
      await conn.waitClosed('the silent connection', 8000);
      expect(conn.text()).to.equal(TIMED_OUT);
    });

    it('answers 408 and closes when the body stalls past http-timeout, and the app sees its request aborted', async () => {
      const conn = await RawConnection.open(s.port);
      conn.write(head('POST /echo?stalled HTTP/1.1', 'Host: x', 'Content-Length: 100') + 'only ten b');
      await conn.waitClosed('the stalled upload', 8000);
      expect(conn.text()).to.equal(TIMED_OUT);
      expect(s.server.events('request').some((l) => l.uri === '/echo?stalled')).to.equal(false);
      expect(s.server.logs().filter((l) => (l.level as number) >= 50)).to.deep.equal([]);
      expect(s.server.unexpectedOutput()).to.deep.equal([]);
    });

    it('does not bound the app\'s own time: a complete request answered after http-timeout is served', async () => {
      const conn = await RawConnection.open(s.port);
      conn.write(head('GET /slow?ms=2500 HTTP/1.1', 'Host: x'));
      const [r] = await conn.waitForResponses(1, 8000);
      conn.destroy();
      expect(r?.body.toString()).to.equal('slow done');
    });
  });

  describe('http-keepalive = 0', () => {
    let s: { server: ServerProcess; port: number };
    before(async () => {
      s = await serve({ 'http-keepalive': 0 });
    });
    after(() => s?.server.stop());

    it('closes the connection after every response', async () => {
      const conn = await RawConnection.open(s.port);
      conn.write(head('GET / HTTP/1.1', 'Host: x'));
      await conn.waitClosed('the connection after its response');
      const [r] = conn.responses();
      expect(r?.body.toString()).to.equal('hello');
      expect(r?.headers.connection).to.equal('close');
    });
  });
});
