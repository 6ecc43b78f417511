/**
 * The master's listening sockets: bound here once, before any worker exists, and kept open for
 * the master's whole life so that workers come and go without a connection ever being refused.
 * The master binds only; it never listens or accepts (its event loop would then take
 * connections itself), so the workers' listen() on their dups puts the socket in LISTEN state.
 */
import net from 'node:net';
import dns from 'node:dns/promises';
import type { Config, SocketAddress } from '../shared/config';
import { TsuwsgiError } from '../shared/errors';
import { adoptInheritedSockets } from './socket-activation';
import { bindHandle } from './server-handle';
import { bindUnixSocket } from './unix-socket-file';
import type { FileIdentity } from './file-identity';
import type { SocketProto } from '../shared/socket-proto';

export interface BoundSocket {
  readonly address: SocketAddress;
  readonly proto: SocketProto;
  readonly fd: number;
  /** What getsockname says: the real port when 0 was asked for. */
  readonly name: string;
  /** The libuv handle that owns the fd; kept referenced so the fd stays open. */
  readonly handle: unknown;
  /** Passed by systemd (LISTEN_FDS), not bound here: never chmod'ed, chown'ed or vacuumed. */
  readonly inherited?: boolean;
  /** A unix socket file this master created: what vacuum may remove. */
  readonly file?: FileIdentity;
}

export async function bindAll(config: Config): Promise<BoundSocket[]> {
  const bound: BoundSocket[] = [];
  const wanted = [
    ...config.socket.map((a) => ({ address: a, proto: 'uwsgi' as const })),
    ...config.httpSocket.map((a) => ({ address: a, proto: 'http' as const })),
  ];
  // Socket activation: what systemd passed is used as is; only the rest is bound here.
  const inherited = await adoptInheritedSockets(wanted);
  for (const [i, w] of wanted.entries()) {
    bound.push(inherited.matched[i] ?? (await bindOne(w.address, w.proto, config.chmodSocket, config.chownSocket)));
  }
  return [...bound, ...inherited.extra];
}

async function bindOne(address: SocketAddress, proto: SocketProto, mode: number | undefined, owner: Config['chownSocket']): Promise<BoundSocket> {
  if (address.kind === 'unix') {
    // chown-socket; without it the socket stays the master's: workers inherit the fd, and only
    // connecting (nginx) needs the file's permissions.
    const { handle, identity } = await bindUnixSocket(address.path, address.text, mode, owner);
    return { address, proto, fd: handle.fd, name: address.path, handle, file: identity };
  }
  let host: string | null = null;
  let family = 4;
  if (address.host !== undefined) {
    const ip = net.isIP(address.host);
    if (ip !== 0) {
      host = address.host;
      family = ip;
    } else {
      try {
        const found = await dns.lookup(address.host);
        host = found.address;
        family = found.family;
      } catch (err) {
        throw new TsuwsgiError('E_SOCKET_BIND', `${address.text}: cannot resolve "${address.host}": ${(err as NodeJS.ErrnoException).code}`);
      }
    }
  }
  const handle = bindHandle(host, address.port, family, address.text);
  const out: Record<string, unknown> = {};
  handle.getsockname?.(out);
  // libuv defers a bind's EADDRINUSE until listen(), which the master never calls: the
  // socket is then simply unbound (port 0), and a worker's listen() would pick a random port.
  if (typeof out.port !== 'number' || out.port === 0) {
    handle.close();
    throw new TsuwsgiError('E_SOCKET_IN_USE', `${address.text}: address already in use (another server is listening there)`);
  }
  const port = out.port;
  const shownHost = host === null ? '*' : family === 6 ? `[${host}]` : host;
  return { address, proto, fd: handle.fd, name: `${shownHost}:${port}`, handle };
}
