/**
 * Starts accepting on the inherited listening sockets of one app thread and stops again, for
 * every socket kind alike: each fd is served by the module of its kind (socket-kind.ts).
 * Each thread listens on its own fd (a dup of the master's socket), so closing it stops this
 * thread's accepting without touching its siblings or the master's copy.
 */
import type { Server } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { SocketProto } from '../shared/socket-proto';
import type { ListenFd } from '../shared/fd-layout';
import type { ServeContext } from './context';
import type { SocketKind } from './socket-kind';
import { AcceptGate } from './accept-gate';
import { closeHoldingNoRequest } from './connections';
import { uwsgiSocket } from './uwsgi-socket';

/**
 * A new socket kind is a module and a line here. The http kind (eight modules) is loaded only by
 * a thread that has an http-socket: behind nginx most have none.
 */
const KINDS: Readonly<Record<SocketProto, () => SocketKind>> = {
  uwsgi: () => uwsgiSocket,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  http: () => (require('./http-socket') as typeof import('./http-socket')).httpSocket,
};

/** How often a graceful stop looks at the connections still open. */
const DRAIN_TICK_MS = 20;

export interface Listening {
  /** Stop accepting, let open connections finish; resolves when none is left. */
  drain(): Promise<void>;
}

interface Listener {
  readonly kind: SocketKind;
  readonly server: Server;
}

/** `gate`: this thread's accept gate (given by the tests that watch it). */
export async function listenAll(
  fds: readonly ListenFd[],
  ctx: ServeContext,
  backlog: number,
  gate = new AcceptGate(),
): Promise<Listening> {
  const listeners = await Promise.all(fds.map((l) => listenOne(KINDS[l.proto](), l.fd, ctx, backlog, gate)));
  return {
    drain: () => {
      gate.clear();
      return drain(listeners, ctx);
    },
  };
}

function listenOne(kind: SocketKind, fd: number, ctx: ServeContext, backlog: number, gate: AcceptGate): Promise<Listener> {
  const server = kind.createServer(ctx, gate);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // The backlog as an argument: with { fd }, Node ignores options.backlog and uses 511.
    server.listen({ fd }, backlog, () => {
      server.off('error', reject);
      // The uwsgi kind joins the gate itself (its holds pause it); any other kind only takes turns.
      if (kind.proto !== 'uwsgi') gate.addUnheld(server);
      resolve({ kind, server });
    });
  });
}

async function drain(listeners: readonly Listener[], ctx: ServeContext): Promise<void> {
  for (const l of listeners) l.server.close();
  const start = performance.now();
  for (;;) {
    const elapsed = performance.now() - start;
    for (const l of listeners) l.kind.drainPass(l.server, ctx, elapsed);
    // Connections without a request (silent, idle) would otherwise hold the drain open.
    closeHoldingNoRequest(ctx.connections, elapsed);
    if (ctx.connections.size === 0) return;
    await new Promise((r) => setTimeout(r, DRAIN_TICK_MS));
  }
}
