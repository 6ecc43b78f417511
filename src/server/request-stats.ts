/**
 * Feeds one app thread's counters (worker/stats/core-slots.ts) from its requests, when `stats`
 * is set. An async app has several requests in flight on one thread: the slot shows how many,
 * and the oldest one as the thread's current request (the one an operator looks for when a
 * thread seems stuck). The listeners are shared functions that find their state on the
 * response (no closure per request), like the request log's.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { CoreSlots } from '../worker/stats/core-slots';
import { kPacket, type WithPacket } from './node-request';

const kSlots = Symbol('tsuwsgi.stats.slots');
const kThread = Symbol('tsuwsgi.stats.thread');
const kStart = Symbol('tsuwsgi.stats.start');
const kStartMs = Symbol('tsuwsgi.stats.startMs');
const kTx = Symbol('tsuwsgi.stats.tx');

type Counted = ServerResponse & {
  [kSlots]: CoreSlots | undefined;
  [kThread]: number;
  [kStart]: number;
  [kStartMs]: number;
  [kTx]: number;
};

/** This thread's requests in progress, oldest first (a Set keeps insertion order). */
const inFlight = new Set<Counted>();
let shown: Counted | undefined;

export function countRequest(slots: CoreSlots, thread: number, req: IncomingMessage, res: ServerResponse): void {
  const counted = res as Counted;
  counted[kSlots] = slots;
  counted[kThread] = thread;
  counted[kStart] = performance.now();
  counted[kStartMs] = Date.now();
  // An http-socket connection may carry several requests: count this response's bytes only.
  counted[kTx] = req.socket.bytesWritten;
  inFlight.add(counted);
  if (inFlight.size === 1) show(counted);
  slots.inFlight(thread, inFlight.size);
  res.once('finish', finished);
  res.once('close', closed);
}

function show(res: Counted): void {
  shown = res;
  const req = res.req;
  const vars = (req as WithPacket)[kPacket]?.vars ?? req.rawHeaders.length / 2;
  (res[kSlots] as CoreSlots).show(res[kThread], req.method ?? '', req.url ?? '', vars, res[kStartMs]);
}

function leave(res: Counted, slots: CoreSlots): void {
  res[kSlots] = undefined;
  inFlight.delete(res);
  slots.inFlight(res[kThread], inFlight.size);
  if (shown === res) {
    shown = undefined;
    const oldest = inFlight.values().next();
    if (!oldest.done) show(oldest.value);
  }
}

function finished(this: Counted): void {
  const slots = this[kSlots];
  if (slots === undefined) return;
  const micros = Math.round((performance.now() - this[kStart]) * 1000);
  slots.end(this[kThread], this.statusCode, this.req.socket.bytesWritten - this[kTx], micros);
  leave(this, slots);
}

/** 'close' before 'finish': the peer went away, or the response was destroyed. */
function closed(this: Counted): void {
  const slots = this[kSlots];
  if (slots === undefined) return;
  slots.abort(this[kThread]);
  leave(this, slots);
}
