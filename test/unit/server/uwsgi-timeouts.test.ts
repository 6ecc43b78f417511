/**
 * Every wait of a uwsgi connection on its peer is bounded, the app's own time never: the rules
 * (pure functions of its state), then the timers on live connections (harness.ts), for every
 * state: a head (idle and its total deadline), a body (idle while read, never while the app
 * holds it paused, and its total deadline), a response the peer does not take, the peer's EOF
 * after a ping or an early answer, the bytes dropped after one.
 */
import { expect } from 'chai';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodePing } from '../../../src/protocol';
import { uwsgiHarness, connect, writeSlowly, bytesOf, uwsgiGet, uwsgiPost, type Harness } from './harness';
import { waitUntil } from '../../support/wait';
import { State, stateName } from '../../../src/server/uwsgi-state';
import { deadlineFault, idleFault, needsIdleTimer, readWasCut } from '../../../src/server/uwsgi-timeouts';

const SENT_NOTHING = 'the peer sent nothing';
const TOOK_NOTHING = 'the peer took none of the response';

describe('server/uwsgi-timeouts', () => {
  describe('needsIdleTimer: armed only where something may wait on the peer', () => {
    it('while the request is arriving or being discarded', () => {
      for (const s of [State.Head, State.Body, State.Discard]) expect(needsIdleTimer(s, true, 0), stateName(s)).to.equal(true);
    });
    it('once it is read: while the response is not ended, or not taken whole', () => {
      expect(needsIdleTimer(State.Done, false, 0)).to.equal(true);
      expect(needsIdleTimer(State.Done, true, 10)).to.equal(true);
    });
    it('not for a response ended and handed to the kernel whole (the usual hello-world)', () => {
      expect(needsIdleTimer(State.Done, true, 0)).to.equal(false);
    });
  });

  describe('idleFault: who is being waited for when the idle timer fires', () => {
    it('a head or what follows an early answer: the peer', () => {
      expect(idleFault(State.Head, false, false, 0)).to.equal(SENT_NOTHING);
      expect(idleFault(State.Discard, false, true, 0)).to.equal(SENT_NOTHING);
    });
    it('a body while we read it: the peer; while the app holds the socket paused: the app', () => {
      expect(idleFault(State.Body, false, false, 0)).to.equal(SENT_NOTHING);
      expect(idleFault(State.Body, true, false, 0)).to.equal(undefined);
    });
    it('after a ping or an early answer, only the peer\'s EOF', () => {
      expect(idleFault(State.Done, false, true, 0)).to.equal(SENT_NOTHING);
    });
    it('response bytes the kernel holds: the peer does not read', () => {
      expect(idleFault(State.Done, false, false, 4096)).to.equal(TOOK_NOTHING);
      expect(idleFault(State.Body, true, false, 4096)).to.equal(TOOK_NOTHING);
    });
    it('the app still working on a request read whole: nobody\'s fault, look again later', () => {
      expect(idleFault(State.Done, false, false, 0)).to.equal(undefined);
    });
  });

  it('deadlineFault names what did not arrive in time', () => {
    expect(deadlineFault(State.Head)).to.equal('the request head did not arrive in time');
    expect(deadlineFault(State.Body)).to.equal('the request body did not arrive in time');
    expect(deadlineFault(State.Discard)).to.equal('the request body did not arrive in time');
  });

  it('a timeout is a read error only while the request was arriving', () => {
    expect([State.Head, State.Body, State.Discard, State.Done].map(readWasCut)).to.deep.equal([true, true, false, false]);
  });

  it('log lines name the states in lower case', () => {
    expect([State.Head, State.Body, State.Discard, State.Done].map(stateName)).to.deep.equal(['head', 'body', 'discard', 'done']);
  });

  describe('on a live connection', function () {
    this.timeout(20_000);
    let h: Harness | undefined;
    afterEach(async () => {
      await h?.close();
      h = undefined;
    });
    const hello = (_req: IncomingMessage, res: ServerResponse): void => {
      res.end('hello');
    };

    describe('every wait on the peer is bounded', () => {
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
        void writeSlowly(client.socket, bytesOf(uwsgiGet('/', { HTTP_X: 'y'.repeat(150) })), 100);
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
        const packet = uwsgiPost('0123456789');
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
        const packet = uwsgiPost(body);
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
        client.socket.write(uwsgiPost(Buffer.alloc(4 * 1024 * 1024, 1)));
        await client.closed;
        expect(client.received().toString()).to.match(/read 4194304$/);
        expect(h.events('timeout')).to.deep.equal([]);
      });

      it('an app that takes longer than socket-timeout to answer is not cut (harakiri\'s job)', async () => {
        h = await uwsgiHarness((_req, res) => void setTimeout(() => res.end('slow'), 800), { socketTimeoutMs: 200 });
        const client = await connect(h.path);
        client.socket.write(uwsgiGet());
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
        client.socket.write(uwsgiGet());
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
        client.socket.write(uwsgiGet('/', { HTTP_X: 'z'.repeat(200) }));
        const garbage = setInterval(() => client.socket.write('more'), 50);
        await waitUntil('the server gave up on the connection', () => h!.ctx.connections.size === 0, 3000);
        clearInterval(garbage);
        client.socket.destroy();
        expect(client.received().toString()).to.match(/^HTTP\/1\.1 431 /);
        expect(h.events('timeout')[0]?.msg).to.match(/within 800 ms/);
      });
    });

      it('after an early answer, a peer that stops sending the announced body but stays is cut after socket-timeout (state discard)', async () => {
        h = await uwsgiHarness(hello, { limitPost: 5, socketTimeoutMs: 300 });
        const client = await connect(h.path, { allowHalfOpen: true });
        client.socket.write(uwsgiPost('0123456789').subarray(0, -5));
        await waitUntil('the server gave up on the connection', () => h!.ctx.connections.size === 0, 3000);
        client.socket.destroy();
        expect(client.received().toString()).to.match(/^HTTP\/1\.1 413 /);
        expect(h.events('timeout')).to.have.length(1);
        expect(h.events('timeout')[0]).to.include({ state: 'discard', limitMs: 300 });
        expect(h.events('timeout')[0]!.msg).to.match(/the peer sent nothing within 300 ms/);
      });

      it('after an early answer and the whole announced body, only the peer\'s EOF is awaited (state done)', async () => {
        h = await uwsgiHarness(hello, { limitPost: 5, socketTimeoutMs: 300 });
        const client = await connect(h.path, { allowHalfOpen: true });
        const packet = uwsgiPost('0123456789');
        client.socket.write(packet.subarray(0, -10));
        await waitUntil('the answer', () => client.received().length > 0, 3000);
        // Discard → Done: the announced body arrives after the answer, and is dropped.
        client.socket.write(packet.subarray(-10));
        await waitUntil('the server gave up on the connection', () => h!.ctx.connections.size === 0, 3000);
        client.socket.destroy();
        expect(client.received().toString()).to.match(/^HTTP\/1\.1 413 /);
        expect(h.events('timeout')).to.have.length(1);
        expect(h.events('timeout')[0]).to.include({ state: 'done', limitMs: 300 });
      });
  });
});
