/**
 * The socket of a uwsgi connection: a small stand-in for net.Socket on the accepted handle.
 * nginx opens one connection per request and writes its packet right after connect(), so a
 * request is usually read whole in the accept callback (read-now.ts) and answered with one
 * write(2) (head and body together) and close(2). A net.Socket and its Duplex state, built per
 * connection for that, were ~14 % of a worker's CPU behind nginx (design-notes.md "The light
 * socket").
 *
 * It is a net.Socket to everything that uses one the usual ways (Node's ServerResponse and
 * IncomingMessage, the app, tsuwsgi's connection code): the same events, methods and fields.
 * It writes with a synchronous write(2) on the handle's (non-blocking) fd. It reads with the
 * handle's own onread, as net.Socket does, and emits each read as 'data' (a head not there at
 * the accept: 28-43 % of TCP connections; a body); pause() stops reading, so the app's
 * backpressure is the kernel's. It promotes itself to a real net.Socket on the same handle
 * when a stream is needed: a write the kernel does not take whole, end() (a half-close needs a
 * shutdown request only the stream has). From then on every method and event goes through it.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import type { Socket } from 'node:net';
import { getDefaultHighWaterMark } from 'node:stream';
import { getSystemErrorName } from 'node:util';
import { socketOnHandle, streamReadState, type AcceptedHandle } from '../shared/node-internals';
import { muteStacks, restoreStacks } from './mute-stacks';

type Callback = (err?: Error | null) => void;
/** A write as it was given: bytes, or a string and its encoding. */
type Chunk = Buffer | { readonly text: string; readonly encoding: BufferEncoding; readonly bytes: number };
interface Peer { address: string; port: number; family: string }

const kOwner = Symbol('tsuwsgi.lightSocket');
type OwnedHandle = AcceptedHandle & { [kOwner]?: LightSocket };

/** The events a promoted socket passes on: what Node's http, tsuwsgi and apps listen for. */
const FORWARDED = ['data', 'end', 'error', 'close', 'drain', 'timeout'] as const;

/** libuv's UV_EOF, the same on every platform (uv-errno.h: UV__EOF). */
const UV_EOF = -4095;

/** How the handle's onread learns what it got; without it there are no light sockets. */
const readResult = streamReadState();

/** Whether this Node lets a light socket read (uwsgi-socket.ts keeps net.Sockets otherwise). */
export const lightSocketsCanRead = readResult !== undefined;

const READABLE_HWM = typeof getDefaultHighWaterMark === 'function' ? getDefaultHighWaterMark(false) : 16 * 1024;

/**
 * The connection a light socket carries, told of the socket's 'error', 'close' and 'drain'
 * before any listener: what three listeners per connection did (uwsgi-connection.ts).
 */
export interface SocketOwner {
  onError(err: NodeJS.ErrnoException): void;
  onClose(): void;
  onDrain(): void;
}

export class LightSocket extends EventEmitter {
  /** Told first of 'error', 'close' and 'drain' (emit); an 'error' it was told of throws nowhere. */
  owner: SocketOwner | undefined;
  /** The accepted handle (socketFd reads its fd, as it does a net.Socket's); null once closed. */
  private handle: OwnedHandle | null;
  private inner: Socket | undefined;
  /** What ServerResponse's end() reads and writes (`_writableState.corked`) before it uncorks. */
  private readonly own = { corked: 0 };
  /** Strings stay strings until they must be bytes: the usual response is one string, written as it is. */
  private queue: Chunk[] = [];
  private callbacks: Callback[] = [];
  /** Bytes queued while corked: ServerResponse.end() waits for them when they are not 0. */
  private queued = 0;
  private written = 0;
  private gone = false;
  private reading = false;
  private timeoutMs = 0;
  private timer: NodeJS.Timeout | undefined;
  /** The client's address (setPeer): nginx is the socket's real peer. */
  _peername: Peer | undefined;
  /** Node's http writes its current response here (assignSocket / detachSocket). */
  _httpMessage: unknown = null;
  encrypted: boolean | undefined;
  bytesRead = 0;
  readonly connecting = false;
  readonly pending = false;
  readonly allowHalfOpen = false;

  constructor(handle: AcceptedHandle) {
    super();
    this.handle = handle;
  }

  /** The net.Socket this one now goes through; made on first need. */
  promote(): Socket {
    if (this.inner !== undefined) return this.inner;
    const wasReading = this.reading;
    this.stopReading();
    clearTimeout(this.timer);
    const handle = this.handle;
    if (handle === null) throw new Error('a closed light socket cannot be promoted');
    handle[kOwner] = undefined;
    const inner = socketOnHandle(handle);
    this.inner = inner;
    for (const event of FORWARDED) inner.on(event, (arg?: unknown) => this.emit(event, arg));
    if (this.timeoutMs > 0) inner.setTimeout(this.timeoutMs);
    if (this.own.corked > 0) inner.cork();
    // Written while corked and not flushed yet: the stream sends it first, in order.
    const { chunks, callbacks } = this.takeQueue();
    if (chunks.length === 0 && callbacks.length > 0) process.nextTick(callAll, callbacks, null);
    chunks.forEach((chunk, i) => {
      inner.write(toBuffer(chunk), i === chunks.length - 1 ? (err) => callAll(callbacks, err ?? null) : undefined);
    });
    if (wasReading) inner.resume();
    return inner;
  }

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    const owner = this.owner;
    if (owner !== undefined) {
      if (event === 'close') {
        owner.onClose();
      } else if (event === 'error') {
        owner.onError(args[0] as NodeJS.ErrnoException);
        // Handled: EventEmitter throws an 'error' only when nobody hears it.
        if (this.listenerCount('error') === 0) return true;
      } else if (event === 'drain') {
        owner.onDrain();
      }
    }
    return super.emit(event, ...args);
  }

  /** Whether a net.Socket now carries this connection (promote()). */
  get promoted(): boolean {
    return this.inner !== undefined;
  }

  get _handle(): AcceptedHandle | null {
    return this.inner !== undefined ? (this.inner as unknown as { _handle: AcceptedHandle | null })._handle : this.handle;
  }

  get _writableState(): { corked: number } {
    return this.inner !== undefined ? (this.inner as unknown as { _writableState: { corked: number } })._writableState : this.own;
  }

  get destroyed(): boolean {
    return this.inner !== undefined ? this.inner.destroyed : this.gone;
  }

  get writable(): boolean {
    return this.inner !== undefined ? this.inner.writable : !this.gone;
  }

  get readable(): boolean {
    return this.inner !== undefined ? this.inner.readable : !this.gone;
  }

  get writableLength(): number {
    return this.inner !== undefined ? this.inner.writableLength : this.queued;
  }

  get writableCorked(): number {
    return this._writableState.corked;
  }

  get writableHighWaterMark(): number {
    return this.inner !== undefined ? this.inner.writableHighWaterMark : 16 * 1024;
  }

  get readableHighWaterMark(): number {
    return this.inner !== undefined ? this.inner.readableHighWaterMark : READABLE_HWM;
  }

  get writableEnded(): boolean {
    return this.inner !== undefined ? this.inner.writableEnded : this.gone;
  }

  get bytesWritten(): number {
    return this.written + (this.inner !== undefined ? this.inner.bytesWritten : 0);
  }

  get remoteAddress(): string | undefined {
    return this._peername?.address;
  }

  get remotePort(): number | undefined {
    return this._peername?.port;
  }

  get remoteFamily(): string | undefined {
    return this._peername?.family;
  }

  get localAddress(): string | undefined {
    return this.inner !== undefined ? this.inner.localAddress : this.sockname()?.address;
  }

  get localPort(): number | undefined {
    return this.inner !== undefined ? this.inner.localPort : this.sockname()?.port;
  }

  get readyState(): string {
    return this.inner !== undefined ? this.inner.readyState : this.gone ? 'closed' : 'open';
  }

  get timeout(): number | undefined {
    return this.inner !== undefined ? this.inner.timeout : this.timeoutMs || undefined;
  }

  address(): object {
    if (this.inner !== undefined) return this.inner.address();
    return this.sockname() ?? {};
  }

  /** The local end (TCP only: a unix socket's handle has none, as with a net.Socket). */
  private sockname(): { address?: string; port?: number } | undefined {
    if (this.handle?.getsockname === undefined) return undefined;
    const out: { address?: string; port?: number } = {};
    this.handle.getsockname(out);
    return out;
  }

  cork(): void {
    if (this.inner !== undefined) this.inner.cork();
    else this.own.corked++;
  }

  uncork(): void {
    if (this.inner !== undefined) this.inner.uncork();
    else if (this.own.corked > 0 && --this.own.corked === 0) this.flush();
  }

  write(data: string | Uint8Array, encoding?: BufferEncoding | Callback, cb?: Callback): boolean {
    if (this.inner !== undefined) return this.inner.write(data, encoding as BufferEncoding, cb);
    const callback = typeof encoding === 'function' ? encoding : typeof cb === 'function' ? cb : undefined;
    if (this.gone) {
      if (callback !== undefined) process.nextTick(callback, destroyedError('write'));
      return false;
    }
    const chunk: Chunk = typeof data === 'string' ? textChunk(data, typeof encoding === 'string' ? encoding : 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const bytes = chunkBytes(chunk);
    // An empty write (ServerResponse.end() sends one to learn when the response is out) only
    // waits for what is before it: no syscall.
    if (bytes > 0) {
      this.queue.push(chunk);
      this.queued += bytes;
    }
    if (callback !== undefined) this.callbacks.push(callback);
    if (this.own.corked === 0) this.flush();
    // A write the kernel did not take whole promoted the socket: its stream says when to wait.
    const inner = this.inner as Socket | undefined;
    return inner === undefined || inner.writableLength < inner.writableHighWaterMark;
  }

  end(data?: unknown, encoding?: unknown, cb?: unknown): this {
    if (this.inner === undefined && this.gone) {
      // As a destroyed net.Socket: nothing is sent, the callback hears why.
      const callback = [data, encoding, cb].find((a) => typeof a === 'function') as Callback | undefined;
      if (callback !== undefined) process.nextTick(callback, destroyedError('end'));
      return this;
    }
    // A half-close needs a shutdown request, which only the stream has.
    (this.promote().end as (...a: unknown[]) => Socket)(data, encoding, cb);
    return this;
  }

  destroySoon(): void {
    if (this.inner !== undefined) this.inner.destroySoon();
    else this.destroy();
  }

  destroy(err?: Error): this {
    this.release(err, false);
    return this;
  }

  /**
   * destroy() with 'close' emitted now instead of on the next tick, for a caller that is on a
   * tick of its own after the exchange ended (uwsgi-connection.ts closeExchange): the tick a
   * connection saves costs ~1 µs on Node 24, which stores the async context in each one.
   */
  closeNow(): void {
    this.release(undefined, true);
  }

  private release(err: Error | undefined, now: boolean): void {
    if (this.inner !== undefined) {
      this.inner.destroy(err);
      return;
    }
    if (this.gone) return;
    this.gone = true;
    this.reading = false;
    clearTimeout(this.timer);
    const handle = this.handle as OwnedHandle;
    this.handle = null;
    handle[kOwner] = undefined;
    // Writes still corked are not sent, and their callbacks hear why, as a stream's buffered ones.
    const { callbacks } = this.takeQueue();
    if (callbacks.length > 0) process.nextTick(callAll, callbacks, destroyedError('write'));
    // As net.Socket: 'error' on the next tick, then 'close'. uv_close closes the fd itself;
    // only its callback waits for the loop's close phase. Without a callback the handle does not
    // call back into JS (one MakeCallback and one tick-queue drain less per connection), and
    // 'close' follows 'error' on the tick queue.
    if (err !== undefined) process.nextTick(emitError, this, err);
    handle.close();
    if (now) emitClose(this, false);
    else process.nextTick(emitClose, this, err !== undefined);
  }

  /** Reading: 'data' for each read, then 'end' and the close at the peer's EOF ('error' first on a reset). */
  resume(): this {
    if (this.inner !== undefined) {
      this.inner.resume();
      return this;
    }
    if (this.reading || this.gone) return this;
    const handle = this.handle as OwnedHandle;
    handle[kOwner] = this;
    handle.onread = onHandleRead;
    if (handle.readStart() === 0) this.reading = true;
    return this;
  }

  pause(): this {
    if (this.inner !== undefined) this.inner.pause();
    else this.stopReading();
    return this;
  }

  isPaused(): boolean {
    return this.inner !== undefined ? this.inner.isPaused() : !this.reading;
  }

  setTimeout(ms: number, cb?: () => void): this {
    if (this.inner !== undefined) {
      this.inner.setTimeout(ms, cb);
      return this;
    }
    this.timeoutMs = ms;
    clearTimeout(this.timer);
    this.timer = ms > 0 && !this.gone ? setTimeout(emitTimeout, ms, this).unref() : undefined;
    if (cb !== undefined) {
      if (ms === 0) this.removeListener('timeout', cb);
      else this.once('timeout', cb);
    }
    return this;
  }

  setNoDelay(noDelay = true): this {
    if (this.inner !== undefined) this.inner.setNoDelay(noDelay);
    else this.handle?.setNoDelay?.(noDelay);
    return this;
  }

  setKeepAlive(enable = false, initialDelay = 0): this {
    if (this.inner !== undefined) this.inner.setKeepAlive(enable, initialDelay);
    else this.handle?.setKeepAlive?.(enable, Math.floor(initialDelay / 1000));
    return this;
  }

  ref(): this {
    if (this.inner !== undefined) this.inner.ref();
    else this.handle?.ref();
    return this;
  }

  unref(): this {
    if (this.inner !== undefined) this.inner.unref();
    else this.handle?.unref();
    return this;
  }

  setEncoding(encoding: BufferEncoding): this {
    if (this.inner !== undefined || !this.gone) this.promote().setEncoding(encoding);
    return this;
  }

  /** A read's bytes: a view on the handle's buffer, kept by whoever takes it, as net.Socket's. */
  received(chunk: Buffer): void {
    if (this.gone) return;
    this.bytesRead += chunk.length;
    this.timer?.refresh();
    this.emit('data', chunk);
  }

  /** A read that failed (a reset): as a net.Socket, 'error' with the errno's code, then the close. */
  readFailed(errno: number): void {
    if (this.gone) return;
    const code = errnoName(errno);
    this.destroy(Object.assign(new Error(`read ${code}`), { code, errno, syscall: 'read' }));
  }

  /** Writes what is queued, in one call; what the kernel does not take goes on through the stream. */
  private flush(): void {
    if (this.gone || (this.queue.length === 0 && this.callbacks.length === 0)) return;
    const total = this.queued;
    const { chunks, callbacks } = this.takeQueue();
    const sent = chunks.length === 0 ? 0 : writeNow((this.handle as OwnedHandle).fd, chunks);
    if (typeof sent !== 'number') {
      this.destroy(sent);
      if (callbacks.length > 0) process.nextTick(callAll, callbacks, sent);
      return;
    }
    this.written += sent;
    this.timer?.refresh();
    if (sent === total) {
      if (callbacks.length > 0) process.nextTick(callAll, callbacks, null);
      return;
    }
    // The kernel's buffer is full: the stream writes the rest as the peer reads.
    const inner = this.promote();
    const rest = Buffer.concat(chunks.map(toBuffer)).subarray(sent);
    inner.write(rest, (err) => callAll(callbacks, err ?? null));
  }

  /** What was written and not flushed yet, handed over; the queue starts again empty. */
  private takeQueue(): { chunks: Chunk[]; callbacks: Callback[] } {
    const taken = { chunks: this.queue, callbacks: this.callbacks };
    this.queue = [];
    this.callbacks = [];
    this.queued = 0;
    return taken;
  }

  private stopReading(): void {
    if (!this.reading) return;
    this.reading = false;
    this.handle?.readStop();
  }

  /** The peer's EOF: as a net.Socket without allowHalfOpen, 'end', then closed. */
  peerGone(): void {
    if (this.gone || this.inner !== undefined) return;
    this.reading = false;
    this.emit('end');
    this.destroy();
  }
}

/**
 * The handle's read callback while a light socket reads (`this` is the handle). The length and
 * offset of the bytes are in Node's stream state, not in the buffer: Node 24+ hand over the
 * whole allocation at times.
 */
function onHandleRead(this: OwnedHandle, data?: ArrayBuffer): void {
  const owner = this[kOwner];
  if (owner === undefined || readResult === undefined) return;
  const nread = readResult.nread();
  if (nread > 0) {
    if (data !== undefined) owner.received(Buffer.from(data, readResult.offset(), nread));
  } else if (nread === UV_EOF) {
    owner.peerGone();
  } else if (nread < 0) {
    owner.readFailed(nread);
  }
}

function errnoName(errno: number): string {
  try {
    return getSystemErrorName(errno);
  } catch {
    return `E${-errno}`;
  }
}

function textChunk(text: string, encoding: BufferEncoding): Chunk {
  return { text, encoding, bytes: Buffer.byteLength(text, encoding) };
}

function chunkBytes(chunk: Chunk): number {
  return chunk instanceof Uint8Array ? chunk.length : chunk.bytes;
}

function toBuffer(chunk: Chunk): Buffer {
  return chunk instanceof Uint8Array ? chunk : Buffer.from(chunk.text, chunk.encoding);
}

/**
 * Bytes written, or the error that ended the connection; a full buffer is 0 bytes. One string
 * is written as it is (Node encodes it outside the JS heap): no Buffer for the usual response.
 */
function writeNow(fd: number, chunks: Chunk[]): number | Error {
  // As read-now.ts: EAGAIN is expected, so it is caught without building a stack trace.
  const limit = muteStacks();
  try {
    if (chunks.length > 1) return fs.writevSync(fd, chunks.map(toBuffer));
    const chunk = chunks[0] as Chunk;
    return chunk instanceof Uint8Array ? fs.writeSync(fd, chunk) : fs.writeSync(fd, chunk.text, null, chunk.encoding);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return 0;
    restoreStacks(limit);
    return Object.assign(new Error(`write ${code ?? 'failed'}`), { code, errno: (err as NodeJS.ErrnoException).errno, syscall: 'write' });
  } finally {
    restoreStacks(limit);
  }
}

function destroyedError(call: string): Error {
  return Object.assign(new Error(`Cannot call ${call} after a stream was destroyed`), { code: 'ERR_STREAM_DESTROYED' });
}

function callAll(callbacks: Callback[], err: Error | null): void {
  for (const cb of callbacks) cb(err);
}

function emitError(socket: LightSocket, err: Error): void {
  socket.emit('error', err);
}

function emitClose(socket: LightSocket, hadError: boolean): void {
  socket.emit('close', hadError);
}

function emitTimeout(socket: LightSocket): void {
  socket.emit('timeout');
}

/** A light socket on an accepted handle, typed as what every consumer takes it for. */
export function lightSocket(handle: AcceptedHandle): Socket {
  return new LightSocket(handle) as unknown as Socket;
}
