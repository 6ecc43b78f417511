/**
 * Every use of Node's private APIs, in one place, each with the public API it stands in for.
 * They are stable across Node 20–24 (Node's own http server and cluster use them); a test runs
 * the suite on each supported Node line, and this file is where to look when one moves.
 */
import type { ChildProcess } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import net, { type Server, type Socket } from 'node:net';

interface StreamHandle {
  fd?: number;
  readStart?(): number;
  readStop?(): number;
}

/**
 * The fd of a connected socket, or -1. No public API: needed to read a just-accepted
 * connection synchronously (read-now.ts) and for harakiri's last-words write from another
 * thread (the fd is process-wide).
 */
export function socketFd(socket: Socket): number {
  const fd = (socket as unknown as { _handle?: StreamHandle | null })._handle?.fd;
  return typeof fd === 'number' ? fd : -1;
}

/**
 * A listening handle opened from an fd is a stream handle: readStop() takes it out of the poll
 * set and readStart() puts it back, with the fd still listening. No public API pauses a
 * listener (accept-gate.ts). Undefined when the handle cannot do it.
 */
export function pausableListener(server: Server): { readStart(): number; readStop(): number } | undefined {
  const handle = (server as unknown as { _handle?: StreamHandle | null })._handle;
  if (handle == null || typeof handle.readStart !== 'function' || typeof handle.readStop !== 'function') return undefined;
  return handle as { readStart(): number; readStop(): number };
}

/**
 * The address the app sees as the client's (nginx is the socket's real peer): net.Socket
 * answers remoteAddress/remotePort from `_peername` once set, so no getter is redefined per
 * request. No public API sets a socket's peer.
 */
export function setPeer(socket: Socket, address: string, port: number): void {
  (socket as unknown as { _peername?: unknown })._peername = {
    address,
    port,
    family: address.includes(':') ? 'IPv6' : 'IPv4',
  };
}

type HttpMessageSocket = Socket & { _httpMessage: unknown };

/**
 * ServerResponse.assignSocket without its 'close' listener (onServerResponseClose), for a
 * socket whose connection gives the response its 'close' itself when the peer leaves first
 * (uwsgi-connection.ts onClose). The listener, added and removed per request, cost an emitter
 * an `_events` object and ~0.5 µs. Nothing can be buffered in a response made a moment ago, so
 * assignSocket's _flush has nothing to send.
 */
export function attachResponse(res: ServerResponse, socket: Socket): void {
  (socket as HttpMessageSocket)._httpMessage = res;
  (res as { socket: Socket | null }).socket = socket;
  res.emit('socket', socket);
}

/** ServerResponse.detachSocket for a socket given its response by attachResponse(). */
export function detachResponse(res: ServerResponse, socket: Socket): void {
  (socket as HttpMessageSocket)._httpMessage = null;
  (res as { socket: Socket | null }).socket = null;
}

/**
 * What Node's server does when a response finishes before the app read the request: drop the
 * body's 'data' listeners and let it flow to its end, so the request still emits 'end' and
 * 'close' (`resOnFinish` → `req._dump()`). Only if the app never started reading it.
 */
export function dumpUnread(req: IncomingMessage): void {
  const r = req as IncomingMessage & { _consuming?: boolean; _dump?: () => void; _readableState?: { resumeScheduled?: boolean } };
  if (r._consuming !== true && r._readableState?.resumeScheduled !== true && typeof r._dump === 'function') r._dump();
}

/**
 * The request's own `end` and `close` after its response, when the app read none of it (a
 * GET): as dumpUnread, but only when something listens on the request. Ending a stream costs
 * several ticks (resume, flow, endReadable, autoDestroy), about 5% of a hello-world request's
 * CPU behind nginx; a request nobody watches is left as it is. Node's server would emit the two
 * events within a tick, so a listener added later misses them either way; only the request's
 * readableEnded/destroyed flags differ.
 */
export function endUnwatchedCheaply(req: IncomingMessage): void {
  if (req.listenerCount('end') + req.listenerCount('close') + req.listenerCount('data') + req.listenerCount('readable') === 0) return;
  dumpUnread(req);
}

/**
 * A response's 'close', as Node's server emits it (`emitCloseNT`): once done (or once the
 * client is gone) it is destroyed, so a late write calls back with an error instead of emitting
 * one. `_closed` keeps Node from emitting it a second time.
 */
export function closeResponse(res: ServerResponse): void {
  const r = res as ServerResponse & { _closed?: boolean; destroyed: boolean };
  if (r._closed === true) return;
  r.destroyed = true;
  r._closed = true;
  res.emit('close');
}

/** The head of a response once sent (for log-format's %(hsize)); undefined before. */
export function sentHead(res: ServerResponse): string | undefined {
  const head = (res as ServerResponse & { _header?: string | null })._header;
  return typeof head === 'string' ? head : undefined;
}

/** A handle made by net._createServerHandle: bound (or wrapping an fd), not listening. */
export interface RawServerHandle {
  fd: number;
  close(): void;
  getsockname?(out: Record<string, unknown>): number;
}

type CreateServerHandle = (address: string | null, port: number, addressType: number, fd?: number, flags?: number) => RawServerHandle | number;

/**
 * Binds an address (port -1: a unix socket path) or wraps an inherited fd without listening:
 * the primitive Node's cluster primary uses for shared handles. No public API binds without
 * listening (net.Server.listen() does both, and the master must not accept: the workers listen
 * on their dups). Returns the handle, or a negative errno.
 */
export function createServerHandle(address: string | null, port: number, addressType: number, fd?: number): RawServerHandle | number {
  const create = (net as unknown as { _createServerHandle: CreateServerHandle })._createServerHandle;
  return create(address, port, addressType, fd);
}

/**
 * A forged NODE_HANDLE_ACK/NACK from a worker fails an assertion inside the master's
 * ChildProcess unless a handle transfer is pending (worker-channel-guard.ts). No public API
 * sees Node's internal messages or their queue: this gives the assertion the empty queue it
 * expects. True when the message was forged (no transfer was pending).
 */
export function defuseForgedHandleAck(child: ChildProcess): boolean {
  const internals = child as ChildProcess & { _handleQueue?: unknown[] | null };
  if (Array.isArray(internals._handleQueue)) return false;
  internals._handleQueue = [];
  return true;
}

/**
 * The IPC channel's native handle, whose `onread` parses what the worker wrote. No public API
 * lets the parent survive bytes that are not JSON (a worker writing to fd 3): the guard wraps
 * this callback. Undefined when Node's layout differs (the guard is then not installed).
 */
export function ipcChannelReader(child: ChildProcess): { onread: (...args: unknown[]) => unknown } | undefined {
  const key = Object.getOwnPropertySymbols(child).find((s) => s.description === 'kChannelHandle');
  if (key === undefined) return undefined;
  const handle = (child as unknown as Record<symbol, { onread?: (...args: unknown[]) => unknown } | undefined>)[key];
  return typeof handle?.onread === 'function' ? (handle as { onread: (...args: unknown[]) => unknown }) : undefined;
}

/**
 * The response Node's http server is writing on this connection (`socket._httpMessage`; later
 * pipelined ones wait in Node's queue), or null. No public API maps a socket to its current
 * response; Node's own default clientError handler reads the same field.
 */
export function currentResponse(socket: Socket): ServerResponse | null {
  return (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage ?? null;
}

/**
 * The request Node's http parser is reading on this connection (`socket.parser.incoming`), or
 * null. No public API gives a clientError handler the request the error cut short.
 */
export function parsingRequest(socket: Socket): IncomingMessage | null {
  return (socket as Socket & { parser?: { incoming: IncomingMessage | null } | null }).parser?.incoming ?? null;
}

type Consumable = IncomingMessage & { _consuming?: boolean; _dumped?: boolean; _readableState: { readingMore: boolean } };

/**
 * Whether the app has started reading the request (`_consuming`, which Node's server reads to
 * decide whether to dump an unread body). No public API says so.
 */
export function isConsuming(req: IncomingMessage): boolean {
  return (req as Consumable)._consuming === true;
}

/**
 * What IncomingMessage's own `_read` does on the app's first read, for a `_read` that replaces
 * it (post-buffering reads a body from its temp file): mark the request consumed, and let the
 * stream ask for more after each push (the constructor sets `readingMore` so that nothing is
 * read before the app asks; left set, a flowing request stops after its first chunk).
 */
export function markConsuming(req: IncomingMessage): void {
  const r = req as Consumable;
  if (r._consuming === true) return;
  r._readableState.readingMore = false;
  r._consuming = true;
}

/** The request's body was dumped (`_dump()`: the response is done and nobody reads it). */
export function isDumped(req: IncomingMessage): boolean {
  return (req as Consumable)._dumped === true;
}

/**
 * Lets a request's socket send more after a push() that said false: what IncomingMessage's own
 * `_read` does (`readStart`), which leaves a socket Node's server paused itself (`_paused`, too
 * many pipelined responses) alone. No public API; post-buffering needs it because nobody reads
 * the request while its body is being kept.
 */
export function resumeReading(socket: Socket | null): void {
  if (socket !== null && (socket as Socket & { _paused?: boolean })._paused !== true && socket.readable) socket.resume();
}

/** A connection's native handle (a Pipe or TCP wrap) as the listening handle hands it over. */
export interface AcceptedHandle {
  readonly fd: number;
  readStart(): number;
  readStop(): number;
  close(cb?: () => void): void;
  onread: ((data?: ArrayBuffer) => void) | null;
  ref(): void;
  unref(): void;
  getsockname?(out: object): number;
  setNoDelay?(on: boolean): number;
  setKeepAlive?(on: boolean, delaySeconds: number): number;
}

type OnConnection = (this: unknown, err: number, handle: AcceptedHandle | undefined) => void;

/**
 * Takes each accepted connection's handle before net.Server wraps it in a net.Socket, by
 * replacing the listening handle's `onconnection` (what net.Server itself sets). No public API
 * accepts without building the stream; light-socket.ts answers most uwsgi requests without
 * one. Errors (EMFILE…) and a handle that is not there go to net.Server as before. False when
 * the server has no listening handle of that shape (then net.Server keeps every connection).
 */
export function takeAcceptedHandles(server: Server, onHandle: (handle: AcceptedHandle) => void): boolean {
  const listening = (server as unknown as { _handle?: { onconnection?: OnConnection } | null })._handle;
  const netOnConnection = listening?.onconnection;
  if (listening == null || typeof netOnConnection !== 'function') return false;
  listening.onconnection = function onconnection(err, handle) {
    if (err !== 0 || handle === undefined) return netOnConnection.call(this, err, handle);
    onHandle(handle);
  };
  return true;
}

/** What a stream handle's onread got: the bytes read (or a negative errno), and where they start. */
export interface ReadResult {
  nread(): number;
  offset(): number;
}

type StreamWrapBinding = { streamBaseState?: Int32Array; kReadBytesOrError?: number; kArrayBufferOffset?: number };

/**
 * The length and offset of the read a stream handle's `onread` was just called with, or
 * undefined when this Node does not expose them. onread gets an ArrayBuffer that is not the
 * read's bytes on every line (Node 24+ hand over the whole allocation at times); net.Socket
 * reads the two numbers from the stream_wrap binding's shared `streamBaseState`
 * (stream_base_commons.js onStreamRead), which `process.binding('stream_wrap')` returns as
 * is on Node 20-26. No public API reads a handle without a net.Socket (light-socket.ts).
 * process.binding warns under --pending-deprecation (DEP0111): looked up once, quietly.
 */
export function streamReadState(): ReadResult | undefined {
  const quiet = process.noDeprecation;
  let binding: StreamWrapBinding | undefined;
  try {
    process.noDeprecation = true;
    binding = (process as unknown as { binding(name: string): StreamWrapBinding }).binding('stream_wrap');
  } catch {
    return undefined;
  } finally {
    process.noDeprecation = quiet;
  }
  const state = binding?.streamBaseState;
  const bytes = binding?.kReadBytesOrError;
  const offset = binding?.kArrayBufferOffset;
  if (!(state instanceof Int32Array) || typeof bytes !== 'number' || typeof offset !== 'number') return undefined;
  return { nread: () => state[bytes] as number, offset: () => state[offset] as number };
}

/**
 * A net.Socket on an accepted handle, made as net.Server makes one (`new Socket({ handle })`,
 * paused until read). The `handle` option is not public: light-socket.ts promotes itself with
 * it when it needs the streams.
 */
export function socketOnHandle(handle: AcceptedHandle): Socket {
  return new net.Socket({ handle, readable: true, writable: true, pauseOnCreate: true } as unknown as net.SocketConstructorOpts);
}
