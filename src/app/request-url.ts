/**
 * The URL a fetch app's Request gets. Its path is always the request's own path: the Host
 * header only names the authority, and only when it is a valid host[:port]. nginx passes `\`,
 * `?` and `#` in Host, so `http://${host}${url}` let `Host: x\admin?` turn `GET /public` into
 * `/admin` behind an nginx that denies `/admin`; an empty Host made the first path segment the
 * host. A Host that is not a reg-name, IPv4 or [IPv6] with an optional port 1-65535 is replaced
 * by the server's own name: SERVER_NAME[:SERVER_PORT] on a uwsgi socket, the socket's local
 * address on http-socket.
 *
 * Request-targets: origin-form (`/p?q`, also `//evil.example/x`, whose path is
 * `//evil.example/x`) as is; absolute-form (`http://h/p`, http-socket) gives its path, and its
 * authority replaces Host (RFC 9112 §3.2.2); anything else (`*`, `p`) has no path a Request
 * can carry: undefined, and the adapter answers 400. In the path, the characters the URL
 * parser would reinterpret or drop are percent-encoded as the bytes they are: `\` (a `/` to the
 * URL parser), controls and space (stripped at the end, tabs and newlines anywhere), and
 * 0x7F-0xFF (request text is latin1: one char per byte; the parser would re-encode each as two
 * UTF-8 bytes). Dot segments are resolved, as every fetch runtime does and as nginx does before
 * it matches a location.
 *
 * Hot for fetch apps: an accepted Host is cached (a handful per server), and a path that needs
 * no escaping is used as it is.
 */
import type { IncomingMessage } from 'node:http';
import { kServerVars, type WithServerVars } from './server-vars';

const ABSOLUTE = /^https?:\/\/([^/?#]*)(.*)$/is;
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=-]+)(?::(\d{1,5}))?$/;
const CACHE_MAX = 256;
/**
 * Host → the authority the URL parser keeps, per scheme (it drops the scheme's default port);
 * only valid ones, and only the first CACHE_MAX.
 */
const hosts = { http: new Map<string, string>(), https: new Map<string, string>() };

export function requestUrl(req: IncomingMessage): string | undefined {
  const https = (req.socket as { encrypted?: boolean }).encrypted === true;
  const target = req.url ?? '/';
  let authority: string | undefined;
  let path: string;
  if (target.charCodeAt(0) === 0x2f) {
    path = target;
    const host = req.headers.host;
    if (host !== undefined) authority = validAuthority(host, https);
  } else {
    const abs = ABSOLUTE.exec(target);
    if (abs === null) return undefined;
    authority = validAuthority(abs[1], https);
    path = abs[2] === '' ? '/' : abs[2].charCodeAt(0) === 0x2f ? abs[2] : `/${abs[2]}`;
  }
  return `${https ? 'https' : 'http'}://${authority ?? serverAuthority(req, https)}${escapePath(path)}`;
}

/** `host` as the URL parser will keep it, or undefined when it is not a valid host[:port]. */
export function validAuthority(host: string, https = false): string | undefined {
  const cache = https ? hosts.https : hosts.http;
  const known = cache.get(host);
  if (known !== undefined) return known;
  const m = HOST.exec(host);
  if (m === null || (m[1] !== undefined && (Number(m[1]) < 1 || Number(m[1]) > 65535))) return undefined;
  let url: URL;
  try {
    // The URL parser is the judge of the rest (IPv4 forms, IPv6, IDNA): it must take the host
    // whole and leave the path alone.
    url = new URL(`${https ? 'https' : 'http'}://${host}/`);
  } catch {
    return undefined;
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') return undefined;
  if (cache.size < CACHE_MAX) cache.set(host, url.host);
  return url.host;
}

function serverAuthority(req: IncomingMessage, https: boolean): string {
  const server = (req as WithServerVars)[kServerVars];
  // A uwsgi request carries its vars (server/node-request.ts); an http-socket one, its socket.
  if (server !== undefined) return withPort(server.SERVER_NAME, server.SERVER_PORT, https);
  const { localAddress, localPort } = req.socket;
  if (localAddress === undefined) return 'localhost';
  return withPort(localAddress.includes(':') ? `[${localAddress}]` : localAddress, localPort === undefined ? undefined : String(localPort), https);
}

/** name[:port] (no port when it is the scheme's default); `localhost` for an unusable name. */
function withPort(name: string | undefined, port: string | undefined, https: boolean): string {
  const host = (name === undefined ? undefined : validAuthority(name, https)) ?? 'localhost';
  if (port === undefined || port === '' || port === (https ? '443' : '80')) return host;
  return validAuthority(`${host}:${port}`, https) ?? host;
}

/** Controls, space, `\`, DEL and 0x80-0xFF: what escapePath rewrites. */
const NEEDS_ESCAPE = /[\x00-\x20\\\x7f-\xff]/;

/** Percent-encodes what the URL parser would reinterpret or drop (see the file comment). */
export function escapePath(path: string): string {
  // A regex scan is native code: several times faster than a charCodeAt loop on a long path.
  if (!NEEDS_ESCAPE.test(path)) return path;
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    out += c <= 0x20 || c === 0x5c || (c >= 0x7f && c <= 0xff) ? `%${c < 16 ? '0' : ''}${c.toString(16).toUpperCase()}` : path[i];
  }
  return out;
}
