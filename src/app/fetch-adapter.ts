/**
 * Runs a fetch-style app ({ fetch(Request) → Response }) as a Node request listener, so every
 * socket type serves it through the same (req, res) path.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { FetchApp, NodeListener } from './types';
import { requestUrl } from './request-url';

const NO_BODY_METHODS = new Set(['GET', 'HEAD']);
/** Bodies up to this size are read whole so that Content-Length can be sent. */
const BUFFER_LIMIT = 64 * 1024;

export function fetchToNodeListener(app: FetchApp): NodeListener {
  return (req, res) => run(app, req, res);
}

async function run(app: FetchApp, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const request = toRequest(req);
  if (request === undefined) return badTarget(res);
  const response = await app.fetch(request);
  await writeResponse(response, res, req.method === 'HEAD');
}

/** undefined when the request-target has no path a Request can carry (`*`, `x`). */
export function toRequest(req: IncomingMessage): Request | undefined {
  const url = requestUrl(req);
  if (url === undefined) return undefined;
  const method = req.method ?? 'GET';
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  const init: RequestInit & { duplex?: 'half' } = { method, headers };
  if (!NO_BODY_METHODS.has(method)) {
    init.body = Readable.toWeb(req) as unknown as ReadableStream;
    init.duplex = 'half';
  }
  return new Request(url, init);
}

function badTarget(res: ServerResponse): void {
  const body = 'Bad Request: the request-target has no path\n';
  res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function writeResponse(response: Response, res: ServerResponse, head: boolean): Promise<void> {
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  const cookies = response.headers.getSetCookie();
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie') res.setHeader(name, value);
  }
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  const body = response.body;
  if (body === null || head) {
    if (body !== null) await body.cancel();
    res.end();
    return;
  }
  const reader = body.getReader();
  const first = await readUpTo(reader, BUFFER_LIMIT);
  if (first.done) {
    res.end(first.data);
    return;
  }
  res.write(first.data);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!res.write(value)) await waitDrain(res);
    if (res.destroyed) {
      await reader.cancel();
      return;
    }
  }
  res.end();
}

async function readUpTo(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  limit: number,
): Promise<{ done: boolean; data: Buffer }> {
  const parts: Uint8Array[] = [];
  let size = 0;
  while (size < limit) {
    const { done, value } = await reader.read();
    if (done) return { done: true, data: Buffer.concat(parts, size) };
    parts.push(value);
    size += value.byteLength;
  }
  return { done: false, data: Buffer.concat(parts, size) };
}

function waitDrain(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
