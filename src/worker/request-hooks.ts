/**
 * The one hook every request of an app thread goes through (server/context.ts RequestHooks):
 * at its start and its end it writes the thread's row of the scoreboard, which the stats,
 * harakiri, recycling and SIGUSR1 all read. What it writes depends on what is on, decided once
 * per thread:
 *
 *   always ....... the request count and an in-flight entry (start, label): SIGUSR1 names it
 *   harakiri ..... the entry's fd and head flag, and the response itself (the thread's sweep
 *                  answers a request that only waits too long)
 *   stats ........ var count, bytes, status class, response time, latency bucket, write errors
 *   recycling .... the limits checked after each request (recycle-limits.ts)
 *   cheaper ...... when the thread goes from idle to busy and back (its busy time)
 *
 * The response carries its entry (and, with stats, its byte count at the start): nothing else
 * is allocated per request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { RequestHooks } from '../server/context';
import { kPacket, type WithPacket } from '../server/node-request';
import { onResponseHead } from '../server/response';
import { socketFd } from '../shared/node-internals';
import type { RowWriter } from './scoreboard/row-writer';

const kEntry = Symbol('tsuwsgi.entry');
const kTx = Symbol('tsuwsgi.tx');
const kConn = Symbol('tsuwsgi.conn');
/** kEntry of a request the full table could not hold (counted in the row's overflow). */
const OUT_OF_TABLE = -1;
/** kEntry once the request's end was noted: a second 'close' changes nothing. */
const ENDED = -2;

type Booked = ServerResponse & { [kEntry]: number; [kTx]: number; [kConn]: Socket };

export interface HookOptions {
  readonly stats: boolean;
  readonly harakiri: boolean;
  /** The master scales the workers (cheaper): note the thread's busy periods. */
  readonly busy: boolean;
  /** Called after each request's end (recycling limits set), else undefined. */
  readonly afterEnd: (() => void) | undefined;
}

export class ThreadRequests implements RequestHooks {
  readonly timed: boolean;
  private readonly stats: boolean;
  private readonly harakiri: boolean;
  private readonly afterEnd: (() => void) | undefined;
  private readonly busy: boolean;
  /** Requests in flight on this thread (cheaper only): its busy period spans 0 → n → 0. */
  private active = 0;
  /** harakiri: the response of each entry in use (the sweep answers them), by entry. */
  private readonly responses: (Booked | undefined)[] = [];
  /** harakiri: requests the full table could not hold, with their start (ms since epoch). */
  private readonly outOfTable = new Map<Booked, number>();
  private readonly timeOrigin = performance.timeOrigin;

  constructor(
    private readonly row: RowWriter,
    options: HookOptions,
  ) {
    this.stats = options.stats;
    this.timed = options.stats;
    this.harakiri = options.harakiri;
    this.afterEnd = options.afterEnd;
    this.busy = options.busy;
    // harakiri's watchdog must not write a 504 after a head: note when each one goes out.
    if (this.harakiri) onResponseHead((res) => row.headSent((res as Partial<Booked>)[kEntry] ?? ENDED));
  }

  start(req: IncomingMessage, res: ServerResponse, start: number): void {
    const booked = res as Booked;
    // harakiri compares it with the watchdog thread's clock: the wall clock, read by every
    // thread alike. Otherwise it is only shown (SIGUSR1, stats): the start runApp read is enough.
    const now = this.harakiri ? Date.now() : this.timeOrigin + start;
    const fd = this.harakiri ? socketFd(req.socket) : -1;
    const vars = this.stats ? ((req as WithPacket)[kPacket]?.vars ?? req.rawHeaders.length / 2) : 0;
    const entry = this.row.begin(req.method ?? '', req.url ?? '', fd, vars, now);
    booked[kEntry] = entry;
    if (this.busy && this.active++ === 0) this.row.busyFrom(this.timeOrigin + start);
    // An http-socket connection may carry several requests: count this response's bytes only.
    // The connection is kept, not read again from req.socket at the end: Node sets that to null
    // when a server request is destroyed through stream.destroyer (a `for await` that throws).
    if (this.stats) {
      booked[kConn] = req.socket;
      booked[kTx] = req.socket.bytesWritten;
    }
    if (this.harakiri) {
      if (entry >= 0) this.responses[entry] = booked;
      else this.outOfTable.set(booked, now);
    }
  }

  end(res: ServerResponse, micros: number): void {
    const booked = res as Booked;
    const entry = booked[kEntry];
    if (entry === ENDED || entry === undefined) return;
    booked[kEntry] = ENDED;
    this.row.end(entry);
    // One clock read per busy period, not per request, when requests overlap.
    if (this.busy && --this.active === 0) this.row.busyUntil(this.timeOrigin + performance.now());
    if (this.harakiri) {
      if (entry >= 0) this.responses[entry] = undefined;
      else this.outOfTable.delete(booked);
    }
    if (this.stats) {
      if (res.writableFinished) this.row.finished(res.statusCode, booked[kConn].bytesWritten - booked[kTx], micros);
      else this.row.aborted();
    }
    this.afterEnd?.();
  }

  exception(): void {
    this.row.exception();
  }

  count(): number {
    return this.row.started();
  }

  /** harakiri: every request in flight on this thread with its start, as the sweep needs them. */
  inFlight(): Array<{ res: ServerResponse; entry: number; startMs: number }> {
    const out: Array<{ res: ServerResponse; entry: number; startMs: number }> = [];
    this.responses.forEach((res, entry) => {
      if (res !== undefined) out.push({ res, entry, startMs: this.row.startOf(entry) });
    });
    for (const [res, startMs] of this.outOfTable) out.push({ res, entry: OUT_OF_TABLE, startMs });
    return out.sort((a, b) => a.startMs - b.startMs);
  }
}
