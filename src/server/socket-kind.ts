/**
 * One kind of listening socket, as uWSGI gives each socket a protocol vtable (`proto`,
 * `proto_accept`, `proto_read_body`, `proto_write`, `proto_close`) and hono each router one
 * `Router` interface. listeners.ts knows only this interface and its table of kinds by `proto`,
 * so a new kind (https, an http that upgrades to WebSocket) is a new module, not new branches.
 *
 * Every kind hands the app Node's own IncomingMessage and a TsuwsgiResponse (response.ts),
 * calls it through runApp(), answers what it refuses before the app with the same bytes
 * (raw-response.ts) and log lines, and keeps its connections in the thread's set, with the
 * client-gone line and the graceful stop's rule from connections.ts. The conformance suite
 * (test/e2e/socket-kinds/) runs the same scenarios against every kind.
 */
import type { Server } from 'node:net';
import type { SocketProto } from '../shared/socket-proto';
import type { AcceptGate } from './accept-gate';
import type { ServeContext } from './context';

export interface SocketKind {
  readonly proto: SocketProto;
  /**
   * Accept: the server for one fd of this app thread, not listening yet. It serves every
   * connection it accepts and tracks each in ctx.connections (connections.ts: track) until it
   * closes. A kind whose accepting should pause while a request is awaited puts its listener
   * under `gate` once it listens.
   */
  createServer(ctx: ServeContext, gate: AcceptGate): Server;
  /**
   * Drain: one pass of a graceful stop, after `server.close()`, `elapsedMs` after the stop
   * began, and again every few ms until the thread has no connection left. Connections holding
   * no request are closed by the shared rule after every pass; this is for what the kind
   * must do beyond it (say, stop keeping connections alive).
   */
  drainPass(server: Server, ctx: ServeContext, elapsedMs: number): void;
}
