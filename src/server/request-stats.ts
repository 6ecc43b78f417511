/**
 * Feeds one app thread's counters (worker/stats/core-slots.ts) from its requests, when `stats`
 * is set. The listeners are shared functions that find their state on the response (no closure
 * per request), like the request log's.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { CoreSlots } from '../worker/stats/core-slots';
import { kPacket, type WithPacket } from './node-request';

const kSlots = Symbol('tsuwsgi.stats.slots');
const kThread = Symbol('tsuwsgi.stats.thread');
const kStart = Symbol('tsuwsgi.stats.start');
const kTx = Symbol('tsuwsgi.stats.tx');

type Counted = ServerResponse & { [kSlots]: CoreSlots | undefined; [kThread]: number; [kStart]: number; [kTx]: number };

export function countRequest(slots: CoreSlots, thread: number, req: IncomingMessage, res: ServerResponse): void {
  const counted = res as Counted;
  counted[kSlots] = slots;
  counted[kThread] = thread;
  counted[kStart] = performance.now();
  // An http-socket connection may carry several requests: count this response's bytes only.
  counted[kTx] = req.socket.bytesWritten;
  const vars = (req as WithPacket)[kPacket]?.vars ?? req.rawHeaders.length / 2;
  slots.begin(thread, req.method ?? '', req.url ?? '', vars);
  res.once('finish', finished);
  res.once('close', closed);
}

function finished(this: Counted): void {
  const slots = this[kSlots];
  if (slots === undefined) return;
  this[kSlots] = undefined;
  const micros = Math.round((performance.now() - this[kStart]) * 1000);
  slots.end(this[kThread], this.statusCode, this.req.socket.bytesWritten - this[kTx], micros);
}

/** 'close' before 'finish': the peer went away, or the response was destroyed. */
function closed(this: Counted): void {
  const slots = this[kSlots];
  if (slots === undefined) return;
  this[kSlots] = undefined;
  slots.abort(this[kThread]);
}
