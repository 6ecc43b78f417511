/**
 * Starts accepting on the inherited listening sockets of one app thread and stops again.
 * Each thread listens on its own fd (a dup of the master's socket), so closing it stops this
 * thread's accepting without touching its siblings or the master's copy.
 */
import net from 'node:net';
import http from 'node:http';
import type { ServeContext } from './context';
import { handleUwsgiConnection, closeSilentConnections } from './uwsgi-connection';
import { runApp } from './run-app';
import { AcceptGate } from './accept-gate';
import { TsuwsgiResponse } from './response';

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

function createHttpServer(ctx: ServeContext): http.Server {
  const server = http.createServer({ ServerResponse: TsuwsgiResponse }, (req, res) => {
    // Node's http server says nothing when the client leaves mid-response; say it once, as the
    // uwsgi socket does (uwsgi-connection.ts onClose): routine, not an error.
    res.once('close', () => {
      if (!res.writableFinished) ctx.log.info({ event: 'client-gone', uri: req.url }, 'connection closed before the response was complete');
    });
    runApp(ctx, req, res);
  });
  server.on('connection', (socket: net.Socket) => {
    ctx.connections.add(socket);
    socket.once('close', () => ctx.connections.delete(socket));
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: net.Socket) => {
    ctx.log.info({ event: 'bad-request', code: err.code }, `bad HTTP request: ${err.message}`);
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  return server;
}

async function drain(servers: net.Server[], ctx: ServeContext): Promise<void> {
  for (const s of servers) {
    s.close();
    // Idle keep-alive connections on http sockets would otherwise hold the drain open.
    if (s instanceof http.Server) s.closeIdleConnections();
  }
  // Nor may a uwsgi connection that has sent nothing: it is not a request in flight.
  closeSilentConnections(ctx.connections);
  while (ctx.connections.size > 0) {
    await new Promise((r) => setTimeout(r, 20));
    for (const s of servers) if (s instanceof http.Server) s.closeIdleConnections();
  }
}
