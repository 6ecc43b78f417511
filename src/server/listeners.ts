/**
 * Starts accepting on the inherited listening sockets of one app thread and stops again.
 * Each thread listens on its own fd (a dup of the master's socket), so closing it stops this
 * thread's accepting without touching its siblings or the master's copy.
 */
import net from 'node:net';
import http from 'node:http';
import type { ServeContext } from './context';
import { handleUwsgiConnection, closeSilentConnections } from './uwsgi-connection';
import { createHttpServer, closeIdle } from './http-server';
import { AcceptGate } from './accept-gate';

export interface ListenFd {
  readonly fd: number;
  readonly proto: 'uwsgi' | 'http';
  readonly name: string;
}

export interface Listening {
  /** Stop accepting, let open connections finish; resolves when none is left. */
  drain(): Promise<void>;
}

export async function listenAll(fds: readonly ListenFd[], ctx: ServeContext, backlog: number): Promise<Listening> {
  const gate = new AcceptGate();
  const servers = await Promise.all(fds.map((l) => listenOne(l, ctx, backlog, gate)));
  return {
    drain: () => {
      gate.clear();
      return drain(servers, ctx);
    },
  };
}

function listenOne(l: ListenFd, ctx: ServeContext, backlog: number, gate: AcceptGate): Promise<net.Server> {
  const server =
    l.proto === 'uwsgi'
      ? // Paused: the connection handler reads the packet itself (read-now.ts).
        net.createServer({ pauseOnConnect: true }, (socket) => handleUwsgiConnection(socket, ctx, gate))
      : createHttpServer(ctx);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // The backlog as an argument: with { fd }, Node ignores options.backlog and uses 511.
    server.listen({ fd: l.fd }, backlog, () => {
      server.off('error', reject);
      if (l.proto === 'uwsgi') gate.add(server);
      resolve(server);
    });
  });
}

async function drain(servers: net.Server[], ctx: ServeContext): Promise<void> {
  for (const s of servers) {
    s.close();
    // Connections without a request in the app (idle, silent) would otherwise hold the drain open.
    if (s instanceof http.Server) closeIdle(s, ctx);
  }
  // Nor may a uwsgi connection that has sent nothing: it is not a request in flight.
  closeSilentConnections(ctx.connections);
  while (ctx.connections.size > 0) {
    await new Promise((r) => setTimeout(r, 20));
    for (const s of servers) if (s instanceof http.Server) closeIdle(s, ctx);
  }
}
