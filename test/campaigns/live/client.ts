/**
 * Plays one live case on a fresh connection and says how it went. Every case ends within its
 * own bound (pauses + readMs + a margin): the client always leaves, whatever the server does.
 */
import net from 'node:net';
import type { LiveCase, TargetKind } from './cases';

export interface Addresses {
  unix: string;
  tcp: number;
  http: number;
}

export interface Outcome {
  /** 'HTTP 200', 'pong', 'nothing', or the first bytes when they are neither. */
  answer: string;
  /** 'server-closed', 'client-left', 'error:CODE', 'hung' (the server kept it open after our FIN). */
  end: string;
}

/** How long a server may take to close after the client half-closed and sent everything. */
const CLOSE_WAIT_MS = 3000;

export function connect(kind: TargetKind, to: Addresses): net.Socket {
  return kind === 'unix' ? net.connect(to.unix) : net.connect(kind === 'tcp' ? to.tcp : to.http, '127.0.0.1');
}

function describe(got: Buffer): string {
  if (got.length === 0) return 'nothing';
  if (got.length >= 4 && got[0] === 100 && got[3] === 1) return 'pong';
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(got.subarray(0, 16).toString('latin1'));
  return m ? `HTTP ${m[1]}` : `other ${JSON.stringify(got.subarray(0, 12).toString('latin1'))}`;
}

function* stream(c: LiveCase): Generator<Buffer> {
  const whole = c.body.length === 0 ? c.head : Buffer.concat([c.head, Buffer.alloc(c.body.length, c.body.fill)]);
  let pos = 0;
  // At most 64 cuts: beyond that the rest goes in one write (a 70 KB body in 1-byte writes
  // would only measure the client).
  for (let i = 0; pos < whole.length; i++) {
    const size = i < 64 ? c.sizes[i % c.sizes.length]! : whole.length - pos;
    yield whole.subarray(pos, pos + size);
    pos += size;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function runCase(c: LiveCase, to: Addresses): Promise<Outcome> {
  return new Promise((resolve) => {
    const sock = connect(c.target, to);
    const got: Buffer[] = [];
    let end = '';
    let settled = false;
    const finish = (how: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(bound);
      end ||= how;
      if (!sock.destroyed) sock.destroy();
      resolve({ answer: describe(Buffer.concat(got)), end });
    };
    const totalPauses = 64 * Math.max(...c.pausesMs);
    const bound = setTimeout(() => finish('hung'), totalPauses + c.readMs + CLOSE_WAIT_MS + 2000);
    sock.on('data', (d: Buffer) => got.push(d));
    sock.on('error', (err: NodeJS.ErrnoException) => finish(`error:${err.code}`));
    sock.on('close', () => finish('server-closed'));
    sock.once('connect', () => void play());

    const play = async (): Promise<void> => {
      let i = 0;
      for (const chunk of stream(c)) {
        if ((c.ending === 'reset-mid' || c.ending === 'close-mid') && i === c.stopAfter) break;
        if (settled) return;
        sock.write(chunk);
        const pause = c.pausesMs[i % c.pausesMs.length]!;
        if (pause > 0) await sleep(pause);
        i++;
      }
      if (settled) return;
      switch (c.ending) {
        case 'reset':
        case 'reset-mid':
          end = 'client-left';
          // An RST exists only on TCP; on a unix socket, a close with unread data is the same.
          if (c.target === 'unix') sock.destroy();
          else sock.resetAndDestroy();
          return finish('client-left');
        case 'close-mid':
          end = 'client-left';
          sock.end();
          return finish('client-left');
        case 'end-read':
          sock.end();
          // The server must answer and close by itself now; 'hung' if it does not.
          await sleep(c.readMs + CLOSE_WAIT_MS);
          return finish('hung');
        case 'read':
          await sleep(c.readMs);
          return finish('client-left');
        case 'no-read':
          sock.pause();
          await sleep(c.readMs);
          return finish('client-left');
      }
    };
  });
}
