/**
 * The http socket kind in this process (harness.ts): its connections in the thread's set, the
 * client-gone line, and its part of a graceful stop — connections holding no request closed
 * after the grace, a response not yet started told to close the connection, an upload still
 * arriving cut http-timeout after the stop began.
 */
import { expect } from 'chai';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serverHarness, connect, type Harness } from './harness';
import { splitResponses } from '../../support/raw-http';
import { sleep, waitUntil } from '../../support/wait';

const GET = 'GET /x HTTP/1.1\r\nHost: t\r\n\r\n';

describe('server/http-socket', function () {
  this.timeout(20_000);
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('counts its connections in the thread\'s set while they are open', async () => {
    h = await serverHarness('http', (_req: IncomingMessage, res: ServerResponse) => res.end('ok'));
    const a = await connect(h.path);
    const b = await connect(h.path);
    await waitUntil('both counted', () => h!.ctx.connections.size === 2, 2000);
    a.socket.destroy();
    await waitUntil('one forgotten', () => h!.ctx.connections.size === 1, 2000);
    b.socket.destroy();
    await waitUntil('both forgotten', () => h!.ctx.connections.size === 0, 2000);
  });

  it('a client leaving before the response: one client-gone line with the URI', async () => {
    let reached = false;
    h = await serverHarness('http', () => {
      reached = true;
    });
    const client = await connect(h.path);
    client.socket.write(GET);
    await waitUntil('the request reached the app', () => reached, 2000);
    client.socket.destroy();
    await waitUntil('the line', () => h!.events('client-gone').length > 0, 2000);
    await sleep(50);
    expect(h.events('client-gone')).to.have.length(1);
    expect(h.events('client-gone')[0]).to.include({ level: 30, uri: '/x', msg: 'connection closed before the response was complete' });
  });

  describe('graceful stop', () => {
    it('a connection that sent nothing gets the grace for a head on its way, then is closed', async () => {
      h = await serverHarness('http', (_req: IncomingMessage, res: ServerResponse) => res.end('ok'));
      const late = await connect(h.path);
      const silent = await connect(h.path);
      await waitUntil('both accepted', () => h!.ctx.connections.size === 2, 2000);
      const drained = h.drain();
      // Within the grace a head still gets its answer (the server is closed, the connection not).
      late.socket.write(GET);
      await waitUntil('the answer within the grace', () => splitResponses(late.received()).responses.length === 1, 2000);
      await silent.closed;
      await drained;
      expect(splitResponses(late.received()).responses[0]!.body.toString()).to.equal('ok');
    });

    it('a response not yet started when the stop begins says Connection: close, and the drain waits for it', async () => {
      let answer: (() => void) | undefined;
      h = await serverHarness('http', (_req: IncomingMessage, res: ServerResponse) => {
        answer = () => res.end('finished');
      });
      const client = await connect(h.path);
      client.socket.write(GET);
      await waitUntil('the request reached the app', () => answer !== undefined, 2000);
      const drained = h.drain();
      await sleep(1200);
      expect(client.isClosed()).to.equal(false);
      answer!();
      await client.closed;
      await drained;
      const [reply] = splitResponses(client.received(), true).responses;
      expect(reply!.headers).to.include({ connection: 'close' });
      expect(reply!.body.toString()).to.equal('finished');
    });

    it('an upload still arriving is cut http-timeout after the stop began: 408 and one timeout line', async () => {
      let reached = false;
      h = await serverHarness('http', (req: IncomingMessage) => {
        reached = true;
        req.resume();
      }, { requestTimeoutMs: 800, socketTimeoutMs: 30_000 });
      const client = await connect(h.path);
      client.socket.write('POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n0123456789');
      await waitUntil('the request reached the app', () => reached, 2000);
      await h.drain();
      await client.closed;
      expect(client.received().toString()).to.match(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      const lines = h.events('timeout');
      expect(lines).to.have.length(1);
      expect(lines[0]).to.include({ state: 'body', uri: '/up', limitMs: 800 });
      expect(lines[0]!.msg).to.match(/at a graceful stop/);
    });
  });
});
