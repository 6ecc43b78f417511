/**
 * The ServerResponse every socket kind hands the app. It differs from Node's in one way: a
 * write after end() (a late callback, a timer that outlived its request, a handler that loses
 * the race with harakiri's 504) is a no-op with one warning line. Node's own server emits an
 * 'error' event for it (ERR_STREAM_WRITE_AFTER_END) when the write comes in the same tick as
 * end(), and on the uwsgi socket before this class at any time: with nobody listening, that
 * ended the whole worker process and every request on it.
 *
 * A response tsuwsgi answered on the app's behalf (harakiri) is "abandoned": everything the app
 * still does with it, headers included, is a no-op, so its late `res.send()` cannot throw
 * ERR_HTTP_HEADERS_SENT from a timer either.
 */
import { ServerResponse, type IncomingMessage, type OutgoingHttpHeaders, type OutgoingHttpHeader } from 'node:http';
import { hooked, methodUnder } from './own-hooks';

const kWarned = Symbol('tsuwsgi.lateWriteWarned');
const kAbandoned = Symbol('tsuwsgi.abandoned');

type Marked = TsuwsgiResponse & { [kWarned]?: true; [kAbandoned]?: true };
type Callback = (err?: Error | null) => void;

/** What to do about a late write; each app thread sets its own (its logger). */
let reportLateWrite: (res: ServerResponse, call: string) => void = () => undefined;

export function onLateWrite(report: (res: ServerResponse, call: string) => void): void {
  reportLateWrite = report;
}

/** Told as each response's head is written (harakiri set: worker/request-hooks.ts); per thread. */
let headHook: ((res: ServerResponse) => void) | undefined;

export function onResponseHead(hook: (res: ServerResponse) => void): void {
  headHook = hook;
}

/**
 * The guards are the response's own properties, not methods of this class: Express gives every
 * response its own prototype (`Object.setPrototypeOf(res, app.response)`, whose chain is
 * express's response and then Node's ServerResponse), and methods here would be skipped. Its
 * late `res.send()` after harakiri's 504 then threw ERR_HTTP_HEADERS_SENT from a timer and
 * recycled the worker, a late write was not reported, and harakiri's watchdog never learned
 * that a head had gone out. Each guard calls the method under it (own-hooks.ts).
 */
export class TsuwsgiResponse extends ServerResponse {
  // Node's http server passes its options (highWaterMark …) as the second argument.
  constructor(...args: ConstructorParameters<typeof ServerResponse<IncomingMessage>>) {
    super(...args);
    const own = this as unknown as Record<GuardedName, unknown>;
    own.write = guardedWrite;
    own.end = guardedEnd;
    own.writeHead = guardedWriteHead;
    own.setHeader = guardedSetHeader;
    own.appendHeader = guardedAppendHeader;
    own.removeHeader = guardedRemoveHeader;
    own.flushHeaders = guardedFlushHeaders;
    hooked(this);
  }
}

type GuardedName = 'write' | 'end' | 'writeHead' | 'setHeader' | 'appendHeader' | 'removeHeader' | 'flushHeaders';

function guardedWrite(this: Marked, chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
  if (this.writableEnded || this[kAbandoned] === true) {
    lateWrite(this, 'write()', typeof encoding === 'function' ? encoding : cb);
    return false;
  }
  return methodUnder(this, 'write').call(this, chunk, encoding, cb) as boolean;
}

function guardedEnd(this: Marked, chunk?: unknown, encoding?: unknown, cb?: unknown): ServerResponse {
  const abandoned = this[kAbandoned] === true;
  // end() again without data is allowed by Node (its callback is told); with data it is a write.
  if (abandoned || (this.writableEnded && chunk != null && typeof chunk !== 'function')) {
    const callback = [chunk, encoding, cb].find((a) => typeof a === 'function');
    if (abandoned && (chunk == null || typeof chunk === 'function')) {
      if (callback !== undefined) process.nextTick(callback as Callback);
      return this;
    }
    lateWrite(this, 'end(data)', callback);
    return this;
  }
  return methodUnder(this, 'end').call(this, chunk, encoding, cb) as ServerResponse;
}

function guardedWriteHead(this: Marked, statusCode: number, reasonOrHeaders?: unknown, headers?: unknown): ServerResponse {
  if (this[kAbandoned] === true) return this;
  // Every head goes through here, an implicit one too (write() and end() call writeHead).
  if (headHook !== undefined) headHook(this);
  return methodUnder(this, 'writeHead').call(this, statusCode, reasonOrHeaders, headers) as ServerResponse;
}

function guardedSetHeader(this: Marked, name: string, value: number | string | readonly string[]): ServerResponse {
  if (this[kAbandoned] === true) return this;
  return methodUnder(this, 'setHeader').call(this, name, value) as ServerResponse;
}

function guardedAppendHeader(this: Marked, name: string, value: string | readonly string[]): ServerResponse {
  if (this[kAbandoned] === true) return this;
  return methodUnder(this, 'appendHeader').call(this, name, value) as ServerResponse;
}

function guardedRemoveHeader(this: Marked, name: string): void {
  if (this[kAbandoned] === true) return;
  methodUnder(this, 'removeHeader').call(this, name);
}

function guardedFlushHeaders(this: Marked): void {
  if (this[kAbandoned] === true) return;
  methodUnder(this, 'flushHeaders').call(this);
}

/**
 * Answer `status` for the app and ignore whatever it does with the response from now on:
 * harakiri's 504 for a request that only waits too long. False when the head had gone out
 * already (then only closing the connection is left, which is the caller's business).
 */
export function answerForApp(res: ServerResponse, status: number, body: string, headers: OutgoingHttpHeaders = {}): boolean {
  const marked = res as Marked;
  if (res.headersSent || res.writableEnded) {
    marked[kAbandoned] = true;
    return false;
  }
  const all: Record<string, OutgoingHttpHeader> = { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close', ...headers };
  // Through the base class (writeHead merges via setHeader); only then is the app shut out.
  for (const name of res.getHeaderNames()) ServerResponse.prototype.removeHeader.call(res, name);
  ServerResponse.prototype.writeHead.call(res, status, all);
  (ServerResponse.prototype.end as (chunk: string) => ServerResponse).call(res, body);
  marked[kAbandoned] = true;
  return true;
}

function lateWrite(res: Marked, call: string, cb: unknown): void {
  if (typeof cb === 'function') {
    const err = Object.assign(new Error(`${call} after end()`), { code: 'ERR_STREAM_WRITE_AFTER_END' });
    process.nextTick(cb as Callback, err);
  }
  // One line per response: a loop writing after end must not flood the log. Not when tsuwsgi
  // answered for the app (harakiri): that is expected, and harakiri logged its own line.
  if (res[kWarned] === true || res[kAbandoned] === true) return;
  res[kWarned] = true;
  reportLateWrite(res, call);
}
