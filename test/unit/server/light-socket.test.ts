/**
 * LightSocket on real accepted handles (takeAcceptedHandles), over TCP and a unix socket: the
 * response goes out in one write and close, a write the kernel does not take whole continues
 * through a promoted net.Socket byte-exact, reads arrive byte-exact without a net.Socket (with
 * pause/resume, the EOF, a reset), and the fields Node's http and the app read behave as a
 * net.Socket's.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { LightSocket, lightSocketsCanRead } from '../../../src/server/light-socket';
import { takeAcceptedHandles } from '../../../src/shared/node-internals';
import { socketFd } from '../../../src/shared/node-internals';
import { tempDir } from '../../support/tmp';
import { waitUntil } from '../../support/wait';

interface Pair {
  readonly server: net.Server;
  readonly light: LightSocket;
  readonly client: net.Socket;
  received: Buffer[];
  clientEnded: boolean;
}

async function lightPair(kind: 'tcp' | 'unix'): Promise<Pair> {
  let light: LightSocket | undefined;
  const server = net.createServer({ pauseOnConnect: true }, () => {
    throw new Error('net.Server made a socket: the handle was not taken');
  });
  const where = kind === 'unix' ? path.join(tempDir(), 's.sock') : 0;
  await new Promise<void>((resolve) => server.listen(where, resolve));
  expect(takeAcceptedHandles(server, (h) => (light = new LightSocket(h)))).to.equal(true);
  const address = server.address();
  const client = typeof address === 'string' ? net.connect(address) : net.connect((address as net.AddressInfo).port, '127.0.0.1');
  await new Promise<void>((resolve) => client.once('connect', resolve));
  const got = await waitUntil('the connection to be accepted', () => light, 5000, 5);
  const pair: Pair = { server, light: got, client, received: [], clientEnded: false };
  client.pause();
  client.on('data', (c: Buffer) => pair.received.push(c));
  client.on('end', () => (pair.clientEnded = true));
  return pair;
}

async function closePair(p: Pair): Promise<void> {
  p.client.destroy();
  p.light.destroy();
  await new Promise((resolve) => p.server.close(resolve));
}

const closed = (s: LightSocket): Promise<boolean> => new Promise((resolve) => s.once('close', resolve));

for (const kind of ['tcp', 'unix'] as const) {
  describe(`server/light-socket over ${kind}`, function () {
    // Bounds for a loaded machine (the suite runs two files at once on two cores).
    this.timeout(60_000);
    let pair: Pair | undefined;
    afterEach(async () => {
      if (pair !== undefined) await closePair(pair);
      pair = undefined;
    });

    it('corked writes go out as one, callbacks on a later tick, then destroy closes the handle', async () => {
      pair = await lightPair(kind);
      const { light, client } = pair;
      const calls: Array<Error | null | undefined> = [];
      light.cork();
      light.write('HTTP/1.1 200 OK\r\n\r\n', 'latin1', (e) => calls.push(e));
      light.write(Buffer.from('body'), (e) => calls.push(e));
      expect(light.writableLength).to.be.greaterThan(0);
      expect(light.writableCorked).to.equal(1);
      light.uncork();
      expect(light.writableLength).to.equal(0);
      expect(calls).to.deep.equal([]);
      await new Promise((r) => process.nextTick(r));
      expect(calls).to.deep.equal([null, null]);
      expect(light.bytesWritten).to.equal(23);
      const done = closed(light);
      light.destroy();
      expect(light.destroyed).to.equal(true);
      expect(light._handle).to.equal(null);
      await done;
      client.resume();
      await waitUntil('the client sees the end', () => pair?.clientEnded, 5000, 5);
      expect(Buffer.concat(pair.received).toString()).to.equal('HTTP/1.1 200 OK\r\n\r\nbody');
    });

    it('destroy closes the fd at once and emits close on the same tick queue, with no callback from the handle', async () => {
      pair = await lightPair(kind);
      const { light } = pair;
      const handle = light._handle as unknown as { fd: number; close: (...a: unknown[]) => void };
      const fd = handle.fd;
      // /proc's link names the socket, not a stat of it: a stat of a socket left in Node's shared
      // stat array made a later realpath in this process stop early (app/typescript's test).
      const fdLink = (): string => {
        try {
          return fs.readlinkSync(`/proc/self/fd/${fd}`);
        } catch (err) {
          return (err as NodeJS.ErrnoException).code ?? 'error';
        }
      };
      const socketLink = fdLink();
      expect(socketLink).to.match(/^socket:\[\d+\]$/);
      const closeArgs: unknown[][] = [];
      const close = handle.close.bind(handle);
      handle.close = (...a: unknown[]) => (closeArgs.push(a), close(...a));
      const events: string[] = [];
      light.on('close', (hadError: boolean) => events.push(`close ${hadError}`));
      setImmediate(() => events.push('immediate'));
      light.destroy();
      // The fd is gone in uv_close itself (no link, or a newer file's, never the socket's).
      expect(fdLink()).to.not.equal(socketLink);
      // A close callback would be one more call from C++ into JS per connection, in the loop's
      // close phase (after setImmediate); 'close' is emitted from the tick queue instead.
      expect(closeArgs).to.deep.equal([[]]);
      await waitUntil('close and the immediate', () => events.length === 2, 5000, 5);
      expect(events).to.deep.equal(['close false', 'immediate']);
    });

    it('a string written whole goes out without a Buffer made for it; a partial write still finishes byte-exact', async () => {
      pair = await lightPair(kind);
      const { light } = pair;
      const made: number[] = [];
      const from = Buffer.from;
      Buffer.from = ((...a: Parameters<typeof Buffer.from>) => (made.push(1), (from as (...x: unknown[]) => Buffer)(...a))) as typeof Buffer.from;
      const calls: Array<Error | null | undefined> = [];
      try {
        light.cork();
        light.write('HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nhéllo', 'utf8', (e) => calls.push(e));
        light.uncork();
      } finally {
        Buffer.from = from;
      }
      expect(made).to.deep.equal([]);
      expect(light.bytesWritten).to.equal(Buffer.byteLength('HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nhéllo'));
      await waitUntil('the write callback', () => calls.length === 1, 5000, 5);
      expect(calls).to.deep.equal([null]);
      // More than the kernel takes at once, as a string: the rest goes through the promoted stream.
      const big = 'x'.repeat(4 << 20) + 'é';
      let done: Error | null | undefined;
      light.write(big, 'utf8', (e) => (done = e ?? null));
      expect(light.promoted).to.equal(true);
      pair.client.resume();
      const total = Buffer.byteLength('HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nhéllo') + Buffer.byteLength(big);
      await waitUntil('every byte', () => pair!.received.reduce((n, b) => n + b.length, 0) === total, 20_000, 5);
      expect(Buffer.concat(pair.received).toString('utf8')).to.equal('HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nhéllo' + big);
      await waitUntil('the big write callback', () => done !== undefined, 5000, 5);
      expect(done).to.equal(null);
    });

    it('an empty write (ServerResponse.end()’s) makes no syscall; its callback comes after what is before it', async () => {
      pair = await lightPair(kind);
      const { light } = pair;
      const syscalls: string[] = [];
      const { writeSync, writevSync } = fs;
      fs.writeSync = ((...a: Parameters<typeof fs.writeSync>) => (syscalls.push('write'), writeSync(...a))) as typeof fs.writeSync;
      fs.writevSync = ((...a: Parameters<typeof fs.writevSync>) => (syscalls.push('writev'), writevSync(...a))) as typeof fs.writevSync;
      const calls: string[] = [];
      try {
        light.write('', () => calls.push('alone'));
        light.cork();
        light.write('head+body', () => calls.push('bytes'));
        light.write('', 'latin1', () => calls.push('after'));
        light.uncork();
        light.cork();
        light.write('', () => calls.push('promoted'));
        light.promote();
        light.uncork();
      } finally {
        fs.writeSync = writeSync;
        fs.writevSync = writevSync;
      }
      expect(syscalls).to.deep.equal(['write']);
      await waitUntil('every callback', () => calls.length === 4, 5000, 5);
      expect(calls).to.deep.equal(['alone', 'bytes', 'after', 'promoted']);
      pair.client.resume();
      await waitUntil('the bytes', () => Buffer.concat(pair!.received).toString() === 'head+body', 5000, 5);
    });

    it('destroyed with corked writes pending (an app that writes, then destroys its socket): no throw, the callbacks hear it', async () => {
      pair = await lightPair(kind);
      const { light } = pair;
      let err: (Error & { code?: string }) | null | undefined;
      light.cork();
      light.write('part', 'latin1', (e) => (err = e));
      light.destroy();
      expect(light.writableLength).to.equal(0);
      light.uncork();
      await waitUntil('the pending write’s callback', () => err, 25_000, 5);
      expect(err?.code).to.equal('ERR_STREAM_DESTROYED');
    });

    it('ServerResponse.end()’s way of uncorking (`_writableState.corked = 1`) flushes', async () => {
      pair = await lightPair(kind);
      const { light } = pair;
      light.cork();
      light.cork();
      light.write('abc');
      light._writableState.corked = 1;
      light.uncork();
      expect(light.writableLength).to.equal(0);
      expect(light.bytesWritten).to.equal(3);
    });

    it('a write larger than the kernel takes continues through a promoted net.Socket, byte-exact and in order', async () => {
      pair = await lightPair(kind);
      const { light } = pair;
      const big = Buffer.alloc(8 * 1024 * 1024);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7 + 3) & 0xff;
      let doneCalls = 0;
      light.write(big.subarray(0, 4 * 1024 * 1024), () => doneCalls++);
      // Promoted now: the stream has the rest, and later writes queue behind it.
      expect(light.writableLength).to.be.greaterThan(0);
      light.write(big.subarray(4 * 1024 * 1024), () => doneCalls++);
      pair.client.resume();
      await waitUntil('both writes to complete', () => doneCalls === 2, 25_000, 5);
      light.destroySoon();
      await waitUntil('the client to see the end', () => pair?.clientEnded, 25_000, 5);
      expect(Buffer.concat(pair.received).equals(big)).to.equal(true);
      expect(light.bytesWritten).to.equal(big.length);
    });

    it('watching (resume) sees the peer leave: end, then close; writes after it fail by callback', async () => {
      pair = await lightPair(kind);
      const { light } = pair;
      const events: string[] = [];
      light.on('end', () => events.push('end'));
      light.on('close', () => events.push('close'));
      light.resume();
      expect(light.isPaused()).to.equal(false);
      pair.client.end();
      await waitUntil('close after the peer left', () => events.includes('close'), 5000, 5);
      expect(events).to.deep.equal(['end', 'close']);
      expect(light.writable).to.equal(false);
      let err: (Error & { code?: string }) | null | undefined;
      expect(light.write('late', (e) => (err = e))).to.equal(false);
      await waitUntil('the late write’s callback', () => err, 5000, 5);
      expect(err?.code).to.equal('ERR_STREAM_DESTROYED');
      // end() too, as on a destroyed net.Socket: no throw, the callback hears it.
      let endErr: (Error & { code?: string }) | null | undefined;
      expect(light.end('late', () => (endErr = null))).to.equal(light);
      expect(light.end((e?: Error & { code?: string }) => (endErr = e))).to.equal(light);
      await waitUntil('the late end’s callback', () => endErr, 5000, 5);
      expect(endErr?.code).to.equal('ERR_STREAM_DESTROYED');
      expect(light.setEncoding('utf8')).to.equal(light);
      expect(light.resume()).to.equal(light);
      expect(light.promoted).to.equal(false);
    });

    if (kind === 'tcp') {
      it('a reset while reading: error ECONNRESET, then close, as a net.Socket', async () => {
        pair = await lightPair(kind);
        const { light } = pair;
        const events: string[] = [];
        light.on('data', () => undefined);
        light.on('end', () => events.push('end'));
        light.on('error', (e: Error & { code?: string; syscall?: string }) => events.push(`error ${e.code} ${e.syscall}`));
        light.on('close', (hadError: boolean) => events.push(`close ${hadError}`));
        light.resume();
        pair.client.resetAndDestroy();
        await waitUntil('close after the reset', () => events.some((e) => e.startsWith('close')), 5000, 5);
        expect(events).to.deep.equal(['error ECONNRESET read', 'close true']);
      });
    }

    it('a write to a peer that is gone: error (with the errno code), then close, as a net.Socket', async () => {
      pair = await lightPair(kind);
      const { light } = pair;
      const events: string[] = [];
      light.on('error', (e: Error & { code?: string }) => events.push(`error ${e.code}`));
      light.on('close', () => events.push('close'));
      pair.client.destroy();
      await new Promise((r) => setTimeout(r, 50));
      // TCP takes the first write and answers it with a reset: the next one fails.
      for (let i = 0; i < 5 && !light.destroyed; i++) {
        light.write('x');
        await new Promise((r) => setTimeout(r, 20));
      }
      await waitUntil('close after the failed write', () => events.includes('close'), 5000, 5);
      expect(events).to.have.length(2);
      expect(events[0]).to.match(/^error (EPIPE|ECONNRESET)$/);
      expect(events[1]).to.equal('close');
    });

    it('bytes after the request do not end it; pause stops watching', async () => {
      pair = await lightPair(kind);
      const { light } = pair;
      let ended = false;
      light.on('end', () => (ended = true));
      light.resume();
      pair.client.write('stray');
      await new Promise((r) => setTimeout(r, 50));
      expect(ended).to.equal(false);
      light.pause();
      expect(light.isPaused()).to.equal(true);
      pair.client.end();
      await new Promise((r) => setTimeout(r, 50));
      expect(ended).to.equal(false);
    });

    it('reads without a net.Socket: a patterned body byte-exact, paused and resumed, then the EOF', async () => {
      pair = await lightPair(kind);
      const { light } = pair;
      const chunks: Buffer[] = [];
      const events: string[] = [];
      light.on('data', (c: Buffer) => chunks.push(c));
      light.on('end', () => events.push('end'));
      light.on('close', () => events.push('close'));
      expect(lightSocketsCanRead).to.equal(true);
      light.resume();
      // A pattern, not one repeated byte: Node 24 hands a read's whole allocation to onread at
      // times, and a constant body would hide bytes that are not the read's.
      const big = Buffer.alloc(3 * 1024 * 1024 + 7);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7 + 3) & 0xff;
      pair.client.write(big.subarray(0, 1000));
      await waitUntil('the first bytes', () => chunks.length > 0, 25_000, 5);
      light.pause();
      expect(light.isPaused()).to.equal(true);
      pair.client.write(big.subarray(1000));
      await new Promise((r) => setTimeout(r, 50));
      const whilePaused = Buffer.concat(chunks).length;
      expect(whilePaused).to.be.lessThan(big.length);
      light.resume();
      pair.client.end();
      await waitUntil('close after the EOF', () => events.includes('close'), 25_000, 5);
      expect(Buffer.concat(chunks).equals(big)).to.equal(true);
      expect(light.bytesRead).to.equal(big.length);
      expect(events).to.deep.equal(['end', 'close']);
      expect(light.promoted).to.equal(false);
    });

    it('a read refreshes the idle timer, as a net.Socket’s', async () => {
      pair = await lightPair(kind);
      const { light } = pair;
      let timedOut = false;
      light.on('data', () => undefined);
      light.setTimeout(150, () => (timedOut = true));
      light.resume();
      for (let i = 0; i < 6; i++) {
        await new Promise((r) => setTimeout(r, 50));
        pair.client.write('.');
      }
      expect(timedOut).to.equal(false);
      await waitUntil('the timeout once reads stop', () => timedOut, 5000, 5);
    });

    it('what was written while corked goes out first when the socket is promoted before the uncork', async () => {
      // ServerResponse.write() corks until the next tick; a connection still expecting its
      // body promotes the socket within that tick (uwsgi: an app answering before its body).
      pair = await lightPair(kind);
      const { light } = pair;
      let called: Error | null | undefined;
      light.cork();
      light.write('HTTP/1.1 200 OK\r\n\r\npart', 'latin1', (e) => (called = e));
      light.promote();
      light.uncork();
      light.write('-rest');
      pair.client.resume();
      await waitUntil('the bytes written before and after the promotion', () => Buffer.concat(pair!.received).toString() === 'HTTP/1.1 200 OK\r\n\r\npart-rest', 25_000, 5);
      await waitUntil('the corked write’s callback', () => called === null, 25_000, 5);
      expect(light.bytesWritten).to.equal(28);
    });

    it('a socket promoted while watching reads on, with the same fd; later events come from it', async () => {
      pair = await lightPair(kind);
      const { light } = pair;
      const fd = socketFd(light as unknown as net.Socket);
      expect(fd).to.be.greaterThan(2);
      const chunks: Buffer[] = [];
      light.on('data', (c: Buffer) => chunks.push(c));
      light.resume();
      const inner = light.promote();
      expect(inner).to.be.instanceOf(net.Socket);
      expect(light.promote()).to.equal(inner);
      expect(light.promoted).to.equal(true);
      expect(socketFd(light as unknown as net.Socket)).to.equal(fd);
      expect(light.isPaused()).to.equal(false);
      pair.client.write('one two');
      await waitUntil('the data event', () => Buffer.concat(chunks).toString() === 'one two', 25_000, 5);
    });

    it('setTimeout emits timeout once after the idle time, and 0 disarms it', async () => {
      pair = await lightPair(kind);
      const { light } = pair;
      let timeouts = 0;
      light.setTimeout(20, () => timeouts++);
      expect(light.timeout).to.equal(20);
      await waitUntil('the timeout', () => timeouts === 1, 5000, 5);
      await new Promise((r) => setTimeout(r, 60));
      expect(timeouts).to.equal(1);
      let other = 0;
      light.on('timeout', () => other++);
      light.setTimeout(20);
      light.setTimeout(0);
      await new Promise((r) => setTimeout(r, 60));
      expect(other).to.equal(0);
    });

    it('shows the peer setPeer gave it, not nginx, and a net.Socket’s defaults', async () => {
      pair = await lightPair(kind);
      const { light } = pair;
      light._peername = { address: '203.0.113.9', port: 4711, family: 'IPv4' };
      expect([light.remoteAddress, light.remotePort, light.remoteFamily]).to.deep.equal(['203.0.113.9', 4711, 'IPv4']);
      expect(light.readyState).to.equal('open');
      expect(light.readableHighWaterMark).to.equal(new net.Socket().readableHighWaterMark);
      expect(light.setNoDelay(true)).to.equal(light);
      expect(light.setKeepAlive(true, 1000)).to.equal(light);
      expect(light.address()).to.be.an('object');
      if (kind === 'tcp') {
        expect(light.localAddress).to.match(/127\.0\.0\.1$/);
        expect(light.localPort).to.equal((pair.server.address() as net.AddressInfo).port);
      } else {
        expect(light.localPort).to.equal(undefined);
      }
    });
  });
}
