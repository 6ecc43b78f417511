/**
 * One connection on a uwsgi socket (uwsgi-socket.ts), a state machine (uwsgi-state.ts): frame
 * the packet, check it, hand the request to the app with the body streamed (with
 * backpressure), and close once the response is out. nginx never reuses a uwsgi connection, so
 * one connection carries exactly one request. What it answers to a request it refuses is
 * uwsgi-early-answers.ts; how long it waits for its peer, uwsgi-timeouts.ts.
 *
 * The app sees what Node's own HTTP server shows it: `finish` then `close` on the response,
 * then `end` and `close` on the request (its body is dumped if the app never read it); when
 * the peer leaves first, `aborted` on the request, `close` on the response, then the
 * request's `close` (and its `error`, only if the app listens for one).
 */
import type { Socket } from 'node:net';
import { IncomingMessage } from 'node:http';
import {
  parsePacket, bodyLength, encodePong, requestHead, UwsgiFramer,
  type FramerResult, type ParseResult, type RequestPacket,
} from '../protocol';
import type { ServeContext } from './context';
import { buildRequest, buildResponse } from './node-request';
import type { TsuwsgiResponse } from './response';
import { runApp } from './run-app';
import type { AcceptGate, Release } from './accept-gate';
import { keep, readNow, NOTHING_YET, PEER_CLOSED } from './read-now';
import { LightSocket } from './light-socket';
import { logClientGone, track, untrack, type GoneWhy, type OpenConnection } from './connections';
import { responseFinished, socketClose, socketData, socketDrain, socketEnd, socketError, socketTimeout } from './uwsgi-listeners';
import { State } from './uwsgi-state';
import { clearDeadline, needsIdleTimer, setDeadline } from './uwsgi-timeouts';
import { headRefusal, lengthRefusal, logRefusal, packetRefusal, refuse, upgradeRefusal, type Refusing } from './uwsgi-early-answers';
import { closeResponse, detachResponse, dumpUnread, endUnwatchedCheaply } from '../shared/node-internals';

/** How long into a graceful stop a connection that sent nothing yet may still start its request. */
const SILENT_GRACE_MS = 1000;

export function handleUwsgiConnection(socket: Socket, ctx: ServeContext, gate: AcceptGate): void {
  new UwsgiConnection(socket, ctx).start(gate);
}

export class UwsgiConnection implements OpenConnection, Refusing {
  state = State.Head;
  /** Created only when the head spans several reads. */
  private framer: UwsgiFramer | undefined;
  remaining = 0;
  private req: IncomingMessage | undefined;
  private res: TsuwsgiResponse | undefined;
  /** A response (ours or the app's) is complete: only the close is left. */
  responded = false;
  /** A peer that leaves is one line, whichever of error, end and close report it. */
  goneLogged = false;
  private reading = false;
  private releaseGate: Release | undefined;
  /** The head's, then the body's, total deadline (not reset by activity, unlike the idle one). */
  deadline: NodeJS.Timeout | undefined;

  constructor(
    readonly socket: Socket,
    readonly ctx: ServeContext,
  ) {
    track(ctx.connections, socket, this);
    if (socket instanceof LightSocket) {
      // Told by the socket itself: no listeners to add per connection.
      socket.owner = this;
    } else {
      socket.on('error', socketError);
      socket.on('close', socketClose);
      socket.on('drain', socketDrain);
    }
  }

  /**
   * nginx writes its packet right after connect(), but a stop can begin between our accept and
   * its arrival: closing then is a 502 for a request nginx already sent. So a silent connection
   * gets the same grace as an http one before it counts as no request.
   */
  get drainGraceMs(): number {
    return SILENT_GRACE_MS;
  }

  /** Connected, and not one byte received: not a request in flight. */
  holdsRequest(): boolean {
    return this.state !== State.Head || this.framer !== undefined;
  }

  get uri(): string | undefined {
    return this.req?.url;
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
      setDeadline(this, this.ctx.socketTimeoutMs);
      this.readRest();
    } else if (!this.responded && !this.socket.destroyed) {
      // Body still to come, or an app answering later: read on, which also sees a peer leave.
      this.readRest();
    }
  }

  readRest(): void {
    if (this.reading) return;
    const res = this.res;
    const ended = res !== undefined && res.writableEnded;
    // Answered in full already (the app ended its response in the call): the close comes
    // next, nothing is left to watch for.
    if (this.state === State.Done && ended && this.socket.writableLength === 0) return;
    this.reading = true;
    this.socket.on('data', socketData);
    this.socket.on('timeout', socketTimeout);
    this.socket.on('end', socketEnd);
    if (needsIdleTimer(this.state, ended, this.socket.writableLength)) {
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
      // The body's first bytes outlive this call; the chunk may be read-now's reused buffer.
      if (result.kind === 'request' && result.headerLength < chunk.length) rest = keep(chunk.subarray(result.headerLength));
    } else {
      // Assembled in one buffer sized to the packet: linear in the bytes, whatever the split.
      const framed: FramerResult = this.framer.push(chunk);
      if (framed.kind === 'need-more') return;
      if (framed.kind === 'request') rest = framed.rest;
      result = framed;
    }
    this.framer = undefined;
    clearDeadline(this);
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
        refuse(this, packetRefusal(result), Infinity);
        return;
    }
  }

  private startRequest(packet: RequestPacket, rest: Buffer | undefined): void {
    const { vars } = packet;
    const inHand = rest === undefined ? 0 : rest.length;
    const length = bodyLength(vars, this.ctx.limitPost);
    if (typeof length !== 'number') {
      const announced = Number(vars.CONTENT_LENGTH);
      refuse(this, lengthRefusal(length, vars), Number.isSafeInteger(announced) ? announced - inHand : Infinity);
      return;
    }
    const head = requestHead(vars, length);
    if ('kind' in head) {
      refuse(this, headRefusal(head), length - inHand);
      return;
    }
    const upgrade = upgradeRefusal(this.ctx, vars);
    if (upgrade !== undefined) return refuse(this, upgrade, length - inHand);
    const buffered = length > 0 && this.ctx.postBuffering !== undefined;
    const buffering = buffered ? postBuffer() : undefined;
    const req = buildRequest(this.socket, head, vars, packet.varCount, packet.headerLength, buffering?.BufferedRequest ?? IncomingMessage);
    const res = buildResponse(req, this.socket);
    this.req = req;
    this.res = res;
    // on, not once: 'finish' comes once, and once() costs a wrapper and a removal per request.
    res.on('finish', responseFinished);
    this.remaining = length;
    let held = false;
    if (length === 0) {
      this.endBody();
    } else {
      this.state = State.Body;
      // post-buffering: the app is called once the body is whole (post-buffer.ts), not now.
      held = buffering !== undefined && buffering.holdBody(this.ctx, req, res, length);
      if (inHand > 0) this.deliverBody(rest as Buffer);
      if (this.state === State.Body) setDeadline(this, this.ctx.requestTimeoutMs);
    }
    if (!held) runApp(this.ctx, req, res);
  }

  private deliverBody(chunk: Buffer): void {
    const req = this.req as IncomingMessage;
    let data = chunk;
    if (data.length > this.remaining) data = data.subarray(0, this.remaining);
    this.remaining -= data.length;
    if (req.destroyed) {
      // Destroyed by the app (a `for await` over it that threw): nobody reads it any more, so
      // the bytes are dropped and the socket reads on to the body's end.
      if (this.remaining === 0) {
        this.state = State.Done;
        clearDeadline(this);
      }
      return;
    }
    // IncomingMessage's _read resumes the socket when the app wants more: the same
    // backpressure contract Node's own HTTP parser uses.
    if (!req.push(data)) this.socket.pause();
    if (this.remaining === 0) this.endBody();
  }

  private endBody(): void {
    const req = this.req as IncomingMessage;
    this.state = State.Done;
    clearDeadline(this);
    req.complete = true;
    req.push(null);
  }

  /** The response is out: Node's server's resOnFinish, then close once the request is read. */
  onResponseDone(): void {
    const res = this.res as TsuwsgiResponse;
    this.responded = true;
    if (this.socket instanceof LightSocket) detachResponse(res, this.socket);
    else res.detachSocket(this.socket);
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
    const req = this.req as IncomingMessage;
    dumpUnread(req);
    process.nextTick(closeResponse, res);
    this.readRest();
    // A request the app destroyed pulls no more: what its backpressure paused is resumed, so
    // the rest is read (and dropped, deliverBody) up to the peer's EOF instead of hanging.
    if (req.destroyed) this.socket.resume();
    this.socket.end();
  }

  /** The next tick after a complete exchange: res 'close', as Node's server emits it, then close(2). */
  closeExchange(): void {
    closeResponse(this.res as TsuwsgiResponse);
    const socket = this.socket;
    // Already a tick after 'finish': the socket's 'close' needs no further one.
    if (socket instanceof LightSocket) socket.closeNow();
    else socket.destroy();
  }

  onError(err: NodeJS.ErrnoException): void {
    // A peer that goes away is routine, not a server error.
    this.logGone('reset', { code: err.code });
  }

  private logGone(why: GoneWhy, fields?: { code?: string | undefined; missing?: number }): void {
    if (this.goneLogged) return;
    this.goneLogged = true;
    logClientGone(this.ctx, this.req?.url, why, fields);
  }

  onEnd(): void {
    if (this.state === State.Head && this.framer !== undefined) {
      // The framer holds what arrived of the head (every chunk it was given had bytes).
      const error = this.framer.end();
      if (error !== null) logRefusal(this.ctx, packetRefusal(error));
    } else if (this.state === State.Body) {
      this.logGone('body', { missing: this.remaining });
      this.ctx.stats?.readError(this.ctx.threadIndex);
    }
  }

  onClose(): void {
    untrack(this.ctx.connections, this.socket);
    clearDeadline(this);
    this.releaseGate?.();
    const { req, res } = this;
    if (req === undefined || res === undefined) return;
    const answered = res.writableFinished;
    if (!answered) this.logGone('response');
    // As Node's server: the request is aborted if the app was still at it or its body was
    // cut short (Node leaves the latter hanging; we end it, so its 'close' always comes).
    if ((!answered || this.state === State.Body) && !req.destroyed) req.destroy(connectionReset());
    if (!answered) closeResponse(res);
  }
}

let postBufferModule: typeof import('./post-buffer') | undefined;

/** post-buffering's code (and its body files'), loaded by a thread that has it configured. */
function postBuffer(): typeof import('./post-buffer') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  postBufferModule ??= require('./post-buffer') as typeof import('./post-buffer');
  return postBufferModule;
}

/** What Node's server destroys an aborted request with (connResetException('aborted')). */
function connectionReset(): Error {
  return Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
}

function afterResponse(conn: UwsgiConnection): void {
  conn.closeExchange();
}
