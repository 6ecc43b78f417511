/**
 * The server code of one app thread in this process, on a real unix socket in a temp dir: a
 * socket bound as the master binds it, listened on by fd through listenAll() as a worker does
 * (so the uwsgi kind's accept gate works on it, and drain() is the real graceful stop), a
 * ServeContext built by hand, and its log lines collected. Real sockets, real timers; only the
 * process boundary is missing, so a connection can be driven byte by byte.
 */
import net from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { OpenConnections } from '../../../src/server/connections';
import { NO_REQUEST_HOOKS, type ServeContext } from '../../../src/server/context';
import type { SocketProto } from '../../../src/shared/socket-proto';
import { listenAll } from '../../../src/server/listeners';
import { AcceptGate } from '../../../src/server/accept-gate';
import { tempDir } from '../../support/tmp';
import { encodePacket } from '../../../src/protocol';

export interface LogLine {
  [key: string]: unknown;
  event?: string;
  msg?: string;
}

export interface Harness {
  /** The socket of the first kind asked for; `paths` has one per kind, in order. */
  readonly path: string;
  readonly paths: readonly string[];
  readonly ctx: ServeContext;
  readonly gate: AcceptGate;
  readonly lines: LogLine[];
  events(name: string): LogLine[];
  /** The thread's graceful stop: stop accepting, resolve once no connection is left. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export type Listener = (req: IncomingMessage, res: ServerResponse) => unknown;

export function uwsgiHarness(listener: Listener, over: Partial<ServeContext> = {}): Promise<Harness> {
  return serverHarness('uwsgi', listener, over);
}

/** One app thread listening on one socket of each kind in `protos`. */
export async function serverHarness(protos: SocketProto | readonly SocketProto[], listener: Listener, over: Partial<ServeContext> = {}): Promise<Harness> {
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
    postBuffering: undefined,
    socketTimeoutMs: 4000,
    requestTimeoutMs: 60_000,
    httpKeepalive: 75,
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
    connections: new OpenConnections(),
    upgraded: new Set(),
    upgradeMercyMs: 10_000,
    appServer: undefined,
    statics: undefined,
    ...over,
  };
  const gate = new AcceptGate();
  const dir = tempDir();
  const kinds = typeof protos === 'string' ? [protos] : protos;
  const paths = kinds.map((proto, i) => path.join(dir, `${proto}-${i}.sock`));
  // Bound (not listening) as the master binds: only a listener opened from an fd can be
  // paused by the gate.
  const createHandle = (net as unknown as { _createServerHandle: (p: string, port: number, type: number) => { fd: number; close(): void } })._createServerHandle;
  const bound = paths.map((p) => createHandle(p, -1, -1));
  const listening = await listenAll(kinds.map((proto, i) => ({ fd: bound[i]!.fd, proto, name: paths[i]! })), ctx, 511, gate);
  let drained: Promise<void> | undefined;
  const drain = (): Promise<void> => (drained ??= listening.drain());
  return {
    path: paths[0]!,
    paths,
    ctx,
    gate,
    lines,
    events: (name) => lines.filter((l) => l.event === name),
    drain,
    close: async () => {
      for (const s of ctx.connections) s.destroy();
      await drain();
      for (const b of bound) b.close();
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

/** A uwsgi GET packet as nginx sends one. */
export function uwsgiGet(uri = '/', extra: Record<string, string> = {}): Buffer {
  return encodePacket({ REQUEST_METHOD: 'GET', REQUEST_URI: uri, SERVER_PROTOCOL: 'HTTP/1.1', ...extra });
}

/** A uwsgi POST packet announcing `declared` bytes (the body's length by default), then the body. */
export function uwsgiPost(body: Buffer | string, uri = '/', declared?: number): Buffer {
  const b = Buffer.from(body);
  return Buffer.concat([encodePacket({ REQUEST_METHOD: 'POST', REQUEST_URI: uri, CONTENT_LENGTH: String(declared ?? b.length) }), b]);
}
