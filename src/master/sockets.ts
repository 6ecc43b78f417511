/**
 * The master's listening sockets: bound here once, before any worker exists, and kept open for
 * the master's whole life so that workers come and go without a connection ever being refused.
 * The master binds only; it never listens or accepts (its event loop would then take
 * connections itself), so the workers' listen() on their dups puts the socket in LISTEN state.
 */
import net from 'node:net';
import fs from 'node:fs';
import dns from 'node:dns/promises';
import util from 'node:util';
import type { Config, SocketAddress } from '../config/types';
import { TsuwsgiError } from '../shared/errors';
import { adoptInheritedSockets } from './socket-activation';

export interface BoundSocket {
  readonly address: SocketAddress;
  readonly proto: 'uwsgi' | 'http';
  readonly fd: number;
  /** What getsockname says: the real port when 0 was asked for. */
  readonly name: string;
  /** The libuv handle that owns the fd; kept referenced so the fd stays open. */
  readonly handle: unknown;
  /** Passed by systemd (LISTEN_FDS), not bound here: never chmod'ed, chown'ed or vacuumed. */
  readonly inherited?: boolean;
}

interface RawHandle {
  fd: number;
  close(): void;
  getsockname?(out: Record<string, unknown>): number;
}

type CreateServerHandle = (address: string | null, port: number, addressType: number, fd?: number, flags?: number) => RawHandle | number;
// The bind-without-listen primitive Node's own cluster primary uses for shared handles.
const createServerHandle = (net as unknown as { _createServerHandle: CreateServerHandle })._createServerHandle;

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

async function bindOne(address: SocketAddress, proto: 'uwsgi' | 'http', mode: number | undefined, owner: Config['chownSocket']): Promise<BoundSocket> {
  if (address.kind === 'unix') {
    await clearStaleSocket(address.path);
    const handle = check(createServerHandle(address.path, -1, -1), address.text);
    if (mode !== undefined) {
      try {
        fs.chmodSync(address.path, mode);
      } catch (err) {
        throw new TsuwsgiError('E_SOCKET_CHMOD', `${address.path}: chmod-socket ${mode.toString(8)} failed: ${(err as Error).message}`);
      }
    }
    // chown-socket; without it the socket stays the master's: workers inherit the fd, and only
    // connecting (nginx) needs the file's permissions.
    if (owner !== undefined) {
      try {
        fs.chownSync(address.path, owner.uid, owner.gid ?? -1);
      } catch (err) {
        const to = owner.gid === undefined ? `${owner.uid}` : `${owner.uid}:${owner.gid}`;
        throw new TsuwsgiError('E_SOCKET_CHOWN', `${address.path}: chown-socket ${to} failed: ${(err as Error).message}`);
      }
    }
    return { address, proto, fd: handle.fd, name: address.path, handle };
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
  const handle = check(createServerHandle(host, address.port, family), address.text);
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

function check(result: RawHandle | number, what: string): RawHandle {
  if (typeof result !== 'number') return result;
  const code = util.getSystemErrorName(result);
  if (code === 'EADDRINUSE') {
    throw new TsuwsgiError('E_SOCKET_IN_USE', `${what}: address already in use (another server is listening there)`);
  }
  throw new TsuwsgiError('E_SOCKET_BIND', `${what}: cannot bind: ${code}`);
}

/**
 * A socket file left by a server that died is replaced; a live server's socket is never
 * taken over (uWSGI unlinks it blindly, and the usurper's vacuum later strands the first one).
 */
export async function clearStaleSocket(path: string): Promise<void> {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(path);
  } catch {
    return;
  }
  if (!st.isSocket()) {
    throw new TsuwsgiError('E_SOCKET_BIND', `${path}: exists and is not a unix socket; refusing to replace it`);
  }
  if (await isLive(path)) {
    throw new TsuwsgiError('E_SOCKET_IN_USE', `${path}: another server is listening on this unix socket`);
  }
  fs.unlinkSync(path);
}

function isLive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(path);
    probe.setTimeout(1000);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('timeout', () => {
      // Accepting nothing within a second yet not refusing: someone holds it; do not steal.
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/** vacuum: remove the unix socket files this master created (if they are still sockets). */
export function unlinkUnixSockets(sockets: readonly BoundSocket[]): void {
  for (const s of sockets) {
    if (s.address.kind !== 'unix' || s.inherited === true) continue;
    try {
      if (fs.lstatSync(s.address.path).isSocket()) fs.unlinkSync(s.address.path);
    } catch {
      // Already gone.
    }
  }
}
