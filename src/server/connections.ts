/**
 * What every socket kind does with its connections, written once:
 *  - the thread's set of open connections (ctx.connections: SIGUSR1 counts it, a graceful stop
 *    waits for it to empty), each tagged with what the kind knows of it (an OpenConnection);
 *  - the client-gone line: a peer that leaves is routine, one info line, never an error;
 *  - at a graceful stop, a connection that holds no request is closed, not waited for, once its
 *    kind's grace has passed (1 s on both kinds: a head may still be on its way; nginx writes
 *    its uwsgi packet right after connect, but a stop can fall between the two).
 */
import type { Socket } from 'node:net';
import type { ServeContext } from './context';

/** What the shared code asks of one open connection, whatever its kind. */
export interface OpenConnection {
  /** How long into a graceful stop a connection that holds no request may still start one. */
  readonly drainGraceMs: number;
  /** Whether `socket` has a request in hand: arriving, with the app, or being answered. */
  holdsRequest(socket: Socket): boolean;
}

export const kConnection = Symbol('tsuwsgi.connection');
export type TrackedSocket<C extends OpenConnection = OpenConnection> = Socket & { [kConnection]: C };

/** Counts `socket` among the thread's open connections until untrack(). */
export function track<C extends OpenConnection>(connections: Set<Socket>, socket: Socket, conn: C): void {
  (socket as TrackedSocket<C>)[kConnection] = conn;
  connections.add(socket);
}

export function untrack(connections: Set<Socket>, socket: Socket): void {
  connections.delete(socket);
}

/** One pass of a graceful stop's rule, `elapsedMs` after the stop began. */
export function closeHoldingNoRequest(connections: Iterable<Socket>, elapsedMs: number): void {
  for (const socket of connections) {
    const conn = (socket as Partial<TrackedSocket>)[kConnection];
    if (conn !== undefined && elapsedMs >= conn.drainGraceMs && !conn.holdsRequest(socket)) socket.destroy();
  }
}

/** Why a peer's leaving matters: what it left unfinished. */
export const GONE = {
  /** A reset or another socket error. */
  reset: 'connection closed by the peer',
  body: 'connection closed before the request body was complete',
  response: 'connection closed before the response was complete',
} as const;
export type GoneWhy = keyof typeof GONE;

/** The client-gone line; the caller says it once per connection (or response). */
export function logClientGone(
  ctx: ServeContext,
  uri: string | undefined,
  why: GoneWhy,
  fields?: { readonly code?: string | undefined; readonly missing?: number },
): void {
  ctx.log.info({ event: 'client-gone', uri, ...fields }, GONE[why]);
}
