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
import { ServerResponse, type OutgoingHttpHeaders, type OutgoingHttpHeader } from 'node:http';

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

export class TsuwsgiResponse extends ServerResponse {
  override write(chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
    if (this.writableEnded || (this as Marked)[kAbandoned] === true) {
      lateWrite(this, 'write()', typeof encoding === 'function' ? encoding : cb);
      return false;
    }
    return super.write(chunk, encoding as BufferEncoding, cb as Callback);
  }

  override end(chunk?: unknown, encoding?: unknown, cb?: unknown): this {
    const abandoned = (this as Marked)[kAbandoned] === true;
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
    return super.end(chunk as string, encoding as BufferEncoding, cb as () => void);
  }

  override writeHead(statusCode: number, reasonOrHeaders?: unknown, headers?: unknown): this {
    if ((this as Marked)[kAbandoned] === true) return this;
    // Every head goes through here, an implicit one too (write() and end() call writeHead).
    if (headHook !== undefined) headHook(this);
    return (super.writeHead as (...a: unknown[]) => this)(statusCode, reasonOrHeaders, headers);
  }

  override setHeader(name: string, value: number | string | readonly string[]): this {
    if ((this as Marked)[kAbandoned] === true) return this;
    return super.setHeader(name, value);
  }

  override appendHeader(name: string, value: string | readonly string[]): this {
    if ((this as Marked)[kAbandoned] === true) return this;
    return super.appendHeader(name, value);
  }

  override removeHeader(name: string): void {
    if ((this as Marked)[kAbandoned] === true) return;
    super.removeHeader(name);
  }

  override flushHeaders(): void {
    if ((this as Marked)[kAbandoned] === true) return;
    super.flushHeaders();
  }
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
