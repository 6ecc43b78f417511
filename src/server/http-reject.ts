/**
 * Answers tsuwsgi gives on http-socket in the app's place (400, 408, 413, 431), with the bytes
 * the uwsgi socket sends (raw-response.ts), and the close that follows them.
 *
 * The close lingers: the answer and a FIN go out, and whatever the peer still sends (the rest of
 * a body, a pipelined request) is read and dropped until it closes or LINGER_MS pass. Closing
 * with unread bytes would reset the connection, and the reset can reach the peer before it has
 * read the answer (measured: 33 of 200 clients still sending an oversized head got no 431).
 * The uwsgi socket reads and drops the rest of the request for the same reason.
 */
import type { Socket } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { earlyAnswer, reasonOf, type EarlyStatus } from './raw-response';
import { currentResponse } from '../shared/node-internals';

/** How long an answered connection keeps reading what its peer still sends (nginx: lingering_timeout 5 s). */
const LINGER_MS = 5000;

/** On a socket tsuwsgi has answered or given up on: its later requests and errors change nothing. */
export const kRejected = Symbol('tsuwsgi.rejected');

/** A connection of the http socket, marked once tsuwsgi answered or gave up on it. */
export type HttpSocket = Socket & { [kRejected]?: true };

/**
 * Sends `answer` (if any) and closes once the peer has closed too, or after LINGER_MS. Node's
 * parser keeps reading what arrives meanwhile; tsuwsgi ignores the requests and errors it finds.
 */
export function closeAfterAnswer(socket: HttpSocket, answer: Buffer | undefined, linger = true): void {
  socket[kRejected] = true;
  if (!socket.writable) {
    // Already closing (Node ended it after a `Connection: close` response).
  } else if (answer === undefined) {
    socket.end();
  } else {
    socket.end(answer);
  }
  // A peer that was too slow (http-timeout) gets no more of our time: closed once the answer
  // is out, whatever it may still be sending.
  if (linger) setTimeout(destroySocket, LINGER_MS, socket).unref();
  else socket.once('finish', destroyNow);
}

function destroyNow(this: Socket): void {
  this.destroy();
}

function destroySocket(socket: Socket): void {
  socket.destroy();
}

/**
 * Refuses a request before the app sees it. The bytes go straight out when this request's
 * response is the one due; behind pipelined responses still being written, they go through its
 * ServerResponse, which Node sends in turn (and closes after, without lingering).
 */
export function refuse(req: IncomingMessage, res: ServerResponse, status: EarlyStatus): void {
  const socket = req.socket as HttpSocket;
  if (currentResponse(socket) === res && !res.headersSent) {
    closeAfterAnswer(socket, earlyAnswer(status));
    return;
  }
  const reason = reasonOf(status);
  const body = `${status} ${reason}\n`;
  res.shouldKeepAlive = false;
  res.sendDate = false;
  res.statusMessage = reason;
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
