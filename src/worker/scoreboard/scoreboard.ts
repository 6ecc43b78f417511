/**
 * The reading side of the scoreboard (layout.ts), from any thread of the worker process: the
 * stats figures, the requests in flight, the stuck threads, the request counts. Also the two
 * writes made on behalf of a thread that is not running (retire, countHarakiri).
 */
import { LATENCY_BUCKETS_S, type CoreFigures } from '../../shared/stats-figures';
import { readLabel } from './label';
import {
  BEAT, BUSY_SINCE, BUSY_US, BoardView, CONNECTIONS, EXCEPTIONS, FD, FINISHED, HARAKIRI, HEAD_SENT, ID, LABEL, LABEL_LENGTH, LATENCY, OVERFLOW, TID,
  READ_ERRORS, RT_SUM_US, START, STARTED, STATUS, TABLE_ENTRIES, TX_BYTES, UPGRADED, VARS, WRITE_ERRORS, entryAt,
} from './layout';

/** One request in flight, as read from its entry. */
export interface InFlightRequest {
  readonly entry: number;
  /** ms since epoch. */
  readonly startMs: number;
  readonly requestMs: number;
  readonly fd: number;
  readonly headSent: boolean;
  readonly vars: number;
  readonly method: string;
  /** Query string included. */
  readonly uri: string;
}

export interface StuckThread {
  readonly thread: number;
  /** Since the thread's last heartbeat. */
  readonly stuckMs: number;
  /** The request that has run longest: the one that decided. */
  readonly oldest: InFlightRequest;
  /** Every recorded request in flight on the thread, oldest first (oldest included). */
  readonly inFlight: readonly InFlightRequest[];
  /** Requests in flight that the full table could not record. */
  readonly overflow: number;
}

export class Scoreboard {
  readonly view: BoardView;

  constructor(buffer: SharedArrayBuffer) {
    this.view = new BoardView(buffer);
  }

  get rows(): number {
    return this.view.rows;
  }

  private get(row: number, field: number): number {
    return this.view.f64[this.view.field(row, field)];
  }

  /** ms since epoch of the row's last heartbeat; 0 when no thread runs on it. */
  beat(row: number): number {
    return this.get(row, BEAT);
  }

  /** Requests the row's threads have handed to the app. */
  started(row: number): number {
    return this.get(row, STARTED);
  }

  /** Requests handed to the app by every thread of the worker. */
  totalStarted(): number {
    let n = 0;
    for (let r = 0; r < this.rows; r++) n += this.get(r, STARTED);
    return n;
  }

  /**
   * The cheaper's inputs (master/cheaper/): µs with a request in flight, summed over the
   * worker's threads (a period still running counts up to `nowMs`), and whether any thread has
   * a request in flight now.
   */
  busy(nowMs = Date.now()): { readonly micros: number; readonly now: boolean } {
    let micros = 0;
    let now = false;
    for (let r = 0; r < this.rows; r++) {
      const since = this.get(r, BUSY_SINCE);
      micros += this.get(r, BUSY_US);
      if (since > 0 && this.beat(r) > 0) {
        now = true;
        if (nowMs > since) micros += (nowMs - since) * 1000;
      }
    }
    return { micros, now };
  }

  /** Rows a thread runs on now (the cheaper's busyness is an average over them). */
  running(): number {
    let n = 0;
    for (let r = 0; r < this.rows; r++) if (this.beat(r) > 0) n++;
    return n;
  }

  /** The kernel thread id of the row's thread (0: not known yet). */
  tid(row: number): number {
    return this.get(row, TID);
  }

  connections(row: number): number {
    return this.get(row, CONNECTIONS);
  }

  /** Open connections the app took over (WebSocket, CONNECT), part of connections(). */
  upgraded(row: number): number {
    return this.get(row, UPGRADED);
  }

  /** The row's thread has ended (or is being ended): nothing runs on it until a new one resets it. */
  retire(row: number): void {
    this.view.f64[this.view.field(row, BEAT)] = 0;
  }

  /** Harakiri ended the row's thread, which cannot count it itself. */
  countHarakiri(row: number): void {
    this.view.f64[this.view.field(row, HARAKIRI)]++;
  }

  /** Every request recorded in flight on the row, oldest first; none when no thread runs on it. */
  inFlight(row: number, now = Date.now()): InFlightRequest[] {
    const out: InFlightRequest[] = [];
    if (this.beat(row) === 0) return out;
    for (let e = 0; e < TABLE_ENTRIES; e++) {
      const r = this.entry(row, e, now);
      if (r !== undefined) out.push(r);
    }
    return out.sort((a, b) => a.startMs - b.startMs);
  }

  /** The oldest request in flight on the row, if any. */
  oldest(row: number, now = Date.now()): InFlightRequest | undefined {
    return this.inFlight(row, now)[0];
  }

  /**
   * A copy of one entry, or undefined when it is free or was reused while being copied (see
   * "Why no locks are needed" in layout.ts).
   */
  private entry(row: number, e: number, now: number): InFlightRequest | undefined {
    const { f64, i32, u8 } = this.view;
    const at = entryAt(row, e);
    const id = Atomics.load(i32, (at + ID) / 4);
    if (id === 0) return undefined;
    const startMs = f64[(at + START) / 8];
    const fd = i32[(at + FD) / 4];
    const headSent = i32[(at + HEAD_SENT) / 4] === 1;
    const vars = i32[(at + VARS) / 4];
    const { method, uri } = readLabel(u8, at + LABEL, i32[(at + LABEL_LENGTH) / 4]);
    if (Atomics.load(i32, (at + ID) / 4) !== id) return undefined;
    return { entry: e, startMs, requestMs: now - startMs, fd, headSent, vars, method, uri };
  }

  /**
   * Threads that cannot stop an overrunning request themselves: the oldest request in flight
   * has run longer than `limitMs` and the heartbeat is older than `staleMs` (the thread's own
   * sweep, which would answer that request, has not run).
   */
  stuck(limitMs: number, staleMs: number, now = Date.now()): StuckThread[] {
    const out: StuckThread[] = [];
    for (let t = 0; t < this.rows; t++) {
      const beat = this.beat(t);
      if (beat === 0 || now - beat <= staleMs) continue;
      const inFlight = this.inFlight(t, now);
      if (inFlight.length === 0 || now - inFlight[0].startMs <= limitMs) continue;
      out.push({ thread: t, stuckMs: now - beat, oldest: inFlight[0], inFlight, overflow: this.get(t, OVERFLOW) });
    }
    return out;
  }

  /**
   * One app thread's stats figures. `withQuery` (stats-vars): keep the URI's query string. Off,
   * it is cut here, in the worker: a query often carries tokens, and the stats socket may be
   * readable by more people than the logs. Request headers and cookies are never stored.
   */
  figures(row: number, withQuery: boolean): CoreFigures {
    const { f64 } = this.view;
    const base = this.view.field(row, 0);
    const inFlight = this.inFlight(row);
    const oldest = inFlight[0];
    const uri = oldest === undefined || withQuery ? oldest?.uri : withoutQuery(oldest.uri);
    return {
      requests: f64[base + FINISHED],
      exceptions: f64[base + EXCEPTIONS],
      statusClasses: Array.from(f64.subarray(base + STATUS, base + STATUS + 5)),
      txBytes: f64[base + TX_BYTES],
      responseMicros: f64[base + RT_SUM_US],
      readErrors: f64[base + READ_ERRORS],
      writeErrors: f64[base + WRITE_ERRORS],
      harakiri: f64[base + HARAKIRI],
      latencyBuckets: Array.from(f64.subarray(base + LATENCY, base + LATENCY + LATENCY_BUCKETS_S.length + 1)),
      inFlight: this.beat(row) === 0 ? 0 : inFlight.length + f64[base + OVERFLOW],
      upgraded: this.beat(row) === 0 ? 0 : f64[base + UPGRADED],
      current: oldest === undefined ? undefined : { startMs: oldest.startMs, method: oldest.method, uri: uri as string, vars: oldest.vars },
    };
  }

  figuresOfAll(withQuery: boolean): CoreFigures[] {
    return Array.from({ length: this.rows }, (_, t) => this.figures(t, withQuery));
  }
}

function withoutQuery(uri: string): string {
  const q = uri.indexOf('?');
  return q < 0 ? uri : uri.slice(0, q);
}
