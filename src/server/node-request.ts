/**
 * Builds the real http.IncomingMessage / http.ServerResponse pair from parsed uwsgi vars, so
 * Express, Koa and plain listeners run unchanged. This is the per-request hot path: no HTTP
 * head is re-parsed, header names are converted once and cached.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { UwsgiVars } from '../protocol';

/** HTTP_X_FORWARDED_FOR → x-forwarded-for, computed once per distinct var name. */
const headerNames = new Map<string, string | null>();

function headerName(key: string): string | null {
  let name = headerNames.get(key);
  if (name === undefined) {
    name = key.startsWith('HTTP_') ? key.slice(5).toLowerCase().replace(/_/g, '-') : null;
    // nginx de-chunks uploads but still passes the client's Transfer-Encoding; the body on the
    // wire is plain, so handing the header on would make body parsers misread it. The
    // CONTENT_* vars, not their HTTP_* copies, are authoritative.
    if (name === 'transfer-encoding' || name === 'content-length' || name === 'content-type') name = null;
    if (headerNames.size < 4096) headerNames.set(key, name);
  }
  return name;
}

/** The uwsgi packet a request came in: its var count and size (for log-format's %(vars)). */
export const kPacket = Symbol('tsuwsgi.packet');
export type WithPacket = IncomingMessage & { [kPacket]?: { readonly vars: number; readonly size: number } };

export function buildRequest(socket: Socket, vars: UwsgiVars, bodyLength: number, varCount = 0, packetSize = 0): IncomingMessage {
  const req = new IncomingMessage(socket);
  (req as WithPacket)[kPacket] = { vars: varCount, size: packetSize };
  req.method = vars.REQUEST_METHOD || 'GET';
  req.url = vars.REQUEST_URI || requestUri(vars);
  const proto = vars.SERVER_PROTOCOL;
  if (proto === 'HTTP/1.0') {
    req.httpVersionMajor = 1;
    req.httpVersionMinor = 0;
    req.httpVersion = '1.0';
  } else {
    req.httpVersionMajor = 1;
    req.httpVersionMinor = 1;
    req.httpVersion = '1.1';
  }
  const headers: Record<string, string> = {};
  const raw: string[] = [];
  for (const key in vars) {
    const name = headerName(key);
    if (name !== null) {
      headers[name] = vars[key];
      raw.push(name, vars[key]);
    }
  }
  const type = vars.CONTENT_TYPE;
  if (type) {
    headers['content-type'] = type;
    raw.push('content-type', type);
  }
  if (bodyLength > 0 || vars.CONTENT_LENGTH) {
    const len = String(bodyLength);
    headers['content-length'] = len;
    raw.push('content-length', len);
  }
  req.headers = headers;
  req.rawHeaders = raw;
  // The peer of the socket is nginx; the app must see the client. net.Socket reads its
  // remote address from _peername once set, so no getter is redefined per request.
  const s = socket as Socket & { _peername?: unknown; encrypted?: boolean };
  s._peername = {
    address: vars.REMOTE_ADDR || '',
    port: Number(vars.REMOTE_PORT) || 0,
    family: vars.REMOTE_ADDR?.includes(':') ? 'IPv6' : 'IPv4',
  };
  if (vars.HTTPS === 'on' || vars.REQUEST_SCHEME === 'https') s.encrypted = true;
  return req;
}

function requestUri(vars: UwsgiVars): string {
  const path = vars.PATH_INFO || '/';
  return vars.QUERY_STRING ? `${path}?${vars.QUERY_STRING}` : path;
}

export function buildResponse(req: IncomingMessage, socket: Socket): ServerResponse {
  const res = new ServerResponse(req);
  // One request per connection, and never chunked framing: nginx's uwsgi module has no chunk
  // decoder. With Transfer-Encoding marked removed, ServerResponse sends Content-Length when
  // it knows the length and otherwise delimits the body by closing the connection.
  res.shouldKeepAlive = false;
  res.removeHeader('transfer-encoding');
  res.assignSocket(socket);
  return res;
}
