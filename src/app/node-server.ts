/**
 * An app that exported an http.Server it never listens on, the way socket.io, `ws`, Next.js
 * custom servers and Fastify (`fastify.server`) are wired:
 *
 *   const server = http.createServer(app); io.attach(server); module.exports = server;
 *
 * tsuwsgi serves every connection itself and emits on that server what Node's own server would:
 * `request` for each request (here), `upgrade` and `connect` for the connections the app takes
 * over (server/http-upgrade.ts). The server's own options (timeouts, keep-alive, its
 * IncomingMessage class) do not apply: tsuwsgi's do. It never gets `listening`, `connection` or
 * `close`: it never listens, and its 'close' listeners (engine.io's among them) would shut the
 * app's side down with semantics of their own, while tsuwsgi closes upgraded connections itself.
 */
import type { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';
import type { NodeListener } from './types';

/** An http.Server, https.Server or any net.Server that takes 'request' listeners. */
export function isNodeServer(c: unknown): c is NetServer {
  return c instanceof NetServer;
}

export function serverListener(server: EventEmitter): NodeListener {
  return (req, res) => {
    if (!server.emit('request', req, res)) noRequestListener(req, res);
  };
}

/** Node's own server would leave the request hanging; answer, so the mistake shows. */
function noRequestListener(_req: IncomingMessage, res: ServerResponse): void {
  const body = 'Not Found: the app\'s server has no request listener\n';
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
