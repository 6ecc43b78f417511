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

const kSlot = Symbol('tsuwsgi.slot');
type Slotted = Socket & { [kSlot]?: number };

/**
 * A thread's open connections: a set with what a Set offers here (add, delete, size, a walk),
 * kept as an array and each socket's index in it. A Set hashes each new socket object (an
 * identity hash made for it) and rehashes as it grows and shrinks, twice per uwsgi request:
 * ~2 % of a worker's CPU behind nginx. A walk goes over a copy: a pass may close, and so
 * remove, connections as it goes.
 */
export class OpenConnections implements Iterable<Socket> {
  private readonly items: Socket[] = [];

  get size(): number {
    return this.items.length;
  }

  has(socket: Socket): boolean {
    const slot = (socket as Slotted)[kSlot];
    return slot !== undefined && slot >= 0 && this.items[slot] === socket;
  }

  add(socket: Socket): this {
    if (this.has(socket)) return this;
    (socket as Slotted)[kSlot] = this.items.length;
    this.items.push(socket);
    return this;
  }

  delete(socket: Socket): boolean {
    if (!this.has(socket)) return false;
    const slot = (socket as Slotted)[kSlot] as number;
    const last = this.items.pop() as Socket;
    if (last !== socket) {
      this.items[slot] = last;
      (last as Slotted)[kSlot] = slot;
    }
    (socket as Slotted)[kSlot] = -1;
    return true;
  }

  [Symbol.iterator](): Iterator<Socket> {
    return this.items.slice()[Symbol.iterator]();
  }
}

/** Counts `socket` among the thread's open connections until untrack(). */
export function track<C extends OpenConnection>(connections: OpenConnections, socket: Socket, conn: C): void {
  (socket as TrackedSocket<C>)[kConnection] = conn;
  connections.add(socket);
}

export function untrack(connections: OpenConnections, socket: Socket): void {
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
