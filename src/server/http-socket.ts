/**
 * The http socket kind (`http-socket =`): Node's HTTP/1.1 server (http-server.ts) for one app
 * thread's fd, its connections in the thread's set, and its part of a graceful stop.
 *
 * A graceful stop never waits on a connection without a request in the app: one between two
 * requests is closed at once; one that has sent nothing, or half a head, after the shared
 * rule's grace for a head already on its way (Node's own closeIdleConnections() is switched
 * off: on Node 26 it closes those at once too); a response not yet started announces
 * `Connection: close`; and since server.close() stops Node's own http-timeout checks, a body
 * still arriving is cut http-timeout after the stop began (never sooner than it would have been).
 * Connections the app took over (WebSocket, CONNECT) are told to go away and closed at
 * worker-reload-mercy (http-upgrade.ts).
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ServeContext } from './context';
import type { SocketKind } from './socket-kind';
import { kConnection, track, untrack, type OpenConnection, type OpenConnections, type TrackedSocket } from './connections';
import { createHttpServer } from './http-server';
import { kServed } from './http-socket-timeout';
import { closeAfterAnswer, type HttpSocket } from './http-reject';
import { earlyAnswer } from './raw-response';
import { drainUpgraded } from './http-upgrade';
import { currentResponse } from '../shared/node-internals';

/** In a drain, how long a connection that has no request yet may still deliver one. */
const HEAD_GRACE_MS = 1000;

/** The connections of one http server: a request is in hand while a response is. */
class HttpConnections implements OpenConnection {
  readonly drainGraceMs = HEAD_GRACE_MS;

  constructor(readonly all: OpenConnections) {}

  holdsRequest(socket: Socket): boolean {
    return currentResponse(socket) !== null;
  }
}

const kConnections = Symbol('tsuwsgi.httpConnections');
type TrackingServer = Server & { [kConnections]: HttpConnections };
type HttpTracked = TrackedSocket<HttpConnections> & HttpSocket;

export const httpSocket: SocketKind = {
  proto: 'http',

  createServer(ctx) {
    const server = createHttpServer(ctx) as TrackingServer;
    const connections = new HttpConnections(ctx.connections);
    server[kConnections] = connections;
    server.on('connection', (socket: Socket) => {
      track(ctx.connections, socket, connections);
      socket.on('close', forget);
    });
    return server;
  },

  drainPass(server, ctx, elapsedMs) {
    const mine = (server as TrackingServer)[kConnections];
    const uploadsOver = elapsedMs >= ctx.requestTimeoutMs;
    for (const socket of ctx.connections) {
      if ((socket as HttpTracked)[kConnection] !== mine) continue;
      const res = currentResponse(socket);
      if (res == null) {
        // Between two requests of a keep-alive connection: closed now, as Node 20-24's
        // closeIdleConnections() did (ours is switched off: http-server.ts says why).
        if ((socket as HttpSocket & { [kServed]?: true })[kServed] === true) socket.destroy();
        continue;
      }
      if (uploadsOver && !res.req.complete) cutUpload(socket as HttpTracked, ctx);
      else if (!res.headersSent) res.shouldKeepAlive = false;
    }
    drainUpgraded(ctx, elapsedMs);
  },
};

function forget(this: HttpTracked): void {
  untrack(this[kConnection].all, this);
}

function cutUpload(socket: HttpTracked, ctx: ServeContext): void {
  const res = currentResponse(socket)!;
  ctx.log.info(
    { event: 'timeout', state: 'body', uri: res.req.url, limitMs: ctx.requestTimeoutMs },
    'connection timed out at a graceful stop: the request body did not arrive within http-timeout',
  );
  closeAfterAnswer(socket, res.headersSent ? undefined : earlyAnswer(408), false);
}
