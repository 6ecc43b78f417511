/**
 * Socket addresses as uWSGI writes them: `:8080` (every interface), `host:port`,
 * `[ipv6]:port`, or a unix socket path (anything with a `/`, or without a `:`).
 */
import net from 'node:net';
import path from 'node:path';
import type { SocketAddress } from '../shared/config';
import type { Parsed } from './values';

const HOST_PORT = /^([^:]*):(\d+)$/;
const BRACKETED = /^\[([^\]]+)\]:(\d+)$/;
const HOSTNAME = /^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/;

export function parseAddress(text: string, baseDir: string): Parsed<SocketAddress> {
  if (text === '') return { problem: 'expected an address such as :8080, 127.0.0.1:9000 or a unix socket path' };
  if (text.includes('/') || !text.includes(':')) return { value: unixAddress(text, baseDir) };
  if (text.startsWith('[')) {
    const m = BRACKETED.exec(text);
    if (!m || net.isIPv6(m[1]) === false) return { problem: 'malformed IPv6 address; expected the form [::1]:9000' };
    return tcpAddress(m[1], m[2], text);
  }
  const m = HOST_PORT.exec(text);
  if (!m) {
    const hint = text.split(':').length > 2 ? 'IPv6 addresses need brackets, as in [::1]:9000' : 'expected HOST:PORT, :PORT or a unix socket path';
    return { problem: `malformed address; ${hint}` };
  }
  if (m[1] !== '' && !net.isIPv4(m[1]) && !HOSTNAME.test(m[1])) return { problem: `malformed host "${m[1]}"` };
  return tcpAddress(m[1] === '' ? undefined : m[1], m[2], text);
}

function tcpAddress(host: string | undefined, portText: string, text: string): Parsed<SocketAddress> {
  const port = Number(portText);
  if (port > 65535) return { problem: 'port must be 0..65535' };
  return { value: Object.freeze({ kind: 'tcp', host, port, text }) };
}

function unixAddress(text: string, baseDir: string): SocketAddress {
  // `@name` is a Linux abstract socket: a name, not a file, so it is never resolved.
  const socketPath = text.startsWith('@') ? text : path.resolve(baseDir, text);
  return Object.freeze({ kind: 'unix', path: socketPath, text });
}
