/**
 * One connection on a uwsgi socket: read the packet, hand the request to the app with the body
 * streamed (with backpressure), answer protocol errors with a real status where one can be
 * sent, and close once the response is out. nginx never reuses a uwsgi connection, so one
 * connection carries exactly one request.
 *
 * The listener is created paused: the packet is first read synchronously in the accept
 * callback (read-now.ts), and the socket is read asynchronously only for what is still
 * missing, with this thread's accepting paused (accept-gate.ts) while a request is awaited.
 */
import type { Socket } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parsePacket, bodyLength, encodePong, type UwsgiVars } from '../protocol';
import type { ServeContext } from './context';
import { buildRequest, buildResponse } from './node-request';
import { runApp } from './run-app';
import { rawResponse } from './raw-response';
import type { AcceptGate } from './accept-gate';
import { readNow, NOTHING_YET, PEER_CLOSED } from './read-now';

/** How long a connection may take to deliver its packet header and vars. */
const HEADER_TIMEOUT_MS = 60_000;
/** How long a request body being thrown away (after an early answer) may take. */
const DISCARD_TIMEOUT_MS = 30_000;

enum State {
  Head,
  Body,
  Discard,
  Done,
}

const REQUEST_TOO_BIG_HEAD = { status: 431, reason: 'Request Header Fields Too Large' };

export function handleUwsgiConnection(socket: Socket, ctx: ServeContext, gate: AcceptGate): void {
  new UwsgiConnection(socket, ctx).start(gate);
}

class UwsgiConnection {
  private state = State.Head;
  private head: Buffer | undefined;
  private remaining = 0;
  private req: IncomingMessage | undefined;
  private res: ServerResponse | undefined;
  private responded = false;
  /** A peer that leaves is one line, whichever of error, end and close report it. */
  private goneLogged = false;
  private reading = false;
  private releaseGate: (() => void) | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly ctx: ServeContext,
  ) {
    ctx.connections.add(socket);
    (socket as ConnSocket)[kConn] = this;
    socket.on('error', socketError);
    socket.on('close', socketClose);
    socket.on('drain', socketDrain);
  }

  /** Serve what has arrived already; read the socket only for what is still missing. */
  start(gate: AcceptGate): void {
    const chunk = readNow(this.socket);
    if (chunk === PEER_CLOSED) {
      this.state = State.Done;
      this.socket.destroy();
      return;
    }
    if (chunk !== NOTHING_YET) this.onData(chunk);
    if (this.state === State.Head) {
      // The request is not complete: accept nothing more on this thread until it is (or the
      // gate's short bound passes), so the app cannot block with it waiting here.
      this.releaseGate = gate.hold();
      this.socket.setTimeout(HEADER_TIMEOUT_MS);
      this.readRest();
    } else if (!this.responded && !this.socket.destroyed) {
      // Body still to come, or an app answering later: read on, which also sees a peer leave.
      this.readRest();
    }
  }

  private readRest(): void {
    if (this.reading) return;
    this.reading = true;
    this.socket.on('data', socketData);
    this.socket.on('timeout', socketTimeout);
    this.socket.on('end', socketEnd);
    this.socket.resume();
  }

  /** What node's HTTP server does for its responses: a drained socket drains the response. */
  onDrain(): void {
    const res = this.res;
    if (res !== undefined && !res.writableEnded) res.emit('drain');
  }

  onData(chunk: Buffer): void {
    switch (this.state) {
      case State.Head:
        this.readHead(chunk);
        break;
      case State.Body:
        this.deliverBody(chunk);
        break;
      case State.Discard:
        this.remaining -= chunk.length;
        if (this.remaining <= 0) this.state = State.Done;
        break;
      default:
        break;
    }
  }

  private readHead(chunk: Buffer): void {
    const buf = this.head === undefined ? chunk : Buffer.concat([this.head, chunk]);
    const result = parsePacket(buf, this.ctx);
    if (result.kind === 'need-more') {
      this.head = buf;
      return;
    }
    this.dispatchHead(result, buf);
    // After the app was called, so a handler that blocks did so before the next accept.
    this.releaseGate?.();
  }

  private dispatchHead(result: Exclude<ReturnType<typeof parsePacket>, { kind: 'need-more' }>, buf: Buffer): void {
    switch (result.kind) {
      case 'request':
        this.head = undefined;
        this.startRequest(result.vars, buf, result.headerLength, result.varCount);
        return;
      case 'ping':
        this.state = State.Done;
        this.responded = true;
        this.socket.end(encodePong());
        this.readRest();
        return;
      case 'error':
        this.head = undefined;
        if (result.status === 431) {
          this.ctx.log.warn({ event: 'request-rejected', code: result.code, status: 431 }, result.message);
          this.answerAndDiscard(REQUEST_TOO_BIG_HEAD.status, REQUEST_TOO_BIG_HEAD.reason, Infinity);
        } else {
          this.ctx.log.warn({ event: 'bad-request', code: result.code }, result.message);
          this.ctx.stats?.readError(this.ctx.threadIndex);
          this.state = State.Done;
          this.socket.destroy();
        }
        return;
    }
  }

  private startRequest(vars: UwsgiVars, buf: Buffer, headerLength: number, varCount: number): void {
    const length = bodyLength(vars, this.ctx.limitPost);
    const inHand = buf.length - headerLength;
    if (typeof length !== 'number') {
      this.ctx.log.warn(
        { event: 'request-rejected', code: length.code, status: length.status, method: vars.REQUEST_METHOD, uri: vars.REQUEST_URI },
        length.message,
      );
      const announced = Number(vars.CONTENT_LENGTH);
      const left = Number.isSafeInteger(announced) ? announced - inHand : Infinity;
      this.answerAndDiscard(length.status ?? 400, length.status === 413 ? 'Content Too Large' : 'Bad Request', left);
      return;
    }
    if (this.reading) this.socket.setTimeout(0);
    const req = buildRequest(this.socket, vars, length, varCount, headerLength);
    const res = buildResponse(req, this.socket);
    this.req = req;
    this.res = res;
    res.once('finish', responseFinished);
    this.remaining = length;
    if (length === 0) {
      this.endBody();
    } else {
      this.state = State.Body;
      if (inHand > 0) this.deliverBody(buf.subarray(headerLength));
    }
    runApp(this.ctx, req, res);
  }

  private deliverBody(chunk: Buffer): void {
    const req = this.req as IncomingMessage;
    let data = chunk;
    if (data.length > this.remaining) data = data.subarray(0, this.remaining);
    this.remaining -= data.length;
    // IncomingMessage's _read resumes the socket when the app wants more: the same
    // backpressure contract Node's own HTTP parser uses.
    if (!req.push(data)) this.socket.pause();
    if (this.remaining === 0) this.endBody();
  }

  private endBody(): void {
    const req = this.req as IncomingMessage;
    this.state = State.Done;
    req.complete = true;
    req.push(null);
  }

  /** The response is out: close, after reading whatever body the app left unread. */
  onResponseDone(): void {
    const res = this.res as ServerResponse;
    this.responded = true;
    res.detachSocket(this.socket);
    if (this.state === State.Done) {
      // The whole request was read and the response is in the kernel: close(2) delivers it
      // and the FIN, as uWSGI does, without a shutdown and a wait for nginx's EOF. Deferred
      // because the stream is still inside its write callback here.
      process.nextTick(destroySocket, this.socket);
      return;
    }
    if (this.state === State.Body) {
      this.state = State.Discard;
      this.socket.setTimeout(DISCARD_TIMEOUT_MS);
      this.readRest();
    }
    this.socket.end();
  }

  /**
   * Answer before reading the request (413, 431, 400). The rest of what the peer sends is
   * read and dropped: closing with unread bytes would reset the connection, and nginx would
   * show its client a 502 instead of our answer.
   */
  private answerAndDiscard(status: number, reason: string, left: number): void {
    this.remaining = left;
    this.state = left > 0 ? State.Discard : State.Done;
    this.responded = true;
    this.socket.setTimeout(DISCARD_TIMEOUT_MS);
    this.socket.end(rawResponse(status, reason));
    // Keep reading: what nginx still sends is dropped, and its EOF completes the close.
    this.readRest();
  }

  onError(err: NodeJS.ErrnoException): void {
    // A peer that goes away is routine, not a server error.
    this.logGone({ code: err.code }, 'connection closed by the peer');
  }

  private logGone(fields: Record<string, unknown>, msg: string): void {
    if (this.goneLogged) return;
    this.goneLogged = true;
    this.ctx.log.info({ event: 'client-gone', uri: this.req?.url, ...fields }, msg);
  }

  onTimeout(): void {
    this.ctx.log.info({ event: 'timeout', state: State[this.state] }, 'connection timed out');
    this.socket.destroy();
  }

  onEnd(): void {
    if (this.state === State.Head && this.head !== undefined) {
      this.ctx.log.warn({ event: 'bad-request', code: 'E_PROTO_TRUNCATED', received: this.head.length }, 'connection closed before the uwsgi packet was complete');
      this.ctx.stats?.readError(this.ctx.threadIndex);
    } else if (this.state === State.Body) {
      this.logGone({ missing: this.remaining }, 'connection closed before the request body was complete');
      this.ctx.stats?.readError(this.ctx.threadIndex);
      this.req?.destroy();
    }
  }

  onClose(): void {
    this.ctx.connections.delete(this.socket);
    if (this.res !== undefined && !this.res.writableFinished) {
      this.logGone({}, 'connection closed before the response was complete');
    }
  }
}

function destroySocket(socket: Socket): void {
  socket.destroy();
}

/*
 * Socket and response listeners shared by every connection (no closures per connection): each
 * finds its connection on the socket.
 */
const kConn = Symbol('tsuwsgi.connection');
type ConnSocket = Socket & { [kConn]: UwsgiConnection };

function socketData(this: Socket, chunk: Buffer): void {
  (this as ConnSocket)[kConn].onData(chunk);
}
function socketError(this: Socket, err: NodeJS.ErrnoException): void {
  (this as ConnSocket)[kConn].onError(err);
}
function socketTimeout(this: Socket): void {
  (this as ConnSocket)[kConn].onTimeout();
}
function socketEnd(this: Socket): void {
  (this as ConnSocket)[kConn].onEnd();
}
function socketClose(this: Socket): void {
  (this as ConnSocket)[kConn].onClose();
}
function socketDrain(this: Socket): void {
  (this as ConnSocket)[kConn].onDrain();
}
function responseFinished(this: ServerResponse): void {
  (this.socket as ConnSocket | null)?.[kConn]?.onResponseDone();
}
