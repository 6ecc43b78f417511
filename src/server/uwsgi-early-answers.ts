/**
 * The early answers of a uwsgi connection: what it answers and logs when it refuses a request
 * before the app runs (pure, unit-tested alone), and the refusal itself. The http socket gives
 * the same answers with the same codes and events (http-client-error.ts, http-limits.ts).
 *
 *  - a head over buffer-size: 431, `request-rejected`;
 *  - a CONTENT_LENGTH over limit-post, or not a number: 413 / 400, `request-rejected`;
 *  - vars no HTTP request could carry (no method, a bad header name, a control character): 400,
 *    `bad-request`, a read error;
 *  - an upgrade (HTTP_UPGRADE) to an app whose server takes upgrades: 501, `request-rejected`
 *    (uwsgi carries one request and its response, never the bytes of another protocol after it;
 *    the line says where upgrades go: an http-socket, deploy/nginx/websockets.conf);
 *  - bytes that are not a uwsgi packet at all (HTTP, TLS, an unknown modifier, broken vars) or a
 *    head cut short by the peer: no answer (the peer does not speak uwsgi, or is gone), the
 *    connection closed, `bad-request`, a read error.
 *
 * After an answer the rest of what the peer sends is read and dropped (the Discard state):
 * closing with unread bytes would reset the connection, and nginx would show its client a 502
 * instead of our answer. That is bounded like a body, idle and total (uwsgi-timeouts.ts).
 */
import type { BodyLengthError, ProtocolError, UwsgiVars } from '../protocol';
import type { ServeContext } from './context';
import { earlyAnswer, type EarlyStatus } from './raw-response';
import { State } from './uwsgi-state';
import { setDeadline, type Waiting } from './uwsgi-timeouts';

export interface Refusal {
  /** The answer to send, or undefined: close without one. */
  readonly status: EarlyStatus | undefined;
  readonly fields: {
    readonly event: 'request-rejected' | 'bad-request';
    readonly code: string;
    readonly status?: EarlyStatus;
    readonly method?: string | undefined;
    readonly uri?: string | undefined;
  };
  readonly message: string;
  /** Counted as a read error in the stats. */
  readonly readError: boolean;
}

/** The packet itself was refused (parsePacket, the framer, or its end at the peer's EOF). */
export function packetRefusal(err: ProtocolError): Refusal {
  const { code, status, message } = err;
  if (status !== undefined) return { status, fields: { event: 'request-rejected', code, status }, message, readError: false };
  return { status: undefined, fields: { event: 'bad-request', code }, message, readError: true };
}

/** CONTENT_LENGTH was refused (bodyLength). */
export function lengthRefusal(err: BodyLengthError, vars: UwsgiVars): Refusal {
  const { code, status, message } = err;
  return {
    status,
    fields: { event: 'request-rejected', code, status, method: vars.REQUEST_METHOD, uri: vars.REQUEST_URI },
    message,
    readError: false,
  };
}

/** An upgrade the app would take, on a socket that cannot carry it; else undefined. */
export function upgradeRefusal(ctx: ServeContext, vars: UwsgiVars): Refusal | undefined {
  // Only an app that exported its server can take upgrades: the others pay one comparison.
  if (ctx.appServer === undefined || vars.HTTP_UPGRADE === undefined || ctx.appServer.listenerCount('upgrade') === 0) return undefined;
  return {
    status: 501,
    fields: { event: 'request-rejected', code: 'E_UPGRADE_OVER_UWSGI', status: 501, method: vars.REQUEST_METHOD, uri: vars.REQUEST_URI },
    message:
      'an upgrade (Upgrade: websocket) cannot be carried by the uwsgi protocol: ' +
      'send upgrades to an http-socket with proxy_pass (deploy/nginx/websockets.conf)',
    readError: false,
  };
}

/** The vars are no HTTP request (requestHead). */
export function headRefusal(err: ProtocolError): Refusal {
  return { status: 400, fields: { event: 'bad-request', code: err.code, status: 400 }, message: err.message, readError: true };
}

export function logRefusal(ctx: ServeContext, refusal: Refusal): void {
  ctx.log.warn(refusal.fields, refusal.message);
  if (refusal.readError) ctx.stats?.readError(ctx.threadIndex);
}

/** What refuse() changes on a connection. */
export interface Refusing extends Waiting {
  state: State;
  /** Bytes the request still announced: dropped as they arrive. */
  remaining: number;
  responded: boolean;
  /** Read the socket on, to its EOF. */
  readRest(): void;
}

/** Refuse the request before the app runs: answer and drop the `left` bytes still announced, or close. */
export function refuse(c: Refusing, refusal: Refusal, left: number): void {
  logRefusal(c.ctx, refusal);
  if (refusal.status === undefined) {
    c.state = State.Done;
    c.socket.destroy();
    return;
  }
  c.remaining = left;
  c.state = left > 0 ? State.Discard : State.Done;
  c.responded = true;
  setDeadline(c, c.ctx.requestTimeoutMs);
  c.socket.end(earlyAnswer(refusal.status));
  // Keep reading: what nginx still sends is dropped, and its EOF completes the close.
  c.readRest();
}
