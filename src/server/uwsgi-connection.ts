/**
 * One connection on a uwsgi socket: frame the packet, check it, hand the request to the app
 * with the body streamed (with backpressure), answer protocol errors with a real status where
 * one can be sent, and close once the response is out. nginx never reuses a uwsgi connection,
 * so one connection carries exactly one request.
 *
 * The listener is created paused: the packet is first read synchronously in the accept
 * callback (read-now.ts), and the socket is read asynchronously only for what is still
 * missing, with this thread's accepting paused (accept-gate.ts) while a head is awaited.
 *
 * The app sees what Node's own HTTP server shows it: `finish` then `close` on the response,
 * then `end` and `close` on the request (its body is dumped if the app never read it); when
 * the peer leaves first, `aborted` on the request, `close` on the response, then the
 * request's `close` (and its `error`, only if the app listens for one).
 *
 * Every wait for the peer is bounded (uWSGI's socket-timeout): the whole head must arrive
 * within it, the body may pause no longer than it (only while we are reading: an app that
 * reads slowly holds the socket paused, which is not the peer's fault), and so may a response
 * the peer does not take; the whole body must arrive within http-timeout of the head. The
 * app's own time is never bounded here: that is harakiri's job.
 */
import type { Socket } from 'node:net';
import type { IncomingMessage } from 'node:http';
import {
  parsePacket, bodyLength, encodePong, requestHead, truncationError, UwsgiFramer,
  type FramerResult, type ParseResult, type RequestPacket,
} from '../protocol';
import type { ServeContext } from './context';
import { buildRequest, buildResponse } from './node-request';
import type { TsuwsgiResponse } from './response';
import { runApp } from './run-app';
import { rawResponse } from './raw-response';
import type { AcceptGate, Release } from './accept-gate';
import { readNow, NOTHING_YET, PEER_CLOSED } from './read-now';
import { closeResponse, dumpUnread, endUnwatchedCheaply } from '../shared/node-internals';

enum State {
  /** Waiting for the packet header and vars. */
  Head,
  /** The app has the request; its body is still arriving. */
  Body,
  /** We answered before the app ran (413, 431, 400); what the peer still sends is dropped. */
  Discard,
  /** Everything of the request is read. */
  Done,
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 413: 'Content Too Large', 431: 'Request Header Fields Too Large' };

export function handleUwsgiConnection(socket: Socket, ctx: ServeContext, gate: AcceptGate): void {
  new UwsgiConnection(socket, ctx).start(gate);
}

/**
 * Graceful stop: connections that have sent nothing yet are closed at once (nginx would have
 * written its packet right after connect, so they are not requests in flight); the rest finish.
 */
export function closeSilentConnections(sockets: Iterable<Socket>): void {
  for (const socket of sockets) {
    const conn = (socket as Partial<ConnSocket>)[kConn];
    if (conn?.silent === true) socket.destroy();
  }
}

class UwsgiConnection {
  private state = State.Head;
  /** Created only when the head spans several reads. */
  private framer: UwsgiFramer | undefined;
  private remaining = 0;
  private req: IncomingMessage | undefined;
  private res: TsuwsgiResponse | undefined;
  /** A response (ours or the app's) is complete: only the close is left. */
  private responded = false;
  /** A peer that leaves is one line, whichever of error, end and close report it. */
  private goneLogged = false;
  private reading = false;
  private releaseGate: Release | undefined;
  /** The head's, then the body's, total deadline (not reset by activity, unlike the idle one). */
  private deadline: NodeJS.Timeout | undefined;

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

  /** Connected, and not one byte received: not a request in flight. */
  get silent(): boolean {
    return this.state === State.Head && this.framer === undefined;
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
      // The request is not complete: accept nothing more on this thread until it is (within
      // the gate's bounds), so the app cannot block with it waiting here.
      this.releaseGate = gate.hold();
      this.setDeadline(this.ctx.socketTimeoutMs);
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
    // The idle bound, only where something may wait on the peer: a request still arriving, a
    // response not ended yet, or one the kernel has not taken whole. A small answer the app
    // ended at once (the usual case) needs no timer.
    const res = this.res;
    if (this.state !== State.Done || res === undefined || !res.writableEnded || this.socket.writableLength > 0) {
      this.socket.setTimeout(this.ctx.socketTimeoutMs);
    }
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
        // Bytes after the request: no front end sends any; they are not ours to read.
        break;
    }
  }

  private readHead(chunk: Buffer): void {
    let result: ParseResult;
    let rest: Buffer | undefined;
    if (this.framer === undefined) {
      // The usual case: the whole head in one read, parsed in place.
      result = parsePacket(chunk, this.ctx);
      if (result.kind === 'need-more') {
        this.framer = new UwsgiFramer(this.ctx);
        this.framer.push(chunk);
        return;
      }
      if (result.kind === 'request') rest = chunk.subarray(result.headerLength);
    } else {
      // Assembled in one buffer sized to the packet: linear in the bytes, whatever the split.
      const framed: FramerResult = this.framer.push(chunk);
      if (framed.kind === 'need-more') return;
      if (framed.kind === 'request') rest = framed.rest;
      result = framed;
    }
    this.framer = undefined;
    this.clearDeadline();
    this.dispatchHead(result, rest);
    // After the app was called, so a handler that blocks did so before the next accept.
    this.releaseGate?.();
  }

  private dispatchHead(result: Exclude<ParseResult, { kind: 'need-more' }>, rest: Buffer | undefined): void {
    switch (result.kind) {
      case 'request':
        this.startRequest(result, rest);
        return;
      case 'ping':
        this.state = State.Done;
        this.responded = true;
        this.socket.end(encodePong());
        // Wait for the peer's EOF (bounded by the idle timeout), then close.
        this.readRest();
        return;
      case 'error':
        if (result.status !== undefined) {
          this.ctx.log.warn({ event: 'request-rejected', code: result.code, status: result.status }, result.message);
          this.answerAndDiscard(result.status, Infinity);
        } else {
          this.ctx.log.warn({ event: 'bad-request', code: result.code }, result.message);
          this.ctx.stats?.readError(this.ctx.threadIndex);
          this.state = State.Done;
          this.socket.destroy();
        }
        return;
    }
  }

  private startRequest(packet: RequestPacket, rest: Buffer | undefined): void {
    const { vars } = packet;
    const inHand = rest === undefined ? 0 : rest.length;
    const length = bodyLength(vars, this.ctx.limitPost);
    if (typeof length !== 'number') {
      this.ctx.log.warn(
        { event: 'request-rejected', code: length.code, status: length.status, method: vars.REQUEST_METHOD, uri: vars.REQUEST_URI },
        length.message,
      );
      const announced = Number(vars.CONTENT_LENGTH);
      this.answerAndDiscard(length.status, Number.isSafeInteger(announced) ? announced - inHand : Infinity);
      return;
    }
    const head = requestHead(vars, length);
    if ('kind' in head) {
      this.ctx.log.warn({ event: 'bad-request', code: head.code, status: 400 }, head.message);
      this.ctx.stats?.readError(this.ctx.threadIndex);
      this.answerAndDiscard(400, length - inHand);
      return;
    }
    const req = buildRequest(this.socket, head, vars, packet.varCount, packet.headerLength);
    const res = buildResponse(req, this.socket);
    this.req = req;
    this.res = res;
    res.once('finish', responseFinished);
    this.remaining = length;
    if (length === 0) {
      this.endBody();
    } else {
      this.state = State.Body;
      if (inHand > 0) this.deliverBody(rest as Buffer);
      if (this.state === State.Body) this.setDeadline(this.ctx.requestTimeoutMs);
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
    this.clearDeadline();
    req.complete = true;
    req.push(null);
  }

  /** The response is out: Node's server's resOnFinish, then close once the request is read. */
  onResponseDone(): void {
    const res = this.res as TsuwsgiResponse;
    this.responded = true;
    res.detachSocket(this.socket);
    if (this.state === State.Done) {
      // The whole request was read and the response is in the kernel: close(2) delivers it
      // and the FIN, as uWSGI does, without a shutdown and a wait for nginx's EOF. Deferred
      // (with res 'close') because the stream is still inside its write callback here. The
      // request is ended here, as resOnFinish does: where its 'end' falls against res 'close'
      // is then Node's own (after it on Node 20/22, before it on 24+).
      endUnwatchedCheaply(this.req as IncomingMessage);
      process.nextTick(afterResponse, this);
      return;
    }
    // Body still arriving: it flows on into the request (and is dropped), so the request ends
    // with it; the peer's EOF then completes the close. Closing with unread bytes would reset
    // the connection, and nginx would show a 502.
    dumpUnread(this.req as IncomingMessage);
    process.nextTick(closeResponse, res);
    this.readRest();
    this.socket.end();
  }

  /** The next tick after a complete exchange: res 'close', as Node's server emits it, then close(2). */
  closeExchange(): void {
    closeResponse(this.res as TsuwsgiResponse);
    this.socket.destroy();
  }

  /**
   * Answer before the app runs (413, 431, 400). The rest of what the peer sends is read and
   * dropped: closing with unread bytes would reset the connection, and nginx would show its
   * client a 502 instead of our answer. Bounded like a body: idle and total.
   */
  private answerAndDiscard(status: number, left: number): void {
    this.remaining = left;
    this.state = left > 0 ? State.Discard : State.Done;
    this.responded = true;
    this.setDeadline(this.ctx.requestTimeoutMs);
    this.socket.end(rawResponse(status, REASONS[status] ?? 'Bad Request'));
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

  /** The idle timer: fatal only if we are the one waiting for the peer. */
  onIdle(): void {
    const waitingToRead = this.state === State.Head || this.state === State.Discard ||
      (this.state === State.Body && !this.socket.isPaused()) ||
      // Answered (a ping, an early answer): only the peer's EOF is awaited.
      (this.state === State.Done && this.responded);
    if (waitingToRead || this.socket.writableLength > 0) {
      this.timedOut(waitingToRead ? 'the peer sent nothing' : 'the peer took none of the response', this.ctx.socketTimeoutMs);
      return;
    }
    // The app is working (or reading its body slowly): not the peer's fault. Look again later.
    this.socket.setTimeout(this.ctx.socketTimeoutMs);
  }

  /** A total deadline passed: the head (socket-timeout) or the whole body (http-timeout). */
  onDeadline(): void {
    this.deadline = undefined;
    const head = this.state === State.Head;
    this.timedOut(head ? 'the request head did not arrive in time' : 'the request body did not arrive in time',
      head ? this.ctx.socketTimeoutMs : this.ctx.requestTimeoutMs);
  }

  private timedOut(why: string, limitMs: number): void {
    if (this.socket.destroyed) return;
    const where = State[this.state].toLowerCase();
    this.ctx.log.info({ event: 'timeout', state: where, uri: this.req?.url, limitMs }, `connection timed out: ${why} within ${limitMs} ms`);
    if (this.state === State.Head || this.state === State.Body) this.ctx.stats?.readError(this.ctx.threadIndex);
    this.goneLogged = true;
    this.socket.destroy();
  }

  onEnd(): void {
    if (this.state === State.Head && this.framer !== undefined) {
      const error = this.framer.end() ?? truncationError(Buffer.alloc(0));
      this.ctx.log.warn({ event: 'bad-request', code: error.code }, error.message);
      this.ctx.stats?.readError(this.ctx.threadIndex);
    } else if (this.state === State.Body) {
      this.logGone({ missing: this.remaining }, 'connection closed before the request body was complete');
      this.ctx.stats?.readError(this.ctx.threadIndex);
    }
  }

  onClose(): void {
    this.ctx.connections.delete(this.socket);
    this.clearDeadline();
    this.releaseGate?.();
    const { req, res } = this;
    if (req === undefined || res === undefined) return;
    const answered = res.writableFinished;
    if (!answered) this.logGone({}, 'connection closed before the response was complete');
    // As Node's server: the request is aborted if the app was still at it or its body was
    // cut short (Node leaves the latter hanging; we end it, so its 'close' always comes).
    if ((!answered || this.state === State.Body) && !req.destroyed) req.destroy(connectionReset());
    if (!answered) closeResponse(res);
  }

  private setDeadline(ms: number): void {
    this.clearDeadline();
    this.deadline = setTimeout(deadlinePassed, ms, this);
  }

  private clearDeadline(): void {
    if (this.deadline !== undefined) {
      clearTimeout(this.deadline);
      this.deadline = undefined;
    }
  }
}

/** What Node's server destroys an aborted request with (connResetException('aborted')). */
function connectionReset(): Error {
  return Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
}

function afterResponse(conn: UwsgiConnection): void {
  conn.closeExchange();
}

function deadlinePassed(conn: UwsgiConnection): void {
  conn.onDeadline();
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
  (this as ConnSocket)[kConn].onIdle();
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
function responseFinished(this: TsuwsgiResponse): void {
  (this.socket as ConnSocket | null)?.[kConn]?.onResponseDone();
}
