/**
 * The app thread's side of harakiri: keep the heartbeat fresh, record every request in flight
 * in the thread's table (request-slots.ts), and stop requests that overrun while the thread
 * itself is fine (an awaited call that never settles). A thread stuck in synchronous code is
 * the watchdog's job (watchdog.ts); both see the same requests: a request is in the sweep's Set
 * exactly while it has an entry in the table (or is counted in its overflow).
 *
 * Cheap per request: no closure. The listeners are shared functions that find their tracker
 * and entry on the response, and membership in the Set is the "not ended yet" mark.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../shared/logger';
import { escapeText } from '../../shared/text-escape';
import { RequestSlots } from './request-slots';
import { answerForApp } from '../../server/response';

const BEAT_MS = 100;
const SWEEP_MS = 500;

export interface HarakiriTracker {
  track(req: IncomingMessage, res: ServerResponse): void;
}

const kTracker = Symbol('tsuwsgi.harakiri.tracker');
const kEntry = Symbol('tsuwsgi.harakiri.entry');
const kStart = Symbol('tsuwsgi.harakiri.start');
const kWriteHead = Symbol('tsuwsgi.harakiri.writeHead');

type WriteHead = (this: ServerResponse, statusCode: number, reason?: unknown, headers?: unknown) => ServerResponse;
type Tracked = ServerResponse & { [kTracker]: Tracker; [kEntry]: number; [kStart]: number; [kWriteHead]: WriteHead };

class Tracker implements HarakiriTracker {
  readonly slots: RequestSlots;
  /** This thread's requests in flight, oldest first (a Set keeps insertion order). */
  readonly inFlight = new Set<Tracked>();

  constructor(
    buffer: SharedArrayBuffer,
    readonly thread: number,
    private readonly seconds: number,
    private readonly log: Logger,
    private readonly workerId: number,
    private readonly onHarakiri: () => void,
  ) {
    this.slots = new RequestSlots(buffer);
    // A replacement thread: whatever its predecessor had in flight is gone with it.
    this.slots.reset(thread);
    this.slots.beat(thread);
    setInterval(() => this.slots.beat(thread), BEAT_MS).unref();
    setInterval(() => this.sweep(Date.now()), SWEEP_MS).unref();
  }

  track(req: IncomingMessage, res: ServerResponse): void {
    const tracked = res as Tracked;
    const fd = (req.socket as unknown as { _handle?: { fd?: number } | null })._handle?.fd ?? -1;
    const now = Date.now();
    tracked[kTracker] = this;
    tracked[kStart] = now;
    tracked[kEntry] = this.slots.begin(this.thread, fd, req.method ?? '', req.url ?? '', now);
    this.inFlight.add(tracked);
    tracked[kWriteHead] = res.writeHead as WriteHead;
    res.writeHead = writeHeadNoted as ServerResponse['writeHead'];
    res.on('finish', ended);
    res.on('close', ended);
  }

  end(res: Tracked): void {
    if (this.inFlight.delete(res)) this.slots.end(this.thread, res[kEntry]);
  }

  /** Requests that waited too long on a thread that is otherwise fine: 504, nothing ended. */
  private sweep(now: number): void {
    const limitMs = this.seconds * 1000;
    for (const res of this.inFlight) {
      // Oldest first: the first one under the limit ends the sweep.
      if (now - res[kStart] <= limitMs) break;
      this.end(res);
      this.onHarakiri();
      const req = res.req;
      const ranMs = now - res[kStart];
      this.log.error(
        { event: 'harakiri', worker: this.workerId, thread: this.thread, method: req.method, uri: req.url, ranMs, stuck: false, inFlight: this.inFlight.size + 1 },
        `harakiri: ${escapeText(`${req.method} ${req.url}`)} ran ${ranMs} ms (limit ${this.seconds} s); stopped`,
      );
      // Answered for the app, which is shut out of the response from now on: its own late
      // answer (setHeader, writeHead, end) must neither throw nor reach the socket.
      if (!answerForApp(res, 504, '504 Gateway Timeout\n')) res.destroy();
    }
  }
}

export function startTracking(
  buffer: SharedArrayBuffer,
  thread: number,
  seconds: number,
  log: Logger,
  workerId: number,
  onHarakiri: () => void = () => undefined,
): HarakiriTracker {
  return new Tracker(buffer, thread, seconds, log, workerId, onHarakiri);
}

/** Notes in the table that the head went out (the watchdog must not write a 504 then). */
function writeHeadNoted(this: Tracked, statusCode: number, reason?: unknown, headers?: unknown): ServerResponse {
  const tracker = this[kTracker];
  if (tracker.inFlight.has(this)) tracker.slots.headSent(tracker.thread, this[kEntry]);
  return this[kWriteHead].call(this, statusCode, reason, headers);
}

/** 'finish', or 'close' first when the peer left or the response was destroyed. */
function ended(this: Tracked): void {
  this[kTracker].end(this);
}
