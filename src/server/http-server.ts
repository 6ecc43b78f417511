/**
 * The http-socket server of one app thread: Node's HTTP/1.1 server with tsuwsgi's limits
 * (buffer-size, limit-post), timeouts (http-timeout, http-keepalive), the uwsgi socket's
 * answers and log lines for requests it refuses, and a drain that never waits on a connection
 * that holds no request.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ServeContext } from './context';
import { runApp } from './run-app';
import { boundPeerWaits, kServed } from './http-socket-timeout';
import { TsuwsgiResponse } from './response';
import { clientErrorListener, connectListener } from './http-client-error';
import { answerBytes, closeAfterAnswer, kRejected, refuse, type HttpSocket } from './http-reject';
import { lengthOverLimit, limitedRequestClass, refuseBody } from './http-limits';

/** How often Node looks for requests past http-timeout (its default, 30 s, is how late it could act). */
const TIMEOUT_CHECK_MS = 1000;
/** In a drain, how long a connection that has no request yet may still deliver one. */
const HEAD_GRACE_MS = 1000;

const kTracked = Symbol('tsuwsgi.tracked');
const kDrainStart = Symbol('tsuwsgi.drainStart');

/** This thread's open connections (every socket kind) and this server's own. */
interface Tracked {
  readonly all: Set<Socket>;
  readonly mine: Set<Socket>;
}
type TrackedSocket = HttpSocket & { [kTracked]: Tracked };
type TrackedServer = http.Server & { [kTracked]: Tracked; [kDrainStart]?: number };

export function createHttpServer(ctx: ServeContext): http.Server {
  const timeoutMs = ctx.requestTimeoutMs;
  const server = http.createServer(
    {
      // Node refuses a head once its URL, header names and values reach maxHeaderSize: a head
      // of exactly buffer-size such bytes passes, as a vars block of buffer-size does.
      maxHeaderSize: ctx.bufferSize + 1,
      // Node requires headersTimeout <= requestTimeout; both run from the request's first byte.
      requestTimeout: timeoutMs,
      headersTimeout: timeoutMs,
      // 0 would mean "never time out" to Node; http-keepalive 0 closes after every response instead.
      keepAliveTimeout: ctx.httpKeepalive * 1000,
      connectionsCheckingInterval: TIMEOUT_CHECK_MS,
      // Checked in requestListener, to answer and log it like any other bad request.
      requireHostHeader: false,
      // A write after end is one warning line, not an 'error' event that ends the worker.
      ServerResponse: TsuwsgiResponse,
      ...(ctx.limitPost > 0 ? { IncomingMessage: limitedRequestClass(ctx) } : {}),
    },
    requestListener(ctx),
  ) as TrackedServer;
  if (ctx.limitPost > 0) server.on('checkContinue', checkContinueListener(ctx, server));
  server.on('clientError', clientErrorListener(ctx));
  boundPeerWaits(server, ctx);
  server.on('connect', connectListener(ctx));
  const tracked: Tracked = { all: ctx.connections, mine: new Set() };
  server[kTracked] = tracked;
  server.on('connection', (socket: Socket) => {
    (socket as TrackedSocket)[kTracked] = tracked;
    tracked.all.add(socket);
    tracked.mine.add(socket);
    socket.on('close', forget);
  });
  return server;
}

function forget(this: TrackedSocket): void {
  this[kTracked].all.delete(this);
  this[kTracked].mine.delete(this);
}

function requestListener(ctx: ServeContext): (req: IncomingMessage, res: ServerResponse) => void {
  const keepAlive = ctx.httpKeepalive > 0;
  const limited = ctx.limitPost > 0;
  const onClose = responseCloseListener(ctx);
  return (req, res) => {
    // Pipelined behind a request tsuwsgi refused: the connection is closing, nothing more is served.
    if ((req.socket as HttpSocket)[kRejected] === true) return;
    (req.socket as HttpSocket & { [kServed]?: true })[kServed] = true;
    res.on('close', onClose);
    if (!keepAlive) res.shouldKeepAlive = false;
    if (req.headers.host === undefined && req.httpVersionMinor === 1 && req.httpVersionMajor === 1) {
      ctx.log.warn({ event: 'bad-request', code: 'E_HTTP_BAD_REQUEST' }, 'HTTP/1.1 request without a Host header');
      ctx.stats?.readError(ctx.threadIndex);
      refuse(req, res, 400, 'Bad Request');
      return;
    }
    if (limited && refuseBody(ctx, req, res)) return;
    runApp(ctx, req, res);
  };
}

/** Node says nothing when a client leaves mid-response; say it once, as the uwsgi socket does. */
function responseCloseListener(ctx: ServeContext): (this: ServerResponse) => void {
  return function onResponseClose(this: ServerResponse): void {
    // Routine, not an error; and not a client leaving when tsuwsgi closed the connection itself.
    if (this.writableFinished || (this.req.socket as HttpSocket | null)?.[kRejected] === true) return;
    ctx.log.info({ event: 'client-gone', uri: this.req.url }, 'connection closed before the response was complete');
  };
}

/** With this listener Node sends no 100 Continue itself: it goes out only for a body that will be read. */
function checkContinueListener(ctx: ServeContext, server: http.Server): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (!lengthOverLimit(req, ctx.limitPost)) res.writeContinue();
    server.emit('request', req, res);
  };
}

/**
 * One pass of a graceful stop's drain: connections idle between keep-alive requests close at
 * once (Node knows them), and, after a short grace, so does every connection with no request
 * in the app (silent, or still sending its head), whatever http-timeout says. A response still
 * to be written announces the close (Connection: close).
 */
export function closeIdle(server: http.Server, ctx: ServeContext): void {
  const s = server as TrackedServer;
  const now = performance.now();
  s[kDrainStart] ??= now;
  server.closeIdleConnections();
  const graceOver = now - s[kDrainStart] >= HEAD_GRACE_MS;
  // server.close() stops Node's http-timeout checks: a body still arriving gets http-timeout
  // from the start of the stop (never less than it had), and is then cut.
  const uploadsOver = now - s[kDrainStart] >= ctx.requestTimeoutMs;
  for (const socket of s[kTracked].mine) {
    const res = (socket as HttpSocket)._httpMessage;
    if (res == null) {
      if (graceOver) socket.destroy();
    } else if (uploadsOver && !res.req.complete) {
      ctx.log.info({ event: 'timeout', state: 'body', uri: res.req.url, limitMs: ctx.requestTimeoutMs }, 'connection timed out at a graceful stop: the request body did not arrive within http-timeout');
      closeAfterAnswer(socket as HttpSocket, res.headersSent ? undefined : answerBytes(408, 'Request Timeout'), false);
    } else if (!res.headersSent) {
      res.shouldKeepAlive = false;
    }
  }
}
