/**
 * Writes what @fastify/send decided (status, headers, body stream) to the response. The
 * library owns the HTTP semantics (conditional requests, ranges, HEAD, content type); this
 * owns the bytes: a file's head goes out only once the file is open, so an unreadable file is
 * a clean 403 rather than a 200 cut short, and the body is piped with backpressure (the read
 * stream is destroyed, closing its fd, if the client leaves).
 *
 * No zero-copy: Node has no public sendfile(2) for sockets, so the file is read into buffers
 * by libuv's thread pool and written by the event loop, as every Node static server does.
 */
import fs from 'node:fs';
import { pipeline } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SendResult } from '@fastify/send';

export function writeResult(req: IncomingMessage, res: ServerResponse, result: SendResult, expires: string | undefined): void {
  const headers: Record<string, string | number> = result.headers;
  if (expires !== undefined) headers.Expires = expires;
  const { stream, statusCode } = result;
  if (!(stream instanceof fs.ReadStream)) {
    // 304, HEAD and send's own error pages: an empty or in-memory body.
    res.writeHead(statusCode, headers);
    if (statusCode === 304 || req.method === 'HEAD') res.end();
    else pipeline(stream, res, ignore);
    return;
  }
  stream.once('error', openFailed);
  stream.once('ready', function opened(this: fs.ReadStream) {
    this.off('error', openFailed);
    res.writeHead(statusCode, headers);
    pipeline(this, res, ignore);
  });
  (stream as OpeningStream)[kRes] = res;
}

const kRes = Symbol('tsuwsgi.staticResponse');
type OpeningStream = fs.ReadStream & { [kRes]?: ServerResponse };

/** The file was there a moment ago but cannot be opened: nginx's answer, 403 (or 404 if it went). */
function openFailed(this: OpeningStream, err: NodeJS.ErrnoException): void {
  const res = this[kRes] as ServerResponse;
  const status = err.code === 'ENOENT' ? 404 : err.code === 'EACCES' || err.code === 'EPERM' ? 403 : 500;
  const body = `${status === 404 ? 'Not Found' : status === 403 ? 'Forbidden' : 'Internal Server Error'}\n`;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** A pipeline that ends early (the client left) is routine: the connection code logs it once. */
function ignore(): void {}
