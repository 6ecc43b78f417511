/**
 * The uwsgi connection's state machine, driven byte by byte over a real unix socket in this
 * process (harness.ts), transition by transition (uwsgi-state.ts): accepted and closed before a
 * byte, the head (whole, split, a ping), the body (split, cut, overlong, answered before it
 * arrived), the response (complete exchange, backpressure, the peer leaving or failing), and the
 * graceful stop. Refusals are in uwsgi-early-answers.test.ts, timeouts in uwsgi-timeouts.test.ts.
 */
import { expect } from 'chai';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodePing } from '../../../src/protocol';
import { uwsgiHarness, connect, writeSlowly, bytesOf, uwsgiGet, uwsgiPost, type Harness } from './harness';
import { sleep, waitUntil } from '../../support/wait';

const nodeMajor = Number(process.versions.node.split('.')[0]);

const hello = (_req: IncomingMessage, res: ServerResponse): void => {
  res.end('hello');
};

/** Records the events of req and res, as test/fixtures/apps/events.js does. */
function recorder(seen: string[]): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    for (const e of ['aborted', 'end', 'error', 'close']) req.on(e, (err?: Error & { code?: string }) => seen.push(`req:${e}${err?.code ? `(${err.code})` : ''}`));
    for (const e of ['finish', 'close', 'error']) res.on(e, () => seen.push(`res:${e}`));
  };
}

/** An app that starts reading its body after `delayMs` and throws at the first bytes (stream.destroyer destroys the request), then answers 500. */
function throwsWhileReading(delayMs: number): { listener: (req: IncomingMessage, res: ServerResponse) => void; threw: () => boolean } {
  let threw = false;
  const read = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      for await (const chunk of req) if ((chunk as Buffer).length > 0) throw new Error('thrown while reading');
    } catch {
      threw = true;
      res.statusCode = 500;
      res.end('failed');
    }
  };
  return {
    listener: (req, res) => {
      if (delayMs === 0) void read(req, res);
      else setTimeout(() => void read(req, res), delayMs);
    },
    threw: () => threw,
  };
}

/** The app's 500 arrived and the server closed the connection (it read the rest of the body), within 10 s. */
async function expectAnswered500AndClosed(h: Harness, client: Awaited<ReturnType<typeof connect>>): Promise<void> {
  await Promise.race([client.closed, sleep(10_000).then(() => expect.fail('the connection was not closed: the rest of the body was not read'))]);
  expect(client.received().toString()).to.match(/^HTTP\/1\.1 500 [\s\S]*failed$/);
  await waitUntil('the connection untracked', () => h.ctx.connections.size === 0, 5000);
}

describe('server/uwsgi-connection', function () {
  this.timeout(20_000);
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  describe('accept', () => {
    it('a peer that connects and leaves without a byte: closed, not logged, the app never called', async () => {
      let called = 0;
      h = await uwsgiHarness(() => called++);
      const client = await connect(h.path);
      await waitUntil('the connection accepted', () => h!.ctx.connections.size === 1, 2000);
      client.socket.end();
      await client.closed;
      await waitUntil('the server side closed', () => h!.ctx.connections.size === 0, 2000);
      expect(called).to.equal(0);
      expect(h.lines).to.deep.equal([]);
    });
  });

  describe('head', () => {
    it('a head sent one byte per read is assembled in linear time: bytes copied stay within 3x its size', async () => {
      h = await uwsgiHarness(hello);
      const packet = uwsgiGet('/', { HTTP_X_BIG: 'x'.repeat(16 * 1024) });
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

    it('a ping is answered with a pong, the app never called, nothing logged', async () => {
      let called = 0;
      h = await uwsgiHarness(() => called++);
      const client = await connect(h.path);
      // Split, so that the framer (not the parse in place) frames it.
      await writeSlowly(client.socket, bytesOf(encodePing()));
      await client.closed;
      expect([...client.received()]).to.deep.equal([100, 0, 0, 1]);
      expect(called).to.equal(0);
      expect(h.lines).to.deep.equal([]);
    });

    it('the request head gives the app its method, URL, version and headers', async () => {
      let seen: Pick<IncomingMessage, 'method' | 'url' | 'httpVersion' | 'headers'> | undefined;
      h = await uwsgiHarness((req, res) => {
        seen = { method: req.method, url: req.url, httpVersion: req.httpVersion, headers: req.headers };
        res.end();
      });
      const client = await connect(h.path);
      client.socket.write(uwsgiGet('/a?b=1', { SERVER_PROTOCOL: 'HTTP/1.0', HTTP_X_ONE: '1', CONTENT_TYPE: 'text/plain' }));
      await client.closed;
      expect(seen).to.deep.equal({ method: 'GET', url: '/a?b=1', httpVersion: '1.0', headers: { 'x-one': '1', 'content-type': 'text/plain' } });
    });
  });

  describe('body', () => {
    it('a body arriving one byte per read reaches the app whole, then its end', async () => {
      let got = '';
      h = await uwsgiHarness((req, res) => {
        req.setEncoding('latin1');
        req.on('data', (c: string) => (got += c));
        req.on('end', () => res.end(`got ${got.length}`));
      });
      const client = await connect(h.path);
      const body = 'abcdefghij'.repeat(20);
      const packet = uwsgiPost(body);
      await writeSlowly(client.socket, [packet.subarray(0, packet.length - body.length), ...bytesOf(Buffer.from(body))]);
      await client.closed;
      expect(got).to.equal(body);
      expect(client.received().toString()).to.match(/got 200$/);
    });

    it('a light socket carries its connection and its response without listeners: the app sees none on it', async () => {
      let counts: number[] = [];
      h = await uwsgiHarness((req, res) => {
        counts = ['error', 'close', 'drain'].map((e) => req.socket.listenerCount(e));
        res.end('ok');
      });
      const client = await connect(h.path);
      client.socket.write(uwsgiGet('/'));
      await client.closed;
      // Not even ServerResponse's 'close' (assignSocket's): the connection, told first by the
      // socket, closes the response itself when the peer leaves before it is done.
      expect(counts).to.deep.equal([0, 0, 0]);
      await waitUntil('the connection untracked on close', () => h!.ctx.connections.size === 0, 2000);
    });

    it('a body read with its head at the accept keeps its bytes while later connections are read', async () => {
      let first: { req: IncomingMessage; res: ServerResponse } | undefined;
      h = await uwsgiHarness((req, res) => {
        if (req.method === 'POST') first = { req, res }; // read later, after another connection
        else res.end('get');
      });
      // Accepting paused while each client writes: the accept then finds head and body already
      // there, in the one read that the next connection's read reuses.
      const acceptWhenSent = async (packet: Buffer): Promise<Awaited<ReturnType<typeof connect>>> => {
        const release = h!.gate.hold();
        const client = await connect(h!.path);
        client.socket.write(packet);
        await sleep(50);
        release();
        return client;
      };
      const a = await acceptWhenSent(uwsgiPost('A'.repeat(100)));
      const got = await waitUntil('the POST at the app', () => first, 5000);
      const b = await acceptWhenSent(uwsgiGet(`/${'B'.repeat(300)}`));
      await b.closed;
      let body = '';
      got.req.setEncoding('latin1');
      got.req.on('data', (c: string) => (body += c));
      got.req.on('end', () => got.res.end('ok'));
      await a.closed;
      expect(body).to.equal('A'.repeat(100));
    });

    it('an app that destroys its request mid-body (a `for await` that throws): its 500 goes out, the rest of the body is read and dropped, the connection closes', async () => {
      const app = throwsWhileReading(0);
      h = await uwsgiHarness(app.listener);
      const body = Buffer.alloc(2 * 1024 * 1024, 1);
      const packet = uwsgiPost(body);
      const head = packet.subarray(0, packet.length - body.length);
      const client = await connect(h.path);
      client.socket.write(Buffer.concat([head, body.subarray(0, 10)]));
      await waitUntil('the app threw on the first bytes', () => app.threw(), 5000);
      // More than the socket buffers hold: only a server that reads on lets this write finish.
      client.socket.write(body.subarray(10));
      await expectAnswered500AndClosed(h, client);
    });

    it('the same when the body had filled the request (socket paused by backpressure) before the app destroyed it', async () => {
      // Not read for a while: the body piles up in the request and the socket is paused.
      const app = throwsWhileReading(200);
      h = await uwsgiHarness(app.listener);
      const client = await connect(h.path);
      client.socket.write(uwsgiPost(Buffer.alloc(2 * 1024 * 1024, 1)));
      await waitUntil('the app threw', () => app.threw(), 5000);
      await expectAnswered500AndClosed(h, client);
    });

    it('bytes after the announced body are not the app\'s', async () => {
      let got = '';
      h = await uwsgiHarness((req, res) => {
        req.on('data', (c: Buffer) => (got += c.toString()));
        req.on('end', () => res.end('ok'));
      });
      const client = await connect(h.path);
      client.socket.write(Buffer.concat([uwsgiPost('hello'), Buffer.from('EXTRA')]));
      await client.closed;
      expect(got).to.equal('hello');
    });

    it('the peer leaving mid-body: one client-gone line with the bytes missing; the app sees its request aborted', async () => {
      const seen: string[] = [];
      h = await uwsgiHarness(recorder(seen));
      const client = await connect(h.path);
      client.socket.end(uwsgiPost('01234', '/up', 10));
      await client.closed;
      await waitUntil('the request closed', () => seen.includes('req:close'), 2000);
      expect(seen).to.deep.equal(['req:aborted', 'res:close', 'req:error(ECONNRESET)', 'req:close']);
      const gone = h.events('client-gone');
      expect(gone).to.have.length(1);
      expect(gone[0]).to.include({ level: 30, uri: '/up', missing: 5, msg: 'connection closed before the request body was complete' });
    });

    it('an app answering before its body arrived: the rest is read and dropped, the request still ends, then the close', async () => {
      const seen: string[] = [];
      h = await uwsgiHarness((req, res) => {
        recorder(seen)(req, res);
        res.end('early');
      });
      const client = await connect(h.path, { allowHalfOpen: true });
      client.socket.write(uwsgiPost('01234', '/', 10));
      await waitUntil('the answer and our FIN', () => /early$/.test(client.received().toString()) && seen.includes('res:close'), 3000);
      expect(client.isClosed()).to.equal(false);
      client.socket.end('56789');
      await client.closed;
      await waitUntil('the request closed', () => seen.includes('req:close'), 2000);
      expect(seen).to.deep.equal(['res:finish', 'res:close', 'req:end', 'req:close']);
      expect(h.events('client-gone')).to.deep.equal([]);
    });
  });

  describe('response', () => {
    // As Node's own server (test/e2e/socket-kinds/common.case.ts reads it): 24+ end a complete,
    // unread request before the response's close, 20 and 22 after it.
    const completeExchange = nodeMajor >= 24 ? ['res:finish', 'req:end', 'res:close', 'req:close'] : ['res:finish', 'res:close', 'req:end', 'req:close'];

    it(`a complete exchange: ${completeExchange.join(', ')} (as Node ${nodeMajor}'s own server), then the socket closes`, async () => {
      const seen: string[] = [];
      h = await uwsgiHarness((req, res) => {
        recorder(seen)(req, res);
        res.end('done');
      });
      const client = await connect(h.path);
      client.socket.write(uwsgiGet());
      await client.closed;
      await waitUntil('the request closed', () => seen.includes('req:close'), 2000);
      expect(seen).to.deep.equal(completeExchange);
      expect(client.received().toString()).to.match(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\nContent-Length: 4\r\n\r\ndone$/);
      expect(h.lines).to.deep.equal([]);
    });

    it('after a complete exchange the socket\'s close comes in the tick of the response\'s close, not one of its own', async () => {
      const seen: string[] = [];
      h = await uwsgiHarness((req, res) => {
        res.on('close', () => process.nextTick(() => seen.push('tick queued at res:close')));
        req.socket.on('close', () => seen.push('socket:close'));
        res.end('done');
      });
      const client = await connect(h.path);
      client.socket.write(uwsgiGet());
      await client.closed;
      await waitUntil('both seen', () => seen.length === 2, 2000);
      expect(seen).to.deep.equal(['socket:close', 'tick queued at res:close']);
      await waitUntil('the connection untracked on close', () => h!.ctx.connections.size === 0, 2000);
    });

    it('a response written with backpressure gets its drain events and arrives whole', async () => {
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      h = await uwsgiHarness((_req, res) => {
        let left = 128;
        const more = (): void => {
          while (left > 0) {
            left--;
            if (!res.write(chunk)) {
              res.once('drain', more);
              return;
            }
          }
          res.end();
        };
        more();
      });
      const client = await connect(h.path);
      client.socket.write(uwsgiGet());
      await client.closed;
      const body = client.received().toString('latin1').split('\r\n\r\n')[1]!;
      expect(body.length).to.equal(128 * chunk.length);
    });

    it('the peer leaving before the response: one client-gone line; req aborted, res close, req close', async () => {
      const seen: string[] = [];
      let reached = false;
      h = await uwsgiHarness((req, res) => {
        recorder(seen)(req, res);
        reached = true;
      });
      const client = await connect(h.path);
      client.socket.write(uwsgiGet('/wait'));
      await waitUntil('the request reached the app', () => reached, 2000);
      client.socket.destroy();
      await waitUntil('the request closed', () => seen.includes('req:close'), 2000);
      expect(seen).to.deep.equal(['req:aborted', 'res:close', 'req:error(ECONNRESET)', 'req:close']);
      const gone = h.events('client-gone');
      expect(gone).to.have.length(1);
      expect(gone[0]).to.include({ uri: '/wait', msg: 'connection closed before the response was complete' });
    });

    it('the peer leaving while the response is written: one client-gone line, whichever of error and close tells', async () => {
      const seen: string[] = [];
      const chunk = Buffer.alloc(256 * 1024, 0x62);
      h = await uwsgiHarness((req, res) => {
        recorder(seen)(req, res);
        const pump = setInterval(() => res.write(chunk), 5);
        res.on('close', () => clearInterval(pump));
      });
      const client = await connect(h.path);
      client.socket.write(uwsgiGet('/big'));
      await waitUntil('the first bytes', () => client.received().length > 0, 3000);
      client.socket.destroy();
      await waitUntil('the request closed', () => seen.includes('req:close'), 3000);
      await sleep(50);
      expect(seen).to.deep.equal(['req:aborted', 'res:close', 'req:error(ECONNRESET)', 'req:close']);
      const gone = h.events('client-gone');
      expect(gone).to.have.length(1);
      expect(gone[0]!.uri).to.equal('/big');
      expect(gone[0]!.msg).to.be.oneOf(['connection closed by the peer', 'connection closed before the response was complete']);
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
      busy.socket.write(uwsgiGet());
      await waitUntil('the request reached the app', () => answer !== undefined, 2000);
      await waitUntil('both connections accepted', () => h!.ctx.connections.size === 2, 2000);
      const drained = h.drain();
      await silent.closed;
      expect(busy.isClosed()).to.equal(false);
      answer!();
      await busy.closed;
      expect(busy.received().toString()).to.match(/finished$/);
      await drained;
      expect(h.ctx.connections.size).to.equal(0);
    });

    it('a connection accepted just before the stop whose packet comes right after is served, not closed (nginx connected: its packet is on its way)', async () => {
      h = await uwsgiHarness(hello);
      const client = await connect(h.path);
      await waitUntil('the connection accepted', () => h!.ctx.connections.size === 1, 2000);
      const drained = h.drain();
      await sleep(100);
      expect(client.isClosed(), 'closed before its packet could arrive: nginx would answer 502').to.equal(false);
      client.socket.write(uwsgiGet('/just-after'));
      await client.closed;
      expect(client.received().toString()).to.match(/hello$/);
      await drained;
    });

    it('waits for a head that has begun to arrive: it is a request in flight', async () => {
      h = await uwsgiHarness(hello);
      const client = await connect(h.path);
      const packet = uwsgiGet('/late');
      client.socket.write(packet.subarray(0, 10));
      await waitUntil('the first bytes read', () => h!.ctx.connections.size === 1, 2000);
      await sleep(50);
      const drained = h.drain();
      await sleep(100);
      expect(client.isClosed()).to.equal(false);
      client.socket.write(packet.subarray(10));
      await client.closed;
      expect(client.received().toString()).to.match(/hello$/);
      await drained;
    });
  });
});
