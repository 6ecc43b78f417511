/**
 * A raw TCP client for http-socket tests: sends exact bytes (malformed requests, pipelines,
 * trickled heads), keeps everything the server sends, and splits it into HTTP responses.
 */
import net from 'node:net';
import { waitUntil } from './wait';

export class RawConnection {
  private readonly chunks: Buffer[] = [];
  readonly closed: Promise<void>;
  isClosed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => this.chunks.push(d));
    // A reset is one way the server closes; the test looks at what arrived before it.
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.isClosed = true;
        resolve();
      });
    });
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  write(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Everything received so far. */
  received(): Buffer {
    return Buffer.concat(this.chunks);
  }

  text(): string {
    return this.received().toString('latin1');
  }

  responses(): ParsedResponse[] {
    return splitResponses(this.received()).responses;
  }

  /** Until `n` complete responses have arrived. */
  waitForResponses(n: number, timeoutMs = 10_000): Promise<ParsedResponse[]> {
    return waitUntil(`${n} response(s) on a raw connection (got ${JSON.stringify(this.text().slice(0, 300))})`, () => {
      const got = this.responses();
      return got.length >= n ? got : undefined;
    }, timeoutMs);
  }

  waitForText(what: string, match: (text: string) => boolean, timeoutMs = 10_000): Promise<string> {
    return waitUntil(what, () => (match(this.text()) ? this.text() : undefined), timeoutMs);
  }

  /** Until the server closed the connection. */
  async waitClosed(what: string, timeoutMs = 10_000): Promise<void> {
    await waitUntil(`the server to close ${what}`, () => this.isClosed, timeoutMs);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Writes the bytes and collects everything until the server closes (bounded). */
export async function rawExchange(port: number, data: string | Buffer, timeoutMs = 10_000): Promise<RawConnection> {
  const conn = await RawConnection.open(port);
  conn.write(data);
  try {
    await conn.waitClosed('a raw exchange', timeoutMs);
  } finally {
    conn.destroy();
  }
  return conn;
}

export interface ParsedResponse {
  status: number;
  reason: string;
  /** Lower-cased names; a repeated header keeps its last value. */
  headers: Record<string, string>;
  body: Buffer;
  /** The response exactly as received (head and body). */
  raw: Buffer;
}

/**
 * Splits a byte stream into complete HTTP/1.1 responses, framed by Content-Length or chunked
 * encoding; a response framed by the close is complete only as the last one. What is left
 * (an incomplete response) is returned as `rest`.
 */
export function splitResponses(buf: Buffer, closed = false): { responses: ParsedResponse[]; rest: Buffer } {
  const responses: ParsedResponse[] = [];
  let pos = 0;
  for (;;) {
    const headEnd = buf.indexOf('\r\n\r\n', pos, 'latin1');
    if (headEnd < 0) break;
    const lines = buf.toString('latin1', pos, headEnd).split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(lines[0] ?? '');
    if (m === null) throw new Error(`not an HTTP response at byte ${pos}: ${JSON.stringify(lines[0])}`);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const bodyStart = headEnd + 4;
    const body = readBody(buf, bodyStart, headers, Number(m[1]), closed);
    if (body === undefined) break;
    responses.push({ status: Number(m[1]), reason: m[2] ?? '', headers, body: body.data, raw: buf.subarray(pos, body.end) });
    pos = body.end;
  }
  return { responses, rest: buf.subarray(pos) };
}

function readBody(buf: Buffer, start: number, headers: Record<string, string>, status: number, closed: boolean): { data: Buffer; end: number } | undefined {
  if (status === 204 || status === 304 || (status >= 100 && status < 200)) return { data: Buffer.alloc(0), end: start };
  if (headers['transfer-encoding'] === 'chunked') return readChunked(buf, start);
  const length = headers['content-length'];
  if (length !== undefined) {
    const end = start + Number(length);
    return end <= buf.length ? { data: buf.subarray(start, end), end } : undefined;
  }
  return closed ? { data: buf.subarray(start), end: buf.length } : undefined;
}

function readChunked(buf: Buffer, start: number): { data: Buffer; end: number } | undefined {
  const parts: Buffer[] = [];
  let pos = start;
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', pos, 'latin1');
    if (lineEnd < 0) return undefined;
    const size = parseInt(buf.toString('latin1', pos, lineEnd), 16);
    if (size === 0) {
      const end = buf.indexOf('\r\n\r\n', lineEnd, 'latin1');
      return end < 0 ? undefined : { data: Buffer.concat(parts), end: end + 4 };
    }
    const dataEnd = lineEnd + 2 + size;
    if (dataEnd + 2 > buf.length) return undefined;
    parts.push(buf.subarray(lineEnd + 2, dataEnd));
    pos = dataEnd + 2;
  }
}

/** A request head with the given lines (CRLF line ends, blank line at the end). */
export function head(requestLine: string, ...headerLines: string[]): string {
  return [requestLine, ...headerLines, '', ''].join('\r\n');
}

/** `body` in chunks of `size` bytes, chunk-encoded, with optional trailer lines. */
export function chunked(body: Buffer, size: number, trailers: string[] = []): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < body.length; i += size) {
    const piece = body.subarray(i, i + size);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`, 'latin1'), piece, Buffer.from('\r\n', 'latin1'));
  }
  parts.push(Buffer.from(['0', ...trailers, '', ''].join('\r\n'), 'latin1'));
  return Buffer.concat(parts);
}

export interface RawReply {
  readonly status: number;
  readonly head: string;
  readonly body: string;
}

/** Sends `lines` (CRLF-joined, latin1, with a blank line added) and reads until the server closes. */
export async function rawHttp(port: number, lines: readonly string[], timeoutMs = 10_000): Promise<RawReply> {
  const got = (await rawExchange(port, head(lines[0] ?? '', ...lines.slice(1)), timeoutMs)).text();
  const split = got.indexOf('\r\n\r\n');
  const headText = split < 0 ? got : got.slice(0, split);
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(headText)?.[1] ?? 0);
  return { status, head: headText, body: split < 0 ? '' : got.slice(split + 4) };
}
