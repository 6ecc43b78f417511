/**
 * What http-socket does when Node's HTTP parser gives up on a connection ('clientError'), with
 * the uwsgi socket's answers and log lines: 400 and one `bad-request` line for malformed HTTP,
 * 431 and one `request-rejected` line for a head over buffer-size, 408 and one `timeout` line
 * past http-timeout, nothing at all for a peer that went away. An answer never lands inside
 * another response: it goes out once every response the connection still owes has finished.
 */
import type { Duplex } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServeContext } from './context';
import type { ErrorCode } from '../shared/errors';
import { closeAfterAnswer, kRejected, type HttpSocket } from './http-reject';
import { earlyAnswer } from './raw-response';
import { currentResponse, parsingRequest } from '../shared/node-internals';

/** Node's parse errors carry llhttp's code and reason, and the chunk that failed. */
export type ParseError = Error & { code?: string; reason?: string; rawPacket?: Buffer };

export interface Verdict {
  readonly answer: Buffer | undefined;
  readonly level: 'warn' | 'info';
  readonly fields: { readonly event: string; readonly code?: ErrorCode; readonly status?: number; readonly state?: string };
  readonly message: string;
  /** Read and drop what the peer still sends before closing (not for a peer too slow to wait for). */
  readonly linger: boolean;
}

/** Bytes after `Connection: close`: RFC 9112 §9.6 says to ignore them, which Node's close does. */
export const IGNORE = 'ignore';
/** The peer left (reset, closed mid-body) or tsuwsgi itself ended the connection: no answer, no line here. */
export const GONE = 'gone';

const BAD_REQUEST = earlyAnswer(400);
const HEAD_TOO_LARGE = earlyAnswer(431);
const TIMED_OUT = earlyAnswer(408);

export interface Limits {
  readonly bufferSize: number;
  readonly httpTimeout: number;
}

/** The answer and the log line for one clientError; `inBody`: it hit a request the app has. */
export function judge(err: ParseError, limits: Limits, inBody: boolean): Verdict | typeof IGNORE | typeof GONE {
  const code = err.code ?? '';
  switch (code) {
    case 'HPE_CLOSED_CONNECTION':
      return IGNORE;
    case 'HPE_HEADER_OVERFLOW':
      return {
        answer: HEAD_TOO_LARGE,
        level: 'warn',
        fields: { event: 'request-rejected', code: 'E_PROTO_TOO_BIG', status: 431 },
        message: `HTTP request head over buffer-size ${limits.bufferSize} (its URL, header names and values): ` +
          'raise buffer-size (max 65535)',
        linger: true,
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT': {
      const part = inBody ? 'body' : 'head';
      return {
        answer: TIMED_OUT,
        level: 'info',
        fields: { event: 'timeout', state: inBody ? 'Body' : 'Head' },
        message: `connection timed out: the request ${part} did not arrive within http-timeout (${limits.httpTimeout} s)`,
        linger: false,
      };
    }
    case 'HPE_INVALID_EOF_STATE':
      // Mid-body the response is what is lost: its 'close' says so (client-gone).
      if (inBody) return GONE;
      return {
        answer: undefined,
        level: 'warn',
        fields: { event: 'bad-request', code: 'E_PROTO_TRUNCATED' },
        message: 'connection closed before the HTTP request head was complete',
        linger: true,
      };
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return badRequest('E_PROTO_BAD_LENGTH', `bad Content-Length: ${err.reason ?? code} (${code})`);
    default:
      return code.startsWith('HPE_') ? badRequest('E_HTTP_BAD_REQUEST', describe(err, code)) : GONE;
  }
}

function badRequest(code: ErrorCode, message: string): Verdict {
  return { answer: BAD_REQUEST, level: 'warn', fields: { event: 'bad-request', code }, message, linger: true };
}

/** llhttp's reasons are fixed texts, never bytes of the request, so they are safe to log. */
function describe(err: ParseError, code: string): string {
  const first = err.rawPacket;
  if (first !== undefined && first[0] === 0x16 && first[1] === 0x03) {
    return 'TLS handshake on an http-socket: terminate TLS in front of it (nginx), or connect with http://';
  }
  if (code === 'HPE_PAUSED_H2_UPGRADE') return 'HTTP/2 connection preface on an http-socket: it speaks HTTP/1.1';
  return `malformed HTTP request: ${err.reason ?? 'parse error'} (${code})`;
}

/** The 'clientError' listener of one thread's http server. */
export function clientErrorListener(ctx: ServeContext): (err: Error, socket: Duplex) => void {
  const limits: Limits = { bufferSize: ctx.bufferSize, httpTimeout: ctx.requestTimeoutMs / 1000 };
  return (err: Error, duplex: Duplex) => {
    const socket = duplex as HttpSocket;
    if (socket[kRejected] === true) {
      // The parser stays failed and reports every later chunk; only http-timeout still acts,
      // for an answer the peer never takes.
      if ((err as ParseError).code === 'ERR_HTTP_REQUEST_TIMEOUT') socket.destroy();
      return;
    }
    const incoming = parsingRequest(socket);
    const broken = incoming != null && !incoming.complete ? incoming : undefined;
    const verdict = judge(err as ParseError, limits, broken !== undefined);
    if (verdict === IGNORE) return;
    if (verdict === GONE) {
      socket.destroy();
      return;
    }
    // Set before anything is answered: the client-gone line and later errors are tsuwsgi's doing.
    socket[kRejected] = true;
    if (verdict.level === 'warn') ctx.log.warn(verdict.fields, verdict.message);
    else ctx.log.info(verdict.fields, verdict.message);
    if (verdict.fields.event === 'bad-request') ctx.stats?.readError(ctx.threadIndex);
    if (broken !== undefined) answerInPlaceOf(socket, broken, verdict.answer);
    else answerWhenIdle(socket, verdict.answer, verdict.linger);
  };
}

/**
 * The request the app has is broken (bad framing, a stalled body): answer in its place when
 * nothing of its response went out, and close, which aborts it for the app as a client that
 * leaves would.
 */
function answerInPlaceOf(socket: HttpSocket, broken: IncomingMessage, answer: Buffer | undefined): void {
  const res = currentResponse(socket);
  if (answer !== undefined && res != null && res.req === broken && !res.headersSent && socket.writable) socket.write(answer);
  socket.destroy();
}

const kPending = Symbol('tsuwsgi.pendingAnswer');
type PendingResponse = ServerResponse & { [kPending]?: { socket: HttpSocket; answer: Buffer | undefined; linger: boolean } };

/** Answers after the responses still owed to requests pipelined before the bad one, then closes. */
function answerWhenIdle(socket: HttpSocket, answer: Buffer | undefined, linger: boolean): void {
  const pending = currentResponse(socket) as PendingResponse | null;
  if (pending != null) {
    pending[kPending] = { socket, answer, linger };
    pending.on('finish', answerAfterPending);
    return;
  }
  closeAfterAnswer(socket, answer, linger);
}

function answerAfterPending(this: PendingResponse): void {
  const next = this[kPending];
  // Node's own 'finish' listener ran first: the next queued response, if any, is attached now.
  if (next !== undefined) answerWhenIdle(next.socket, next.answer, next.linger);
}
