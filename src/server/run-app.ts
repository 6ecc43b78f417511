/**
 * Calls the app for one request: turns a throw or a rejection into a 500 (when nothing was
 * sent yet), tells the worker's request hooks when the request starts and ends, and writes the
 * request log line when the response is done. Shared by the uwsgi and the http sockets, and so
 * the one place static files (static-map …) are served before the app, counted, logged and
 * bounded by harakiri like any request.
 *
 * One listener per request, a shared function (no closure): the response's 'close', which
 * comes once whether the response finished (`writableFinished`) or was cut short.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ServeContext } from './context';
import type { RequestLogFields } from '../shared/log-format';
import { kPacket, type WithPacket } from './node-request';
import type { StaticFiles } from './static/static-files';
import { sentHead } from '../shared/node-internals';
import { jsonString } from '../shared/text-escape';

const kStart = Symbol('tsuwsgi.start');
const kCtx = Symbol('tsuwsgi.ctx');
const kSocket = Symbol('tsuwsgi.socket');

type Running = ServerResponse & { [kStart]: number; [kCtx]: ServeContext; [kSocket]: Socket };

/**
 * The connection a response's request came on, for its log line and byte count. Not
 * `req.socket`: Node sets that to null when a server request is destroyed through
 * `stream.destroyer` (an app's `for await` that throws or breaks, a failed `pipeline`), and the
 * log line then read `null.bytesWritten` and took the worker down.
 */
export function connectionOf(res: ServerResponse): Socket {
  return (res as Running)[kSocket];
}

export function runApp(ctx: ServeContext, req: IncomingMessage, res: ServerResponse): void {
  const running = res as Running;
  running[kCtx] = ctx;
  running[kSocket] = req.socket;
  // The one clock read of the request's start, shared by the hooks and the log line.
  const start = performance.now();
  running[kStart] = start;
  ctx.requests.start(req, res, start);
  res.on('close', requestClosed);
  const statics = ctx.statics;
  if (statics !== undefined) {
    const path = statics.claims(req);
    if (path !== undefined) {
      serveStatic(ctx, statics, req, res, path);
      return;
    }
  }
  callApp(ctx, req, res);
}

function serveStatic(ctx: ServeContext, statics: StaticFiles, req: IncomingMessage, res: ServerResponse, path: string): void {
  statics.serve(req, res, path).then(
    (served) => {
      // A miss is the app's, as in uWSGI; so is a request whose client left while we looked.
      if (!served && !res.destroyed) callApp(ctx, req, res);
    },
    (err: unknown) => appFailed(ctx, req, res, err),
  );
}

function callApp(ctx: ServeContext, req: IncomingMessage, res: ServerResponse): void {
  let result: unknown;
  try {
    result = ctx.listener(req, res);
  } catch (err) {
    appFailed(ctx, req, res, err);
    return;
  }
  if (result !== null && typeof result === 'object' && typeof (result as Promise<unknown>).then === 'function') {
    (result as Promise<unknown>).then(undefined, (err: unknown) => appFailed(ctx, req, res, err));
  }
}

function requestClosed(this: Running): void {
  const ctx = this[kCtx];
  const logged = this.writableFinished && (ctx.logRequests || ctx.logOnly !== undefined);
  const micros = logged || ctx.requests.timed ? Math.round((performance.now() - this[kStart]) * 1000) : 0;
  ctx.requests.end(this, micros);
  if (logged) logRequest(ctx, this, micros);
}

function logRequest(ctx: ServeContext, res: ServerResponse, micros: number): void {
  const req = res.req;
  const socket = connectionOf(res);
  if (!ctx.logRequests && !wanted(ctx, res.statusCode, micros)) return;
  if (ctx.formatLine !== undefined) {
    ctx.writeText(ctx.formatLine(logFields(ctx, req as WithPacket, res, micros)));
    return;
  }
  const ms = micros / 1000;
  if (ctx.infoLine !== undefined) {
    // The same line pino writes for the object below, built directly: ~2 µs less per request.
    ctx.infoLine(
      `"event":"request","method":${jsonString(req.method ?? '')},"uri":${jsonString(req.url ?? '')},"status":${res.statusCode},` +
        `"bytes":${socket.bytesWritten},"ms":${ms}${ctx.threadField},"remote":${jsonString(socket.remoteAddress ?? '')}`,
      'request',
    );
    return;
  }
  ctx.log.info(
    {
      event: 'request',
      method: req.method,
      uri: req.url,
      status: res.statusCode,
      bytes: socket.bytesWritten,
      ms,
      ...(ctx.threadField === '' ? {} : { thread: ctx.threadIndex }),
      remote: socket.remoteAddress ?? '',
    },
    'request',
  );
}

/** log-4xx, log-5xx, log-slow: what is still logged when request lines are off. */
function wanted(ctx: ServeContext, status: number, micros: number): boolean {
  const only = ctx.logOnly;
  if (only === undefined) return false;
  return (
    (only.status4xx && status >= 400 && status < 500) ||
    (only.status5xx && status >= 500) ||
    (only.slowMs > 0 && micros >= only.slowMs * 1000)
  );
}

function logFields(ctx: ServeContext, req: WithPacket, res: ServerResponse, micros: number): RequestLogFields {
  const head = sentHead(res);
  const packet = req[kPacket];
  return {
    method: req.method ?? '',
    uri: req.url ?? '',
    addr: connectionOf(res).remoteAddress ?? '',
    host: req.headers.host ?? '',
    proto: `HTTP/${req.httpVersion}`,
    status: res.statusCode,
    size: connectionOf(res).bytesWritten,
    micros,
    now: new Date(),
    pid: process.pid,
    wid: ctx.workerId,
    core: ctx.threadIndex,
    uagent: req.headers['user-agent'] ?? '',
    referer: req.headers.referer ?? '',
    vars: packet?.vars ?? req.rawHeaders.length / 2,
    pktsize: packet?.size ?? 0,
    headers: res.getHeaderNames().length,
    hsize: head?.length ?? 0,
    requests: ctx.requests.count(),
  };
}

function appFailed(ctx: ServeContext, req: IncomingMessage, res: ServerResponse, err: unknown): void {
  ctx.log.error(
    // The worker id (and an app thread's index) come with the logger's bindings; the pid is `pid`.
    { event: 'app-error', err, method: req.method, uri: req.url, ...(ctx.threadField === '' ? {} : { thread: ctx.threadIndex }) },
    'the app threw while handling a request',
  );
  ctx.requests.exception();
  if (!res.headersSent && !res.writableEnded) {
    const body = 'Internal Server Error\n';
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    res.statusCode = 500;
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.setHeader('content-length', Buffer.byteLength(body));
    res.end(body);
  } else {
    // Part of the response is out: the only honest signal left is a broken connection.
    res.destroy();
  }
}
