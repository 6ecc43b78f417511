/**
 * Reads what a just-accepted connection already holds, synchronously, inside the accept
 * callback. nginx writes its uwsgi packet right after connect(), so under load the request is
 * usually there: the app can then run before this thread accepts anything else (a blocking
 * handler holds back only its own request, as in a uWSGI sync worker), and the request skips
 * a poll round trip and the stream machinery.
 */
import fs from 'node:fs';
import type { Socket } from 'node:net';
import { socketFd } from '../shared/node-internals';

/** Enough for the largest packet (vars block ≤ 64 KiB) plus what follows it in one read. */
const scratch = Buffer.allocUnsafe(64 * 1024 + 4);

export const NOTHING_YET = null;
export const PEER_CLOSED = 0;

/** The bytes available now, NOTHING_YET, or PEER_CLOSED (EOF or a reset). */
export function readNow(socket: Socket): Buffer | typeof NOTHING_YET | typeof PEER_CLOSED {
  const fd = socketFd(socket);
  if (fd < 0) return NOTHING_YET;
  let n: number;
  try {
    n = fs.readSync(fd, scratch, 0, scratch.length, null);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EAGAIN' || code === 'EWOULDBLOCK' ? NOTHING_YET : PEER_CLOSED;
  }
  if (n === 0) return PEER_CLOSED;
  // A copy: scratch is reused by the next connection, and body bytes outlive this call.
  const chunk = Buffer.allocUnsafe(n);
  scratch.copy(chunk, 0, 0, n);
  return chunk;
}
