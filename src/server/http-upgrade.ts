/**
 * Connections the app takes over on http-socket — a WebSocket (any HTTP Upgrade) or a CONNECT
 * tunnel — handed to the http.Server the app exported (app/node-server.ts) exactly as Node's
 * own server would hand them: `server.emit('upgrade' | 'connect', req, socket, head)`. So `ws`
 * (`new WebSocketServer({ server })`), socket.io (`io.attach(server)`) and graphql-ws work as
 * they do on a server of their own.
 *
 * Node takes a connection off its HTTP parser for an Upgrade only while its server has an
 * 'upgrade' listener; without one the request is served as an ordinary request. Ours therefore
 * has one exactly while the app's server has one (mirrorUpgradeListener): an app that does not
 * do upgrades sees `Upgrade: h2c` or a stray `Upgrade: websocket` as a plain request, as before.
 *
 * Upgrades stay out of the request hooks and the scoreboard's in-flight table: harakiri would
 * stop a WebSocket open longer than its limit, and max-requests would count one as a request.
 * The thread counts them on their own (ctx.upgraded, written at every heartbeat), and logs one
 * line per upgraded connection when it closes.
 *
 * An upgraded connection counts as in flight until it closes: a graceful stop (reload, SIGTERM,
 * recycle) refuses new upgrades with a 503, tells every open WebSocket to close with 1001 (going
 * away), and closes what is still open `upgradeMercyMs` into the stop.
 */
import type { EventEmitter } from 'node:events';
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import type { ServeContext } from './context';
import { track, type OpenConnection, type OpenConnections } from './connections';
import { closeAfterAnswer, type HttpSocket } from './http-reject';
import { earlyAnswer } from './raw-response';
import { goingAway } from './websocket-close';

type TakeOver = 'upgrade' | 'connect';
const kWebSocket = Symbol('tsuwsgi.websocket');
const kToldToGo = Symbol('tsuwsgi.toldToGo');
type Upgraded = Socket & { [kWebSocket]?: true; [kToldToGo]?: true };

/** What the shared drain rule sees of an upgraded connection: in flight until it closes. */
class UpgradedConnection implements OpenConnection {
  /** Never closed as "holding no request": drainUpgraded() decides when. */
  readonly drainGraceMs = Infinity;
  constructor(readonly all: OpenConnections) {}
  holdsRequest(): boolean {
    return true;
  }
}

/** Wires upgrades and CONNECT of one http server of the thread to the app's server. */
export function offerUpgrades(server: Server, ctx: ServeContext): void {
  server.on('connect', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (ctx.appServer !== undefined && ctx.appServer.listenerCount('connect') > 0) takeOver(server, ctx, ctx.appServer, 'connect', req, socket as Socket, head);
    else refuseConnect(ctx, socket as HttpSocket);
  });
  if (ctx.appServer !== undefined) mirrorUpgradeListener(server, ctx, ctx.appServer);
}

function mirrorUpgradeListener(server: Server, ctx: ServeContext, app: EventEmitter): void {
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => takeOver(server, ctx, app, 'upgrade', req, socket as Socket, head);
  const listen = (): void => {
    if (server.listenerCount('upgrade') === 0) server.on('upgrade', onUpgrade);
  };
  if (app.listenerCount('upgrade') > 0) listen();
  // 'newListener' comes before the listener is added, 'removeListener' after it is gone.
  app.on('newListener', (event: string | symbol) => {
    if (event === 'upgrade') listen();
  });
  app.on('removeListener', (event: string | symbol) => {
    if (event === 'upgrade' && app.listenerCount('upgrade') === 0) server.off('upgrade', onUpgrade);
  });
}

function takeOver(server: Server, ctx: ServeContext, app: EventEmitter, event: TakeOver, req: IncomingMessage, socket: Upgraded, head: Buffer): void {
  // Node hands the socket over without its error listener: a peer's reset must never end the
  // thread, whether or not the app adds a listener of its own.
  socket.on('error', ignore);
  if (!server.listening) {
    // A graceful stop has begun: the connection would be told to go away at once.
    ctx.log.info({ event: 'upgrade-refused', uri: req.url }, `${event} refused: this thread is stopping`);
    socket.resume();
    closeAfterAnswer(socket, earlyAnswer(503));
    return;
  }
  // socket-timeout bounds waits for a request; an open WebSocket may rightly idle for hours.
  socket.setTimeout(0);
  track(ctx.connections, socket, new UpgradedConnection(ctx.connections));
  ctx.upgraded.add(socket);
  const since = performance.now();
  socket.once('close', () => {
    ctx.upgraded.delete(socket);
    if (ctx.logRequests) logUpgraded(ctx, event, req, socket, since);
  });
  if (event === 'upgrade' && req.headers.upgrade?.toLowerCase() === 'websocket') socket[kWebSocket] = true;
  try {
    app.emit(event, req, socket, head);
  } catch (err) {
    ctx.log.error({ event: 'app-error', err, method: req.method, uri: req.url }, `the app threw while handling an ${event}`);
    ctx.requests.exception();
    socket.destroy();
  }
}

/** The request line of an upgraded connection, when it closes: what it was, how long it lived, its bytes. */
function logUpgraded(ctx: ServeContext, event: TakeOver, req: IncomingMessage, socket: Socket, since: number): void {
  ctx.log.info(
    {
      event, method: req.method, uri: req.url, ms: Math.round(performance.now() - since),
      bytesIn: socket.bytesRead, bytesOut: socket.bytesWritten, thread: ctx.threadIndex, remote: socket.remoteAddress ?? '',
    },
    `${event} closed`,
  );
}

/**
 * A graceful stop's pass over the thread's upgraded connections, `elapsedMs` after it began:
 * each WebSocket whose handshake is done is told once to go away (1001); at upgradeMercyMs
 * whatever is still open is closed.
 */
export function drainUpgraded(ctx: ServeContext, elapsedMs: number): void {
  if (ctx.upgraded.size === 0) return;
  if (elapsedMs >= ctx.upgradeMercyMs) {
    ctx.log.warn(
      { event: 'upgrade-closed', connections: ctx.upgraded.size, limitMs: ctx.upgradeMercyMs },
      'upgraded connections still open at worker-reload-mercy: closed',
    );
    for (const socket of ctx.upgraded) socket.destroy();
    return;
  }
  let told = 0;
  for (const socket of ctx.upgraded as Set<Upgraded>) {
    if (socket[kToldToGo] === true || socket[kWebSocket] !== true || !handshakeDone(socket)) continue;
    socket[kToldToGo] = true;
    socket.write(goingAway());
    told++;
  }
  if (told > 0) ctx.log.info({ event: 'upgrade-going-away', connections: told }, 'open WebSockets told to close (1001 going away)');
}

/**
 * The app answered the handshake and kept the connection: a close frame is now in the protocol.
 * A refusal ends the socket, so a writable socket with bytes out holds a 101 (engine.io tells
 * an answered upgrade the same way).
 */
function handshakeDone(socket: Socket): boolean {
  return socket.writable && socket.bytesWritten > 0;
}

/** CONNECT to an app that does not take it: tsuwsgi is not a proxy. Say it like any bad request. */
function refuseConnect(ctx: ServeContext, socket: HttpSocket): void {
  // Node has handed the socket over without its error listener, and not reading.
  socket.on('error', ignore);
  socket.resume();
  ctx.log.warn({ event: 'bad-request', code: 'E_HTTP_BAD_REQUEST' }, 'CONNECT on an http-socket: tsuwsgi is not a proxy');
  ctx.stats?.readError(ctx.threadIndex);
  closeAfterAnswer(socket, earlyAnswer(400));
}

function ignore(): void {
  // A write error on a socket being closed anyway, or one the app hears about itself.
}
