/**
 * post-buffering in one app thread (harness.ts: real sockets in this process), on both socket
 * kinds: the app is called only once the body is whole, a small body stays in memory, a large
 * one (or a chunked one past the threshold) goes through an unnamed temp file and comes back
 * byte-exact, a slow disk holds the socket instead of piling up memory, and the file goes with
 * its request.
 */
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { expect } from 'chai';
import type { SocketProto } from '../../../src/shared/socket-proto';
import { announcedLength } from '../../../src/server/post-buffer';
import { serverHarness, connect, writeSlowly, uwsgiPost, type Harness } from './harness';
import { tempDir } from '../../support/tmp';
import { sleep, waitUntil } from '../../support/wait';

const THRESHOLD = 64 * 1024;

function pattern(n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) out[i] = (i * 13 + 5) & 0xff;
  return out;
}

/** This process's fds open on a file in `dir`. */
function filesOpenIn(dir: string): string[] {
  const open: string[] = [];
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith(`${dir}/`)) open.push(fd);
    } catch {
      // Closed between the two reads.
    }
  }
  return open;
}

interface Seen {
  calls: number;
  /** At the call: whether the body was complete, and how much of it was readable in memory. */
  complete?: boolean;
  inMemory?: number;
  body?: Buffer;
}

/** Reads the whole body, then answers its length. */
function reader(seen: Seen): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    seen.calls++;
    seen.complete = req.complete;
    seen.inMemory = req.readableLength;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.body = Buffer.concat(chunks);
      res.end(`got ${seen.body.length}`);
    });
  };
}

function httpPost(body: Buffer, opts: { chunked?: boolean; keepAlive?: boolean; uri?: string } = {}): Buffer {
  const framing = opts.chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${body.length}`;
  const head = Buffer.from(`POST ${opts.uri ?? '/'} HTTP/1.1\r\nHost: x\r\n${framing}\r\nConnection: ${opts.keepAlive ? 'keep-alive' : 'close'}\r\n\r\n`);
  if (!opts.chunked) return Buffer.concat([head, body]);
  const parts: Buffer[] = [head];
  for (let i = 0; i < body.length; i += 10_000) {
    const c = body.subarray(i, i + 10_000);
    parts.push(Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

/** The request on `proto`'s wire, split in 16 KiB writes so that it arrives in many reads. */
function split(buf: Buffer, size = 16 * 1024): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

const request = (proto: SocketProto, body: Buffer): Buffer => (proto === 'uwsgi' ? uwsgiPost(body) : httpPost(body));

describe('server/post-buffer', function () {
  this.timeout(20_000);
  let h: Harness | undefined;
  let dir: string;
  const serve = async (listener: (req: IncomingMessage, res: ServerResponse) => void): Promise<Harness> => {
    dir = tempDir();
    h = await serverHarness(['uwsgi', 'http'], listener, { postBuffering: { threshold: THRESHOLD, bufsize: 16 * 1024, dir } });
    return h;
  };
  const pathOf = (proto: SocketProto): string => h!.paths[proto === 'uwsgi' ? 0 : 1]!;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('announcedLength: -1 for a chunked body, its Content-Length, 0 without either', () => {
    expect(announcedLength({ 'transfer-encoding': 'chunked' })).to.equal(-1);
    expect(announcedLength({ 'content-length': '12' })).to.equal(12);
    expect(announcedLength({})).to.equal(0);
  });

  for (const proto of ['uwsgi', 'http'] as const) {
    describe(`on the ${proto} socket`, () => {
      it('a body under post-buffering: the app is called once it is whole, all of it in memory, no file', async () => {
        const seen: Seen = { calls: 0 };
        await serve(reader(seen));
        const body = pattern(THRESHOLD - 1);
        const client = await connect(pathOf(proto));
        const wire = request(proto, body);
        await writeSlowly(client.socket, split(wire.subarray(0, wire.length - 100)));
        await sleep(50);
        expect(seen.calls, 'called before the body was whole').to.equal(0);
        client.socket.write(wire.subarray(wire.length - 100));
        await client.closed;
        expect(seen).to.include({ calls: 1, complete: true, inMemory: body.length });
        expect(seen.body?.equals(body)).to.equal(true);
        expect(filesOpenIn(dir)).to.deep.equal([]);
      });

      it('a body of post-buffering or more: kept in an unnamed file until whole, read back byte-exact, then closed', async () => {
        const seen: Seen = { calls: 0 };
        await serve(reader(seen));
        const body = pattern(1024 * 1024 + 7);
        const client = await connect(pathOf(proto));
        const wire = request(proto, body);
        await writeSlowly(client.socket, split(wire.subarray(0, wire.length - 100), 64 * 1024));
        await waitUntil('the body in a file', () => filesOpenIn(dir).length === 1, 2000);
        expect(fs.readdirSync(dir)).to.deep.equal([]);
        expect(seen.calls, 'called before the body was whole').to.equal(0);
        client.socket.write(wire.subarray(wire.length - 100));
        await client.closed;
        expect(seen).to.include({ calls: 1, complete: true, inMemory: 0 });
        expect(seen.body?.equals(body)).to.equal(true);
        await waitUntil('the file closed', () => filesOpenIn(dir).length === 0, 2000);
      });

      it('a slow disk holds the socket: the client is kept waiting, nothing is lost', async () => {
        const seen: Seen = { calls: 0 };
        await serve(reader(seen));
        const original = fs.writev;
        let paused = false;
        // Every write to the file takes 20 ms: the queue passes holdAt (1 MiB) and the socket waits.
        (fs as { writev: unknown }).writev = (...args: unknown[]): void => {
          const socket = [...h!.ctx.connections][0];
          if (socket?.isPaused()) paused = true;
          setTimeout(() => (original as (...a: unknown[]) => void)(...args), 20);
        };
        try {
          const body = pattern(4 * 1024 * 1024);
          const client = await connect(pathOf(proto));
          client.socket.write(request(proto, body));
          await client.closed;
          expect(seen.body?.equals(body)).to.equal(true);
          expect(paused, 'the socket was held while the file caught up').to.equal(true);
        } finally {
          (fs as { writev: unknown }).writev = original;
        }
      });

      it('the app answers without reading a body in a file: the file goes with the response', async () => {
        let calls = 0;
        await serve((_req, res) => {
          calls++;
          res.end('not read');
        });
        const client = await connect(pathOf(proto));
        client.socket.write(request(proto, pattern(512 * 1024)));
        await client.closed;
        expect(calls).to.equal(1);
        expect(client.received().toString()).to.match(/not read$/);
        await waitUntil('the file closed', () => filesOpenIn(dir).length === 0, 2000);
      });
    });
  }

  it('http-socket: a chunked body moves to a file when it reaches post-buffering, and keep-alive carries on', async () => {
    const seen: Seen = { calls: 0 };
    await serve(reader(seen));
    const client = await connect(h!.paths[1]!);
    const big = pattern(300_000);
    const small = pattern(1000);
    await writeSlowly(client.socket, split(httpPost(big, { chunked: true, keepAlive: true }).subarray(0, 200_000)));
    await waitUntil('the chunked body in a file', () => filesOpenIn(dir).length === 1, 2000);
    expect(seen.calls).to.equal(0);
    client.socket.write(httpPost(big, { chunked: true, keepAlive: true }).subarray(200_000));
    await waitUntil('the first answer', () => client.received().toString().includes('got 300000'), 2000);
    expect(seen.body?.equals(big)).to.equal(true);
    await waitUntil('the file closed', () => filesOpenIn(dir).length === 0, 2000);
    // The same connection, a small chunked body: memory only.
    client.socket.write(httpPost(small, { chunked: true }));
    await client.closed;
    expect(seen).to.include({ calls: 2, inMemory: 1000 });
    expect(client.received().toString()).to.include('got 1000');
    expect(filesOpenIn(dir)).to.deep.equal([]);
  });

  it('http-socket: limit-post comes first, a chunked body past it is 413 and its file goes', async () => {
    let calls = 0;
    dir = tempDir();
    h = await serverHarness('http', () => calls++, { limitPost: 200_000, postBuffering: { threshold: THRESHOLD, bufsize: 16 * 1024, dir } });
    const client = await connect(h.path);
    const wire = httpPost(pattern(300_000), { chunked: true });
    await writeSlowly(client.socket, split(wire.subarray(0, 120_000)));
    await waitUntil('the chunked body in a file', () => filesOpenIn(dir).length === 1, 2000);
    client.socket.write(wire.subarray(120_000));
    await client.closed;
    expect(client.received().toString()).to.match(/^HTTP\/1.1 413/);
    expect(calls).to.equal(0);
    await waitUntil('the file closed', () => filesOpenIn(dir).length === 0, 2000);
    expect(h.events('request-rejected')).to.have.length(1);
  });

  it('the disk fills while the body arrives: 500 with one E_POST_BUFFER line, the app never called, the rest read and dropped', async () => {
    const seen: Seen = { calls: 0 };
    await serve(reader(seen));
    const original = fs.writev;
    let writes = 0;
    // The second write to a file fails as a full disk does.
    (fs as { writev: unknown }).writev = (...args: unknown[]): void => {
      if (++writes % 2 === 0) {
        const cb = args[3] as (err: NodeJS.ErrnoException | null, n: number) => void;
        setImmediate(cb, Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }), 0);
        return;
      }
      (original as (...a: unknown[]) => void)(...args);
    };
    try {
      for (const proto of ['uwsgi', 'http'] as const) {
        const client = await connect(pathOf(proto));
        await writeSlowly(client.socket, split(request(proto, pattern(2 * 1024 * 1024)), 64 * 1024));
        await client.closed;
        expect(client.received().toString(), proto).to.match(/^HTTP\/1.1 500 Internal Server Error\r\n[^]*\r\n\r\nInternal Server Error\n$/);
        await waitUntil(`${proto}: the file closed`, () => filesOpenIn(dir).length === 0, 2000);
      }
    } finally {
      (fs as { writev: unknown }).writev = original;
    }
    expect(seen.calls).to.equal(0);
    expect(h!.events('post-buffering-failed').map((l) => [l.code, l.error])).to.deep.equal([['E_POST_BUFFER', 'ENOSPC'], ['E_POST_BUFFER', 'ENOSPC']]);
  });

  it('the client leaves while the body arrives: the app is never called, the file is closed', async () => {
    const seen: Seen = { calls: 0 };
    await serve(reader(seen));
    for (const proto of ['uwsgi', 'http'] as const) {
      const client = await connect(pathOf(proto));
      await writeSlowly(client.socket, split(request(proto, pattern(500_000)).subarray(0, 200_000)));
      await waitUntil(`${proto}: the body in a file`, () => filesOpenIn(dir).length === 1, 2000);
      client.socket.destroy();
      await waitUntil(`${proto}: the file closed`, () => filesOpenIn(dir).length === 0, 2000);
    }
    expect(seen.calls).to.equal(0);
  });
});
