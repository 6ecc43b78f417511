/**
 * Builds the real http.IncomingMessage / ServerResponse pair from a uwsgi request, so Express,
 * Koa and plain listeners run unchanged. This is the per-request hot path: no HTTP head is
 * re-parsed; the head was mapped and checked once by the pure requestHead().
 */
import { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { RequestHead, UwsgiVars } from '../protocol';
import { attachResponse, setPeer } from '../shared/node-internals';
import { LightSocket } from './light-socket';
import { TsuwsgiResponse } from './response';
import { kServerVars, type WithServerVars } from '../app/server-vars';

/** The uwsgi packet a request came in: its var count and size (for log-format's %(vars)). */
export const kPacket = Symbol('tsuwsgi.packet');
export type WithPacket = IncomingMessage & { [kPacket]?: { readonly vars: number; readonly size: number } };

/** `RequestClass`: a subclass when the body may be held (post-buffer.ts). */
export function buildRequest(
  socket: Socket, head: RequestHead, vars: UwsgiVars, varCount = 0, packetSize = 0, RequestClass: typeof IncomingMessage = IncomingMessage,
): IncomingMessage {
  const req = new RequestClass(socket);
  (req as WithPacket)[kPacket] = { vars: varCount, size: packetSize };
  // For a fetch app's URL when Host is unusable (app/request-url.ts): SERVER_NAME, SERVER_PORT.
  (req as WithServerVars)[kServerVars] = vars;
  req.method = head.method;
  req.url = head.url;
  req.httpVersionMajor = 1;
  if (head.http10) {
    req.httpVersionMinor = 0;
    req.httpVersion = '1.0';
  } else {
    req.httpVersionMinor = 1;
    req.httpVersion = '1.1';
  }
  req.headers = head.headers;
  req.rawHeaders = head.rawHeaders;
  // The peer of the socket is nginx; the app must see the client.
  setPeer(socket, vars.REMOTE_ADDR || '', Number(vars.REMOTE_PORT) || 0);
  if (vars.HTTPS === 'on' || vars.REQUEST_SCHEME === 'https') (socket as Socket & { encrypted?: boolean }).encrypted = true;
  return req;
}

export function buildResponse(req: IncomingMessage, socket: Socket): TsuwsgiResponse {
  const res = new TsuwsgiResponse(req);
  // One request per connection, and never chunked framing: nginx's uwsgi module has no chunk
  // decoder. With Transfer-Encoding marked removed, ServerResponse sends Content-Length when
  // it knows the length and otherwise delimits the body by closing the connection.
  res.shouldKeepAlive = false;
  res.removeHeader('transfer-encoding');
  if (socket instanceof LightSocket) attachResponse(res, socket);
  else res.assignSocket(socket);
  return res;
}
