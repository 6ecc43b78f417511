/**
 * socket-timeout on http-socket: the same rule as on the uwsgi socket (uwsgi-timeouts.ts
 * onIdle) — a wait for the peer is bounded, the app's own time is not. Node's server.timeout is
 * an idle timer per connection, refreshed by every read and write, that destroys the socket
 * when it fires unless the server has a 'timeout' listener; this is that listener, deciding who
 * is being waited for:
 *  - no response in progress: the peer owes us a head (Node runs the keep-alive timer between
 *    requests instead, http-keepalive) → close;
 *  - response bytes the kernel has not taken: the peer is not reading → close;
 *  - a body still arriving and the socket reading (not paused by the app's backpressure): the
 *    peer stalled its upload → 408 when nothing was answered yet, and close;
 *  - otherwise the app is working: look again after another idle period.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ServeContext } from './context';
import { closeAfterAnswer, kRejected, type HttpSocket } from './http-reject';
import { earlyAnswer } from './raw-response';
import { currentResponse } from '../shared/node-internals';

const TIMED_OUT = earlyAnswer(408);

/** Set on a connection once it carried a request: its later idle waits are keep-alive, not silence. */
export const kServed = Symbol('tsuwsgi.served');
type Served = HttpSocket & { [kServed]?: true };

export function boundPeerWaits(server: Server, ctx: ServeContext): void {
  const ms = ctx.socketTimeoutMs;
  server.setTimeout(ms);
  server.on('timeout', (socket: Socket) => onIdle(socket as Served, ctx, ms));
}

function onIdle(socket: Served, ctx: ServeContext, ms: number): void {
  if (socket[kRejected] === true || socket.destroyed) {
    socket.destroy();
    return;
  }
  const res = currentResponse(socket);
  if (res == null) {
    // A kept-alive connection idle past http-keepalive is routine; a silent new one is not.
    if (socket[kServed] !== true) {
      ctx.log.info({ event: 'timeout', state: 'head', limitMs: ms }, `connection timed out: the peer sent nothing within ${ms} ms`);
    }
    socket.destroy();
    return;
  }
  const req = res.req;
  const stalledUpload = !req.complete && !socket.isPaused();
  if (socket.writableLength > 0 || stalledUpload) {
    const why = stalledUpload ? 'the peer sent nothing' : 'the peer took none of the response';
    ctx.log.info({ event: 'timeout', state: stalledUpload ? 'body' : 'response', uri: req.url, limitMs: ms }, `connection timed out: ${why} within ${ms} ms`);
    if (stalledUpload) ctx.stats?.readError(ctx.threadIndex);
    closeAfterAnswer(socket, stalledUpload && !res.headersSent ? TIMED_OUT : undefined, false);
    if (!stalledUpload) socket.destroy();
    return;
  }
  socket.setTimeout(ms);
}
