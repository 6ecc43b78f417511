/**
 * Reads what a just-accepted connection already holds, synchronously, inside the accept
 * callback. nginx writes its uwsgi packet right after connect(), so under load the request is
 * usually there: the app can then run before this thread accepts anything else (a blocking
 * handler holds back only its own request, as in a uWSGI sync worker), and the request skips
 * a poll round trip and the stream machinery.
 *
 * On TCP without TCP_DEFER_ACCEPT (no-defer-accept, no perl, a socket from systemd without
 * DeferAcceptSec=) the packet is often not there yet (the listener wakes at the handshake,
 * before nginx's write: 28-43% of connections at 32 concurrent, against 0.2-3% on a unix
 * socket; design-notes.md "The TCP path"), so the EAGAIN is a common case, not an error: it is read
 * without building a stack trace for the exception fs.readSync throws.
 */
import fs from 'node:fs';
import type { Socket } from 'node:net';
import { socketFd } from '../shared/node-internals';
import { muteStacks, restoreStacks } from './mute-stacks';

/** Enough for the largest packet (vars block ≤ 64 KiB) plus what follows it in one read. */
const scratch = Buffer.allocUnsafe(64 * 1024 + 4);

export const NOTHING_YET = null;
export const PEER_CLOSED = 0;

/**
 * The bytes available now, NOTHING_YET, or PEER_CLOSED (EOF or a reset). The bytes are a view
 * on a buffer the next readNow reuses: what outlives the caller (a body) goes through keep().
 * A GET's packet is parsed from the view and never copied.
 */
export function readNow(socket: Socket): Buffer | typeof NOTHING_YET | typeof PEER_CLOSED {
  const fd = socketFd(socket);
  if (fd < 0) return NOTHING_YET;
  const n = readOnce(fd);
  if (n === 0) return PEER_CLOSED;
  if (n < 0) return NOTHING_YET;
  return scratch.subarray(0, n);
}

/** Bytes of their own for a view readNow returned; any other buffer is returned as it is. */
export function keep(bytes: Buffer): Buffer {
  if (bytes.buffer !== scratch.buffer) return bytes;
  const own = Buffer.allocUnsafe(bytes.length);
  bytes.copy(own);
  return own;
}

/** Bytes read into scratch; -1 for EAGAIN, 0 for EOF or a reset. */
function readOnce(fd: number): number {
  // fs.readSync has no way to report EAGAIN but an exception, and capturing its stack costs a
  // third to half of the call (Node 20: ~10 → ~6 µs): mute-stacks.ts.
  const limit = muteStacks();
  try {
    return fs.readSync(fd, scratch, 0, scratch.length, null);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EAGAIN' || code === 'EWOULDBLOCK' ? -1 : 0;
  } finally {
    restoreStacks(limit);
  }
}
