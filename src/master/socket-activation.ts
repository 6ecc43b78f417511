/**
 * Socket activation: listening sockets handed over by systemd (or systemd-socket-activate) in
 * LISTEN_FDS, from fd 3 on, as uWSGI takes them. Each passed fd is matched by address to a
 * `socket =` / `http-socket =` line, which then is not bound again (and is neither chmod'ed nor
 * chown'ed: the .socket unit's SocketMode/SocketUser did that); a passed fd no line names is
 * served as an extra uwsgi socket. The fd is wrapped the way Node's net wraps `listen({ fd })`
 * (`_createServerHandle` with an fd), and, like the master's own sockets, never listened on
 * here: it is already listening, and the workers accept on their dups.
 */
import net from 'node:net';
import fs from 'node:fs';
import dns from 'node:dns/promises';
import type { SocketAddress } from '../shared/config';
import { TsuwsgiError } from '../shared/errors';
import { forgetListenFds, listenFds } from '../shared/listen-fds';
import { createServerHandle, type RawServerHandle } from '../shared/node-internals';
import type { BoundSocket } from './sockets';
import type { SocketProto } from '../shared/socket-proto';

/** Where a socket listens: an IP (canonical text, '' = every interface) and port, or a path. */
export type ListenKey = { readonly kind: 'tcp'; readonly ip: string; readonly port: number } | { readonly kind: 'unix'; readonly path: string };

export interface Wanted {
  readonly address: SocketAddress;
  readonly proto: SocketProto;
}

export interface Adopted {
  /** For each wanted socket, in order: the inherited socket that serves it, if any. */
  readonly matched: readonly (BoundSocket | undefined)[];
  /** Inherited sockets no line names: served as uwsgi sockets. */
  readonly extra: readonly BoundSocket[];
}


/**
 * Takes the sockets passed to this process (and removes LISTEN_* from `env`, so the workers do
 * not see them) and pairs them with the wanted sockets.
 */
export async function adoptInheritedSockets(wanted: readonly Wanted[], env: Record<string, string | undefined> = process.env, pid = process.pid): Promise<Adopted> {
  const fds = listenFds(env, pid);
  forgetListenFds(env);
  if (fds.length === 0) return { matched: wanted.map(() => undefined), extra: [] };
  const inherited = fds.map(wrapFd);
  const keys = await Promise.all(wanted.map((w) => keyOfWanted(w.address)));
  const { matches, unmatched } = matchInherited(keys, inherited.map((i) => i.key));
  const matched = wanted.map((w, index) => {
    const i = matches[index];
    return i === undefined ? undefined : bound(inherited[i], w.address, w.proto);
  });
  const extra = unmatched.map((i) => bound(inherited[i], addressOf(inherited[i].key, inherited[i].fd), 'uwsgi'));
  return { matched, extra };
}

/**
 * Pairs wanted sockets with inherited ones, each used at most once. A wanted TCP socket on
 * every interface (`:8080`) matches an inherited one on 0.0.0.0 or :: (systemd's `ListenStream=8080`).
 */
export function matchInherited(
  wanted: readonly (ListenKey | undefined)[],
  inherited: readonly ListenKey[],
): { matches: (number | undefined)[]; unmatched: number[] } {
  const taken = new Set<number>();
  const matches = wanted.map((w) => {
    if (w === undefined) return undefined;
    const i = inherited.findIndex((k, index) => !taken.has(index) && sameListenKey(w, k));
    if (i < 0) return undefined;
    taken.add(i);
    return i;
  });
  const unmatched = inherited.map((_, i) => i).filter((i) => !taken.has(i));
  return { matches, unmatched };
}

function sameListenKey(wanted: ListenKey, got: ListenKey): boolean {
  if (wanted.kind === 'unix' || got.kind === 'unix') {
    return wanted.kind === 'unix' && got.kind === 'unix' && wanted.path === got.path;
  }
  if (wanted.port !== got.port) return false;
  if (wanted.ip === '') return got.ip === '0.0.0.0' || got.ip === '::';
  return wanted.ip === got.ip;
}

/** The path bound to the unix socket with this inode, from /proc/net/unix ("@name" if abstract). */
export function unixPathOfInode(procNetUnix: string, inode: number): string | undefined {
  for (const line of procNetUnix.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length >= 8 && Number(fields[6]) === inode) return fields.slice(7).join(' ');
  }
  return undefined;
}

/** The canonical text of an IP address (`0:0::1` → `::1`), as getsockname reports it. */
export function canonicalIp(ip: string): string {
  const family = net.isIP(ip);
  if (family === 0) return ip;
  return new net.SocketAddress({ address: ip, family: family === 6 ? 'ipv6' : 'ipv4' }).address;
}

async function keyOfWanted(address: SocketAddress): Promise<ListenKey | undefined> {
  if (address.kind === 'unix') return { kind: 'unix', path: address.path };
  if (address.host === undefined) return { kind: 'tcp', ip: '', port: address.port };
  if (net.isIP(address.host) !== 0) return { kind: 'tcp', ip: canonicalIp(address.host), port: address.port };
  try {
    // The same lookup bindOne would make, so a name matches where it would have been bound.
    const found = await dns.lookup(address.host);
    return { kind: 'tcp', ip: canonicalIp(found.address), port: address.port };
  } catch {
    return undefined; // bindOne reports the name that does not resolve
  }
}

interface InheritedFd {
  readonly fd: number;
  readonly handle: RawServerHandle;
  readonly key: ListenKey;
}

function wrapFd(fd: number): InheritedFd {
  const handle = createServerHandle(null, 0, -1, fd);
  if (typeof handle === 'number') {
    throw new TsuwsgiError('E_SOCKET_BIND', `inherited fd ${fd} (LISTEN_FDS): not a stream socket tsuwsgi can serve`);
  }
  if (typeof handle.getsockname === 'function') {
    const out: Record<string, unknown> = {};
    handle.getsockname(out);
    return { fd, handle, key: { kind: 'tcp', ip: String(out.address), port: Number(out.port) } };
  }
  const path = unixPathOfInode(fs.readFileSync('/proc/net/unix', 'utf8'), fs.fstatSync(fd).ino);
  return { fd, handle, key: { kind: 'unix', path: path ?? '' } };
}

function addressOf(key: ListenKey, fd: number): SocketAddress {
  if (key.kind === 'unix') return { kind: 'unix', path: key.path, text: key.path === '' ? `fd ${fd}` : key.path };
  return { kind: 'tcp', host: key.ip, port: key.port, text: nameOf(key) };
}

function nameOf(key: ListenKey): string {
  if (key.kind === 'unix') return key.path;
  return net.isIPv6(key.ip) ? `[${key.ip}]:${key.port}` : `${key.ip}:${key.port}`;
}

function bound(i: InheritedFd, address: SocketAddress, proto: SocketProto): BoundSocket {
  const name = i.key.kind === 'unix' && i.key.path === '' ? `fd ${i.fd}` : nameOf(i.key);
  return { address, proto, fd: i.fd, name, handle: i.handle, inherited: true };
}
