/**
 * Calls the app for one request: turns a throw or a rejection into a 500 (when nothing was
 * sent yet) and writes the request log line when the response is done. Shared by the uwsgi
 * and the http sockets.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ServeContext } from './context';
import type { RequestLogFields } from '../shared/log-format';
import { kPacket, type WithPacket } from './node-request';
import { countRequest } from './request-stats';

const kStart = Symbol('tsuwsgi.start');
const kCtx = Symbol('tsuwsgi.ctx');

type TrackedResponse = ServerResponse & { [kStart]: number; [kCtx]: ServeContext };

export function runApp(ctx: ServeContext, req: IncomingMessage, res: ServerResponse): void {
  const tracked = res as TrackedResponse;
  if (ctx.logRequests || ctx.logOnly !== undefined) {
    tracked[kStart] = performance.now();
    tracked[kCtx] = ctx;
    res.once('finish', logRequest);
  }
  const live = ctx.live;
  live.requests++;
  live.last = res;
  live.lastStart = performance.now();
  if (ctx.afterRequest !== undefined) res.once('finish', ctx.afterRequest);
  if (ctx.harakiri !== undefined) ctx.harakiri.track(req, res);
  if (ctx.stats !== undefined) countRequest(ctx.stats, ctx.threadIndex, req, res, live.lastStart);
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

function logRequest(this: TrackedResponse): void {
  const ctx = this[kCtx];
  const req = this.req;
  const socket = req.socket;
  const micros = Math.round((performance.now() - this[kStart]) * 1000);
  if (!ctx.logRequests && !wanted(ctx, this.statusCode, micros)) return;
  if (ctx.formatLine !== undefined) {
    ctx.writeText(ctx.formatLine(logFields(ctx, req as WithPacket, this, micros)));
    return;
  }
  const ms = micros / 1000;
  if (ctx.infoLine !== undefined) {
    // The same line pino writes for the object below, built directly: ~2 µs less per request.
    ctx.infoLine(
      `"event":"request","method":${JSON.stringify(req.method)},"uri":${JSON.stringify(req.url)},"status":${this.statusCode},` +
        `"bytes":${socket.bytesWritten},"ms":${ms}${ctx.threadField},"remote":${JSON.stringify(socket.remoteAddress ?? '')}`,
      'request',
    );
    return;
  }
  ctx.log.info(
    {
      event: 'request',
      method: req.method,
      uri: req.url,
      status: this.statusCode,
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
  const head = (res as ServerResponse & { _header?: string | null })._header;
  const packet = req[kPacket];
  return {
    method: req.method ?? '',
    uri: req.url ?? '',
    addr: req.socket.remoteAddress ?? '',
    host: req.headers.host ?? '',
    proto: `HTTP/${req.httpVersion}`,
    status: res.statusCode,
    size: req.socket.bytesWritten,
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
    requests: ctx.live.requests,
  };
}

function appFailed(ctx: ServeContext, req: IncomingMessage, res: ServerResponse, err: unknown): void {
  ctx.log.error(
    { event: 'app-error', err, method: req.method, uri: req.url, worker: process.pid, thread: ctx.threadIndex },
    'the app threw while handling a request',
  );
  ctx.stats?.exception(ctx.threadIndex);
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
