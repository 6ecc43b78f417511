/**
 * post-buffering (uWSGI's option, with uWSGI's meaning): a request body is read whole before the
 * app is called, in memory under `threshold` bytes, from there on in a temp file (body-file.ts),
 * so an app that streams its body into its response cannot deadlock with nginx, which sends the
 * whole body before it reads any of the response. The app still gets its IncomingMessage and
 * reads it as usual: a body in memory is pushed into it whole, a file is read as the app reads.
 *
 * One place for both socket kinds. Each hands a body to its request through push(), chunk by
 * chunk and null at the end (UwsgiConnection.deliverBody, Node's parserOnBody), and holds its
 * socket when push() says false. A BufferedRequest takes those pushes aside while its body is
 * held, and calls the app (runApp) once the body is whole; a kind only builds its requests from
 * this class and calls holdBody() where it would call runApp(). limit-post comes first: on the
 * announced length before the app (413), and for a chunked body in LimitedIncomingMessage.push,
 * which runs before this push.
 *
 * The temp file is closed (having no name, it is then gone) when the app has read it to its end,
 * when the request is destroyed (its client left, the app destroyed it), or when the response is
 * done and the app never started reading it (Node's server would dump such a body). A request an
 * app drops after reading part of it closes its file when it is garbage-collected. A body that
 * cannot be kept (the directory is not writable, the disk is full) is answered 500 with one
 * E_POST_BUFFER line; the app never sees that request.
 */
import fs from 'node:fs';
import { IncomingMessage, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { PostBuffering, ServeContext } from './context';
import { BodyFile, openBodyFile, type BodyFileEvents } from './body-file';
import { runApp } from './run-app';
import { hooked, methodUnder } from './own-hooks';
import { isConsuming, isDumped, markConsuming, resumeReading } from '../shared/node-internals';

const kHeld = Symbol('tsuwsgi.heldBody');

enum Phase {
  /** The body is arriving; the app has not been called. */
  Receiving,
  /** The body is whole and the app has the request. */
  Ready,
  /** It could not be kept: answered 500, the rest of the body is dropped. */
  Failed,
  /** Read to its end, abandoned or destroyed: nothing is kept any more. */
  Released,
}

/**
 * The request class of a server with post-buffering: any request may have its body held. Its
 * three hooks are each request's own properties, not methods: Express gives every request its
 * own prototype (`Object.setPrototypeOf(req, app.request)`, a chain of express's request and
 * Node's IncomingMessage) when the app is called, and a body held in a file was then never read
 * (the request hung) nor released. Each hook calls the method under it (own-hooks.ts).
 */
export class BufferedRequest extends IncomingMessage {
  [kHeld]: HeldBody | undefined = undefined;

  constructor(...args: ConstructorParameters<typeof IncomingMessage>) {
    super(...args);
    const own = this as unknown as Record<'push' | '_read' | '_destroy', unknown>;
    own.push = heldPush;
    own._read = heldRead;
    own._destroy = heldDestroy;
    hooked(this);
  }
}

function heldPush(this: BufferedRequest, chunk: unknown, encoding?: BufferEncoding): boolean {
  const held = this[kHeld];
  return held === undefined ? (methodUnder(this, 'push').call(this, chunk, encoding) as boolean) : held.take(chunk as Buffer | null);
}

function heldRead(this: BufferedRequest, size: number): void {
  const held = this[kHeld];
  if (held === undefined || !held.inFile()) methodUnder(this, '_read').call(this, size);
  else held.readFile();
}

function heldDestroy(this: BufferedRequest, err: Error | null, callback: (error?: Error | null) => void): void {
  this[kHeld]?.release();
  methodUnder(this, '_destroy').call(this, err, callback);
}

/**
 * Where a socket kind would call the app: with post-buffering on and a body to come (`length`
 * > 0, or -1 for a chunked one) the app is called once the body is whole, and this says true;
 * otherwise false, and the caller calls the app itself. Before any of the body is pushed.
 */
export function holdBody(ctx: ServeContext, req: IncomingMessage, res: ServerResponse, length: number): boolean {
  const settings = ctx.postBuffering;
  if (settings === undefined || length === 0 || !(req instanceof BufferedRequest)) return false;
  const held = new HeldBody(ctx, settings, req, res);
  req[kHeld] = held;
  // Announced at the threshold or above: to the file from the first byte (uWSGI: post_cl >= post_buffering).
  if (length >= settings.threshold) held.spill();
  return true;
}

/** The body's length as an http request announces it: -1 when chunked (not known until its end), 0 without a body. */
export function announcedLength(headers: IncomingMessage['headers']): number {
  if (headers['transfer-encoding'] !== undefined) return -1;
  const length = headers['content-length'];
  return length === undefined ? 0 : Number(length);
}

/**
 * A request dropped with its file still open: the fd is closed when the request is collected.
 * The fd, not the BodyFile, is held (the file leads back to the request). Nothing can be in
 * flight on it then: an fs call in flight keeps the request reachable through its callback.
 */
const orphans = new FinalizationRegistry<number>((fd) => fs.close(fd, ignore));

class HeldBody implements BodyFileEvents {
  private phase = Phase.Receiving;
  private chunks: Buffer[] = [];
  private received = 0;
  private file: BodyFile | undefined;
  /** take() said false: the source waits for resumeReading(). */
  private holding = false;

  constructor(
    private readonly ctx: ServeContext,
    private readonly settings: PostBuffering,
    private readonly req: BufferedRequest,
    private readonly res: ServerResponse,
  ) {}

  /** A push from the source: a chunk of the body, or null at its end. */
  take(chunk: Buffer | null): boolean {
    if (this.phase !== Phase.Receiving) {
      // After a failure the rest of the body is dropped; its end still ends the request.
      if (chunk === null) pushToApp(this.req, null);
      return true;
    }
    if (chunk === null) {
      this.whole();
      return true;
    }
    this.received += chunk.length;
    if (this.file !== undefined) return this.hold(this.file.write(chunk));
    this.chunks.push(chunk);
    // A chunked body has no length up front: it moves to a file once it reaches the threshold.
    if (this.received >= this.settings.threshold) this.spill();
    return true;
  }

  spill(): void {
    let fd: number;
    try {
      fd = openBodyFile(this.settings.dir);
    } catch (err) {
      this.refuse(err as NodeJS.ErrnoException);
      return;
    }
    const file = new BodyFile(fd, this.settings.bufsize, this);
    this.file = file;
    orphans.register(this.req, fd, this);
    this.res.once('close', responseClosed);
    for (const chunk of this.chunks) file.write(chunk);
    this.chunks = [];
  }

  inFile(): boolean {
    return this.phase === Phase.Ready && this.file !== undefined;
  }

  /** The app wants more of a body kept in the file. */
  readFile(): void {
    markConsuming(this.req);
    // The response is done and nobody reads the body (Node's _dump): no need to read the file.
    if (isDumped(this.req)) this.abandon();
    else (this.file as BodyFile).read();
  }

  /** The response is done and the app never read the body: it goes, the request ends empty. */
  abandon(): void {
    const was = this.phase;
    this.release();
    if (was === Phase.Ready) pushToApp(this.req, null);
  }

  release(): void {
    if (this.phase === Phase.Released) return;
    this.phase = Phase.Released;
    this.chunks = [];
    if (this.file !== undefined) {
      this.file.close();
      orphans.unregister(this);
      this.file = undefined;
    }
  }

  // BodyFileEvents

  written(): void {
    this.phase = Phase.Ready;
    runApp(this.ctx, this.req, this.res);
  }

  drained(): void {
    if (!this.holding) return;
    this.holding = false;
    resumeReading(this.req.socket);
  }

  failed(err: Error): void {
    if (this.phase === Phase.Receiving) {
      this.refuse(err as NodeJS.ErrnoException);
      return;
    }
    // A read for the app failed: its request fails as one cut short does.
    this.release();
    this.req.destroy(err);
  }

  chunk(data: Buffer, last: boolean): void {
    if (last) this.release();
    if (data.length > 0) pushToApp(this.req, data);
    if (last) pushToApp(this.req, null);
  }

  private hold(ok: boolean): boolean {
    if (!ok) this.holding = true;
    return ok;
  }

  /** The body is whole: the app gets it now (memory), or once the file has it all. */
  private whole(): void {
    if (this.file !== undefined) {
      this.file.finish();
      return;
    }
    this.phase = Phase.Ready;
    const chunks = this.chunks;
    this.chunks = [];
    for (const chunk of chunks) pushToApp(this.req, chunk);
    pushToApp(this.req, null);
    runApp(this.ctx, this.req, this.res);
  }

  private refuse(err: NodeJS.ErrnoException): void {
    this.release();
    this.phase = Phase.Failed;
    const { ctx, req, settings } = this;
    ctx.log.error(
      { event: 'post-buffering-failed', code: 'E_POST_BUFFER', method: req.method, uri: req.url, dir: settings.dir, error: err.code ?? err.message },
      `cannot keep a request body in ${settings.dir} (post-buffering-dir): ${err.message}; answered 500`,
    );
    ctx.stats?.readError(ctx.threadIndex);
    answer500(this.res);
    // The rest of the body is read and dropped, so the answer is not lost to a reset.
    this.drained();
  }
}

/** Into the request the app reads, past BufferedRequest's own push. */
function pushToApp(req: BufferedRequest, chunk: Buffer | null): void {
  Readable.prototype.push.call(req, chunk);
}

/** The response's 'close' (with a body in a file): a body the app never started to read goes now. */
function responseClosed(this: ServerResponse): void {
  const req = this.req as BufferedRequest;
  // Being read: it goes at its end, or when the request is destroyed.
  if (!isConsuming(req)) req[kHeld]?.abandon();
}

function answer500(res: ServerResponse): void {
  if (res.headersSent) return;
  const body = 'Internal Server Error\n';
  res.shouldKeepAlive = false;
  res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function ignore(): void {
  // The fd of a request nobody holds any more: nothing to do about an error.
}
