/**
 * Feeds one app thread's counters (worker/stats/core-slots.ts) from its requests, when `stats`
 * is set. An async app has several requests in flight on one thread: the slot shows how many,
 * and the oldest one as the thread's current request (the one an operator looks for when a
 * thread seems stuck).
 *
 * Kept cheap on purpose (measured in bench row 10): the listeners are shared functions (no
 * closure per request, `on` rather than `once`, which wraps), the thread's slots are module
 * state (a module is per thread), and membership in the in-flight Set is the "not counted yet"
 * mark, so a response carries only two numbers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { CoreSlots } from '../worker/stats/core-slots';
import { kPacket, type WithPacket } from './node-request';

const kStart = Symbol('tsuwsgi.stats.start');
const kTx = Symbol('tsuwsgi.stats.tx');

type Counted = ServerResponse & { [kStart]: number; [kTx]: number };

/** This thread's requests in progress, oldest first (a Set keeps insertion order). */
const inFlight = new Set<Counted>();
let shown: Counted | undefined;
let slots: CoreSlots;
let thread = 0;

/** `start`: performance.now() when the app was called (run-app.ts already took it). */
export function countRequest(threadSlots: CoreSlots, threadIndex: number, req: IncomingMessage, res: ServerResponse, start: number): void {
  slots = threadSlots;
  thread = threadIndex;
  const counted = res as Counted;
  counted[kStart] = start;
  // An http-socket connection may carry several requests: count this response's bytes only.
  counted[kTx] = req.socket.bytesWritten;
  inFlight.add(counted);
  if (inFlight.size === 1) show(counted);
  else slots.inFlight(thread, inFlight.size);
  res.on('finish', finished);
  res.on('close', closed);
}

function show(res: Counted): void {
  shown = res;
  const req = res.req;
  const vars = (req as WithPacket)[kPacket]?.vars ?? req.rawHeaders.length / 2;
  slots.show(thread, req.method ?? '', req.url ?? '', vars, performance.timeOrigin + res[kStart], inFlight.size);
}

function leave(res: Counted): void {
  if (shown === res) {
    shown = undefined;
    const oldest = inFlight.values().next();
    if (!oldest.done) return show(oldest.value);
  }
  slots.inFlight(thread, inFlight.size);
}

function finished(this: Counted): void {
  if (!inFlight.delete(this)) return;
  const micros = Math.round((performance.now() - this[kStart]) * 1000);
  slots.end(thread, this.statusCode, this.req.socket.bytesWritten - this[kTx], micros);
  leave(this);
}

/** 'close' before 'finish': the peer went away, or the response was destroyed. */
function closed(this: Counted): void {
  if (!inFlight.delete(this)) return;
  slots.abort(thread);
  leave(this);
}
