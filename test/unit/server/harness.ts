/**
 * The uwsgi connection code in this process, on a real unix socket in a temp dir: a listener
 * created exactly as a worker creates it (paused on connect, the accept gate on its handle), a
 * ServeContext built by hand, and its log lines collected. Real sockets, real timers; only the
 * process boundary is missing, so the state machine can be driven byte by byte.
 */
import net from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NO_REQUEST_HOOKS, type ServeContext } from '../../../src/server/context';
import { handleUwsgiConnection } from '../../../src/server/uwsgi-connection';
import { AcceptGate } from '../../../src/server/accept-gate';
import { tempDir } from '../../support/tmp';

export interface LogLine {
  [key: string]: unknown;
  event?: string;
  msg?: string;
}

export interface Harness {
  readonly path: string;
  readonly ctx: ServeContext;
  readonly gate: AcceptGate;
  readonly lines: LogLine[];
  events(name: string): LogLine[];
  close(): Promise<void>;
}

export type Listener = (req: IncomingMessage, res: ServerResponse) => unknown;

export async function uwsgiHarness(listener: Listener, over: Partial<ServeContext> = {}): Promise<Harness> {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as LogLine);
      done();
    },
  });
  const log = pino({ base: null }, sink);
  const ctx: ServeContext = {
    listener,
    bufferSize: 65535,
    limitPost: 0,
    socketTimeoutMs: 4000,
    requestTimeoutMs: 60_000,
    log,
    logRequests: false,
    logOnly: undefined,
    formatLine: undefined,
    writeText: () => undefined,
    infoLine: undefined,
    threadField: '',
    workerId: 1,
    threadIndex: 0,
    requests: NO_REQUEST_HOOKS,
    stats: undefined,
    connections: new Set(),
    ...over,
  };
  const gate = new AcceptGate();
  const file = path.join(tempDir(), 'h.sock');
  // Bound (not listening) as the master binds, then listened on by fd as a worker does: only
  // such a handle can be paused by the gate.
  const createHandle = (net as unknown as { _createServerHandle: (p: string, port: number, type: number) => { fd: number; close(): void } })._createServerHandle;
  const bound = createHandle(file, -1, -1);
  const fd = bound.fd;
  const server = net.createServer({ pauseOnConnect: true }, (socket) => handleUwsgiConnection(socket, ctx, gate));
  await new Promise<void>((resolve) => server.listen({ fd }, resolve));
  gate.add(server);
  return {
    path: file,
    ctx,
    gate,
    lines,
    events: (name) => lines.filter((l) => l.event === name),
    close: async () => {
      for (const s of ctx.connections) s.destroy();
      gate.clear();
      await new Promise((r) => server.close(r));
      bound.close();
    },
  };
}

/** A client connection to the harness, with what it received and whether it was closed. */
export interface Client {
  readonly socket: net.Socket;
  received(): Buffer;
  readonly closed: Promise<void>;
  isClosed(): boolean;
}

export function connect(file: string, opts: { allowHalfOpen?: boolean } = {}): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ path: file, allowHalfOpen: opts.allowHalfOpen === true });
    const got: Buffer[] = [];
    let done = false;
    const closed = new Promise<void>((r) => socket.once('close', () => {
      done = true;
      r();
    }));
    socket.on('data', (d: Buffer) => got.push(d));
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ socket, received: () => Buffer.concat(got), closed, isClosed: () => done }));
    socket.once('error', reject);
  });
}

/** Writes each chunk as its own write, one event-loop turn apart, so each is read alone. */
export async function writeSlowly(socket: net.Socket, chunks: Buffer[], gapMs = 0): Promise<void> {
  for (const c of chunks) {
    if (socket.destroyed) return;
    await new Promise<void>((r) => socket.write(c, () => r()));
    await new Promise((r) => (gapMs > 0 ? setTimeout(r, gapMs) : setImmediate(r)));
  }
}

export function bytesOf(buf: Buffer): Buffer[] {
  return [...buf].map((b) => Buffer.from([b]));
}
