/**
 * The uwsgi connection's state machine, driven byte by byte over a real unix socket in this
 * process: head assembly cost, every wait on the peer bounded (socket-timeout, the head's and the
 * body's deadlines) while the app's own time never is, vars checked before the app runs, and
 * graceful stop not waiting on silent connections.
 */
import { expect } from 'chai';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodePacket, encodePing } from '../../../src/protocol';
import { closeSilentConnections } from '../../../src/server/uwsgi-connection';
import { uwsgiHarness, connect, writeSlowly, bytesOf, type Harness } from './harness';
import { waitUntil } from '../../support/wait';

const hello = (_req: IncomingMessage, res: ServerResponse): void => {
  res.end('hello');
};

function get(uri = '/', extra: Record<string, string> = {}): Buffer {
  return encodePacket({ REQUEST_METHOD: 'GET', REQUEST_URI: uri, SERVER_PROTOCOL: 'HTTP/1.1', ...extra });
}

function post(body: Buffer | string, uri = '/'): Buffer {
  const b = Buffer.from(body);
  return Buffer.concat([encodePacket({ REQUEST_METHOD: 'POST', REQUEST_URI: uri, CONTENT_LENGTH: String(b.length) }), b]);
}

describe('server/uwsgi-connection', function () {
  this.timeout(20_000);
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  describe('head assembly', () => {
    it('a head sent one byte per read is assembled in linear time: bytes copied stay within 3x its size', async () => {
      h = await uwsgiHarness(hello);
      const packet = get('/', { HTTP_X_BIG: 'x'.repeat(16 * 1024) });
      const client = await connect(h.path);
      let copied = 0;
      const concat = Buffer.concat;
      const copy = Buffer.prototype.copy;
      Buffer.concat = function (list: readonly Uint8Array[], total?: number) {
        const out = concat(list, total);
        copied += out.length;
        return out;
      } as typeof Buffer.concat;
      Buffer.prototype.copy = function (this: Buffer, ...args: Parameters<Buffer['copy']>) {
        const n = copy.apply(this, args);
        copied += n;
        return n;
      };
      try {
        await writeSlowly(client.socket, bytesOf(packet));
        await client.closed;
      } finally {
        Buffer.concat = concat;
        Buffer.prototype.copy = copy;
      }
      expect(client.received().toString()).to.match(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nhello$/);
      expect(copied).to.be.below(3 * packet.length);
    });
  });

  describe('timeouts: every wait on the peer is bounded', () => {
    it('a connection that sends nothing is closed after socket-timeout, with one info line', async () => {
      h = await uwsgiHarness(hello, { socketTimeoutMs: 300 });
      const client = await connect(h.path);
      await client.closed;
      expect(client.received().length).to.equal(0);
      expect(h.events('timeout')).to.have.length(1);
      expect(h.events('timeout')[0]).to.include({ level: 30, state: 'head', limitMs: 300 });
      await waitUntil('the server side closed too', () => h!.ctx.connections.size === 0, 2000);
    });

    it('a head trickling in (each gap shorter than the idle bound) is cut at its total deadline', async () => {
      h = await uwsgiHarness(hello, { socketTimeoutMs: 400 });
      const client = await connect(h.path);
      // 100 ms per byte: the idle timer never fires, but the head would take 20 s.
      void writeSlowly(client.socket, bytesOf(get('/', { HTTP_X: 'y'.repeat(150) })), 100);
      await client.closed;
      expect(client.received().length).to.equal(0);
      expect(h.events('timeout')[0]?.msg).to.match(/head did not arrive in time within 400 ms/);
    });

    it('a body that stalls is cut after socket-timeout; the app sees its request aborted and closed', async () => {
      const seen: string[] = [];
      h = await uwsgiHarness((req) => {
        req.on('aborted', () => seen.push('aborted'));
        req.on('close', () => seen.push('close'));
        req.resume();
      }, { socketTimeoutMs: 300 });
      const client = await connect(h.path);
      const packet = post('0123456789');
      client.socket.write(packet.subarray(0, packet.length - 5));
      await client.closed;
      await waitUntil('the request closed', () => seen.includes('close'), 2000);
      expect(seen).to.deep.equal(['aborted', 'close']);
      expect(h.events('timeout')[0]).to.include({ state: 'body' });
    });

    it('a body trickling in is cut at the whole request deadline (http-timeout)', async () => {
      h = await uwsgiHarness((req) => void req.resume(), { socketTimeoutMs: 300, requestTimeoutMs: 700 });
      const client = await connect(h.path);
      const body = 'b'.repeat(100);
      const packet = post(body);
      client.socket.write(packet.subarray(0, packet.length - body.length));
      void writeSlowly(client.socket, bytesOf(Buffer.from(body)), 100);
      await client.closed;
      expect(h.events('timeout')[0]?.msg).to.match(/body did not arrive in time within 700 ms/);
    });

    it('an app that reads its body slowly is not the peer\'s fault: no timeout', async () => {
      let got = 0;
      h = await uwsgiHarness((req, res) => {
        req.pause();
        // Reads nothing for three idle periods, then everything.
        setTimeout(() => {
          req.on('data', (c: Buffer) => (got += c.length));
          req.on('end', () => res.end(`read ${got}`));
          req.resume();
        }, 900);
      }, { socketTimeoutMs: 250 });
      const client = await connect(h.path);
      client.socket.write(post(Buffer.alloc(4 * 1024 * 1024, 1)));
      await client.closed;
      expect(client.received().toString()).to.match(/read 4194304$/);
      expect(h.events('timeout')).to.deep.equal([]);
    });

    it('an app that takes longer than socket-timeout to answer is not cut (harakiri\'s job)', async () => {
      h = await uwsgiHarness((_req, res) => void setTimeout(() => res.end('slow'), 800), { socketTimeoutMs: 200 });
      const client = await connect(h.path);
      client.socket.write(get());
      await client.closed;
      expect(client.received().toString()).to.match(/slow$/);
      expect(h.events('timeout')).to.deep.equal([]);
    });

    it('a peer that takes none of a large response is cut after socket-timeout', async () => {
      const closed: string[] = [];
      h = await uwsgiHarness((_req, res) => {
        res.on('close', () => closed.push('res:close'));
        res.end(Buffer.alloc(32 * 1024 * 1024, 7));
      }, { socketTimeoutMs: 300 });
      const client = await connect(h.path);
      client.socket.pause();
      client.socket.write(get());
      await waitUntil('the server gave up on the response', () => h!.events('timeout').length > 0, 5000);
      expect(h.events('timeout')[0]?.msg).to.match(/took none of the response/);
      await waitUntil('res close', () => closed.length > 0, 2000);
      client.socket.destroy();
    });

    it('after a ping, a peer that never closes is cut after socket-timeout', async () => {
      h = await uwsgiHarness(hello, { socketTimeoutMs: 300 });
      // Half-open: it reads the pong and our FIN, and never closes its side.
      const client = await connect(h.path, { allowHalfOpen: true });
      client.socket.write(encodePing());
      // A half-open client learns nothing more once it has our FIN: watch the server side.
      await waitUntil('the server gave up on the connection', () => h!.ctx.connections.size === 0, 3000);
      expect(h.events('timeout')).to.have.length(1);
      expect([...client.received()]).to.deep.equal([100, 0, 0, 1]);
      client.socket.destroy();
    });

    it('after a 431, a peer that goes on sending is cut at the request deadline', async () => {
      h = await uwsgiHarness(hello, { bufferSize: 100, socketTimeoutMs: 300, requestTimeoutMs: 800 });
      // Half-open, as nginx is: it goes on sending after our answer and our FIN.
      const client = await connect(h.path, { allowHalfOpen: true });
      client.socket.write(get('/', { HTTP_X: 'z'.repeat(200) }));
      const garbage = setInterval(() => client.socket.write('more'), 50);
      await waitUntil('the server gave up on the connection', () => h!.ctx.connections.size === 0, 3000);
      clearInterval(garbage);
      client.socket.destroy();
      expect(client.received().toString()).to.match(/^HTTP\/1\.1 431 /);
      expect(h.events('timeout')[0]?.msg).to.match(/within 800 ms/);
    });
  });

  describe('vars are checked before the app runs', () => {
    const cases: [string, Buffer][] = [
      ['no REQUEST_METHOD (an empty vars block)', encodePacket({})],
      ['no REQUEST_METHOD', encodePacket({ REQUEST_URI: '/' })],
      ['a method that is not a token', get('/', { REQUEST_METHOD: 'GE T' })],
      ['CR LF in a header value', get('/', { HTTP_X_EVIL: 'a\r\nSet-Cookie: x=1' })],
      ['NUL in a header value', get('/', { HTTP_X_EVIL: 'a\0b' })],
      ['a space in a header name', get('/', { 'HTTP_X EVIL': 'a' })],
      ['a colon in a header name', get('/', { 'HTTP_X:EVIL': 'a' })],
      ['an empty header name', get('/', { HTTP_: 'a' })],
      ['a newline in REQUEST_URI', get('/a\nb')],
      ['a space in REQUEST_URI', get('/a b')],
      ['CR LF in CONTENT_TYPE', get('/', { CONTENT_TYPE: 'text/plain\r\nX: y' })],
    ];
    for (const [name, packet] of cases) {
      it(`${name}: 400, one log line, the app never called`, async () => {
        let called = 0;
        h = await uwsgiHarness((_req, res) => {
          called++;
          res.end('app');
        });
        const client = await connect(h.path);
        client.socket.write(packet);
        await client.closed;
        expect(client.received().toString()).to.match(/^HTTP\/1\.1 400 Bad Request\r\n/);
        expect(called).to.equal(0);
        const lines = h.events('bad-request');
        expect(lines).to.have.length(1);
        expect(lines[0]!.code).to.be.oneOf(['E_PROTO_NO_METHOD', 'E_PROTO_BAD_VAR']);
      });
    }

    it('what nginx sends passes: empty CONTENT_LENGTH/CONTENT_TYPE, tabs and latin1 bytes in values', async () => {
      let headers: IncomingMessage['headers'] = {};
      h = await uwsgiHarness((req, res) => {
        headers = req.headers;
        res.end('ok');
      });
      const client = await connect(h.path);
      client.socket.write(get('/caf%C3%A9?q=1', { CONTENT_LENGTH: '', CONTENT_TYPE: '', HTTP_X_TAB: 'a\tb', HTTP_X_LATIN1: 'caf\xe9' }));
      await client.closed;
      expect(client.received().toString()).to.match(/ok$/);
      expect(headers).to.include({ 'x-tab': 'a\tb', 'x-latin1': 'caf\xe9' });
    });
  });

  describe('graceful stop', () => {
    it('closes connections that have sent nothing, and lets a request in progress finish', async () => {
      let answer: (() => void) | undefined;
      h = await uwsgiHarness((_req, res) => {
        answer = () => res.end('finished');
      });
      const silent = await connect(h.path);
      const busy = await connect(h.path);
      busy.socket.write(get());
      await waitUntil('the request reached the app', () => answer !== undefined, 2000);
      await waitUntil('both connections accepted', () => h!.ctx.connections.size === 2, 2000);
      closeSilentConnections(h.ctx.connections);
      await silent.closed;
      expect(busy.isClosed()).to.equal(false);
      answer!();
      await busy.closed;
      expect(busy.received().toString()).to.match(/finished$/);
    });
  });
});
