/**
 * The http-socket server of one app thread (http-socket.ts): Node's HTTP/1.1 server with
 * tsuwsgi's limits (buffer-size, limit-post), timeouts (socket-timeout, http-timeout,
 * http-keepalive), the uwsgi socket's answers and log lines for requests it refuses, and the
 * connections the app takes over (http-upgrade.ts).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { ServeContext } from './context';
import { logClientGone } from './connections';
import { runApp } from './run-app';
import { boundPeerWaits, kServed } from './http-socket-timeout';
import { TsuwsgiResponse } from './response';
import { clientErrorListener } from './http-client-error';
import { offerUpgrades } from './http-upgrade';
import { kRejected, refuse, type HttpSocket } from './http-reject';
import { lengthOverLimit, limitedRequestClass, refuseBody } from './http-limits';
import { announcedLength, BufferedRequest, holdBody } from './post-buffer';

/** How often Node looks for requests past http-timeout (its default, 30 s, is how late it could act). */
const TIMEOUT_CHECK_MS = 1000;

function noIdleClose(): void {}

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
      ...requestClass(ctx),
    },
    requestListener(ctx),
  );
  // server.close() at a graceful stop runs closeIdleConnections(), which since Node 26 also
  // destroys a connection that has not sent its request yet. The stop closes connections that
  // hold no request itself, after the grace for a head on its way (connections.ts), on every
  // Node line alike.
  server.closeIdleConnections = noIdleClose;
  if (ctx.limitPost > 0) server.on('checkContinue', checkContinueListener(ctx, server));
  server.on('clientError', clientErrorListener(ctx));
  boundPeerWaits(server, ctx);
  offerUpgrades(server, ctx);
  return server;
}

function requestListener(ctx: ServeContext): (req: IncomingMessage, res: ServerResponse) => void {
  const keepAlive = ctx.httpKeepalive > 0;
  const limited = ctx.limitPost > 0;
  const buffered = ctx.postBuffering !== undefined;
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
      refuse(req, res, 400);
      return;
    }
    if (limited && refuseBody(ctx, req, res)) return;
    // post-buffering: the app is called once the body is whole (post-buffer.ts), not now.
    if (buffered && holdBody(ctx, req, res, announcedLength(req.headers))) return;
    runApp(ctx, req, res);
  };
}

/** Node's own IncomingMessage unless limit-post counts the body or post-buffering may hold it. */
function requestClass(ctx: ServeContext): { IncomingMessage?: typeof IncomingMessage } {
  const base = ctx.postBuffering === undefined ? undefined : BufferedRequest;
  if (ctx.limitPost > 0) return { IncomingMessage: limitedRequestClass(ctx, base) };
  return base === undefined ? {} : { IncomingMessage: base };
}

/** Node says nothing when a client leaves mid-response; say it once, as the uwsgi socket does. */
function responseCloseListener(ctx: ServeContext): (this: ServerResponse) => void {
  return function onResponseClose(this: ServerResponse): void {
    // Routine, not an error; and not a client leaving when tsuwsgi closed the connection itself.
    if (this.writableFinished || (this.req.socket as HttpSocket | null)?.[kRejected] === true) return;
    logClientGone(ctx, this.req.url, 'response');
  };
}

/** With this listener Node sends no 100 Continue itself: it goes out only for a body that will be read. */
function checkContinueListener(ctx: ServeContext, server: http.Server): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (!lengthOverLimit(req, ctx.limitPost)) res.writeContinue();
    server.emit('request', req, res);
  };
}
