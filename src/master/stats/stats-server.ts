/**
 * The stats address: a TCP or unix listener in the master. Without stats-http every connection
 * gets one JSON document and is closed (uWSGI's protocol, which uwsgitop reads); with
 * stats-http it is an HTTP server: GET / the JSON, GET /metrics Prometheus text.
 *
 * A unix stats socket is made like the uwsgi sockets (unix-socket-file.ts: stale check, mode
 * from stats-chmod set at bind, no chmod or chown by path), and the server listens on its fd:
 * a server that listened on the path would have libuv unlink whatever is at the path when it
 * closes; vacuum.ts removes it at exit only if it is still this file.
 */
import net from 'node:net';
import http from 'node:http';
import type { SocketAddress } from '../../shared/config';
import { TsuwsgiError } from '../../shared/errors';
import { bindUnixSocket, type UnixSocketFile } from '../unix-socket-file';
import type { CreatedFile } from '../vacuum';
import { PROMETHEUS_CONTENT_TYPE } from './prometheus';

export interface StatsSource {
  json(): Promise<string>;
  metrics(): Promise<string>;
}

export interface StatsServer {
  readonly name: string;
  /** The unix socket file created, for its removal at exit. */
  readonly file: CreatedFile | undefined;
  /** A unix socket's bound handle, kept referenced: it owns the fd the server listens on. */
  readonly handle: unknown;
  close(): void;
}

/** `mode`: the unix socket's (stats-chmod); a TCP address has none. */
export async function startStatsServer(address: SocketAddress, httpMode: boolean, source: StatsSource, onError: (err: Error) => void, mode = 0o600): Promise<StatsServer> {
  const server = httpMode ? httpServer(source, onError) : rawServer(source, onError);
  let unix: UnixSocketFile | undefined;
  if (address.kind === 'unix') unix = await bindUnixSocket(address.path, `stats ${address.text}`, mode, undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(new TsuwsgiError(err.code === 'EADDRINUSE' ? 'E_SOCKET_IN_USE' : 'E_SOCKET_BIND', `stats ${address.text}: cannot listen: ${err.code ?? err.message}`));
    });
    if (unix !== undefined) server.listen({ fd: unix.handle.fd }, resolve);
    else if (address.kind === 'tcp') server.listen(address.port, address.host, resolve);
  });
  server.on('error', onError);
  // The stats listener must not keep a stopping master alive.
  server.unref();
  const bound = server.address();
  const name = typeof bound === 'string' || bound === null ? address.text : `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`;
  const file = unix === undefined || address.kind !== 'unix' ? undefined : { path: address.path, identity: unix.identity };
  return { name, file, handle: unix?.handle, close: () => server.close() };
}

function rawServer(source: StatsSource, onError: (err: Error) => void): net.Server {
  return net.createServer((socket) => {
    socket.on('error', () => undefined);
    source.json().then(
      (doc) => socket.end(doc),
      (err: Error) => {
        onError(err);
        socket.destroy();
      },
    );
  });
}

function httpServer(source: StatsSource, onError: (err: Error) => void): http.Server {
  return http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const answer = path === '/metrics' ? source.metrics() : path === '/' ? source.json() : undefined;
    const type = path === '/metrics' ? PROMETHEUS_CONTENT_TYPE : 'application/json';
    if (answer === undefined || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('not found: GET / (JSON) or GET /metrics (Prometheus)\n');
      return;
    }
    answer.then(
      (body) => {
        res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (err: Error) => {
        onError(err);
        res.writeHead(500).end();
      },
    );
  });
}
