/**
 * The stats address: a TCP or unix listener in the master. Without stats-http every connection
 * gets one JSON document and is closed (uWSGI's protocol, which uwsgitop reads); with
 * stats-http it is an HTTP server: GET / the JSON, GET /metrics Prometheus text.
 */
import net from 'node:net';
import http from 'node:http';
import type { SocketAddress } from '../../config/types';
import { TsuwsgiError } from '../../shared/errors';
import { clearStaleSocket } from '../sockets';
import { PROMETHEUS_CONTENT_TYPE } from './prometheus';

export interface StatsSource {
  json(): Promise<string>;
  metrics(): Promise<string>;
}

export interface StatsServer {
  readonly name: string;
  close(): void;
}

export async function startStatsServer(address: SocketAddress, httpMode: boolean, source: StatsSource, onError: (err: Error) => void): Promise<StatsServer> {
  const server = httpMode ? httpServer(source, onError) : rawServer(source, onError);
  if (address.kind === 'unix' && !address.path.startsWith('@')) await clearStaleSocket(address.path);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(new TsuwsgiError(err.code === 'EADDRINUSE' ? 'E_SOCKET_IN_USE' : 'E_SOCKET_BIND', `stats ${address.text}: cannot listen: ${err.code ?? err.message}`));
    });
    if (address.kind === 'unix') server.listen(address.path, resolve);
    else server.listen(address.port, address.host, resolve);
  });
  server.on('error', onError);
  // The stats listener must not keep a stopping master alive.
  server.unref();
  const bound = server.address();
  const name = typeof bound === 'string' || bound === null ? address.text : `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`;
  return { name, close: () => server.close() };
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
