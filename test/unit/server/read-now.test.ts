/**
 * readNow: what a just-accepted connection holds, read synchronously in the accept callback,
 * over TCP and over a unix socket (the kinds a uwsgi socket is): the bytes, "nothing yet" (the
 * usual case on TCP, where the listener wakes at the handshake) or "the peer is gone".
 */
import { expect } from 'chai';
import net from 'node:net';
import path from 'node:path';
import { keep, readNow, NOTHING_YET, PEER_CLOSED } from '../../../src/server/read-now';
import { tempDir } from '../../support/tmp';
import { waitUntil } from '../../support/wait';

interface Pair {
  readonly server: net.Server;
  /** The accepted end, paused as a uwsgi listener leaves it (pauseOnConnect). */
  readonly accepted: net.Socket;
  readonly client: net.Socket;
}

async function connectedPair(kind: 'tcp' | 'unix'): Promise<Pair> {
  let accepted: net.Socket | undefined;
  const server = net.createServer({ pauseOnConnect: true }, (s) => {
    accepted = s;
  });
  const where = kind === 'unix' ? path.join(tempDir(), 's.sock') : 0;
  await new Promise<void>((resolve) => server.listen(where, resolve));
  const address = server.address();
  const client = typeof address === 'string' ? net.connect(address) : net.connect((address as net.AddressInfo).port, '127.0.0.1');
  await new Promise<void>((resolve) => client.once('connect', resolve));
  const got = await waitUntil('the connection to be accepted', () => accepted, 5000, 5);
  return { server, accepted: got, client };
}

async function closePair(p: Pair): Promise<void> {
  p.client.destroy();
  p.accepted.destroy();
  await new Promise((resolve) => p.server.close(resolve));
}

for (const kind of ['tcp', 'unix'] as const) {
  describe(`server/read-now over ${kind}`, function () {
    this.timeout(10_000);
    let pair: Pair | undefined;
    afterEach(async () => {
      if (pair !== undefined) await closePair(pair);
      pair = undefined;
    });

    it('nothing sent yet: NOTHING_YET, and the caller’s stack trace limit is left as it was', async () => {
      pair = await connectedPair(kind);
      const before = Error.stackTraceLimit;
      Error.stackTraceLimit = 7;
      try {
        expect(readNow(pair.accepted)).to.equal(NOTHING_YET);
        expect(Error.stackTraceLimit).to.equal(7);
      } finally {
        Error.stackTraceLimit = before;
      }
    });

    it('an app that made Error.stackTraceLimit read-only: still NOTHING_YET, no TypeError', async () => {
      pair = await connectedPair(kind);
      const own = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit') as PropertyDescriptor;
      Object.defineProperty(Error, 'stackTraceLimit', { ...own, writable: false });
      try {
        expect(readNow(pair.accepted)).to.equal(NOTHING_YET);
      } finally {
        Object.defineProperty(Error, 'stackTraceLimit', own);
      }
    });

    it('bytes sent: exactly those bytes, in a view the next read reuses; keep() gives them a buffer of their own', async () => {
      pair = await connectedPair(kind);
      pair.client.write('hello');
      const p = pair;
      const got = await waitUntil('the bytes to be readable', () => {
        const chunk = readNow(p.accepted);
        return chunk === NOTHING_YET ? undefined : chunk;
      }, 5000, 5);
      expect(Buffer.isBuffer(got)).to.equal(true);
      expect((got as Buffer).toString()).to.equal('hello');
      const kept = keep(got as Buffer);
      expect(kept.buffer).to.not.equal((got as Buffer).buffer);
      // The next read overwrites the view, not what was kept.
      p.client.write('XXXXX');
      await waitUntil('the second bytes', () => readNow(p.accepted) !== NOTHING_YET, 5000, 5);
      expect((got as Buffer).toString()).to.equal('XXXXX');
      expect(kept.toString()).to.equal('hello');
      // A buffer that is not read-now's is its own already.
      const other = Buffer.from('other');
      expect(keep(other)).to.equal(other);
    });

    it('the peer closed without sending: PEER_CLOSED', async () => {
      pair = await connectedPair(kind);
      pair.client.end();
      const p = pair;
      await waitUntil('the EOF to be readable', () => readNow(p.accepted) === PEER_CLOSED, 5000, 5);
    });

    it('a socket without an fd (destroyed): NOTHING_YET, nothing read', async () => {
      pair = await connectedPair(kind);
      pair.accepted.destroy();
      expect(readNow(pair.accepted)).to.equal(NOTHING_YET);
    });
  });
}
