/**
 * The writing side of one row of the scoreboard (layout.ts), used only by the app thread that
 * owns the row. This is the per-request hot path: plain typed-array stores, one Atomics.store to
 * publish an entry, no allocation (unless a label is not ASCII).
 */
import { LATENCY_BUCKETS_S } from '../../shared/stats-figures';
import { putLabel } from './label';
import type { BoardView} from './layout';
import {
  BEAT, BUSY_SINCE, BUSY_US, CONNECTIONS, ENTRY_BYTES, EXCEPTIONS, FD, FINISHED, HARAKIRI, HEAD_SENT, ID, LABEL, LABEL_LENGTH,
  LATENCY, OVERFLOW, READ_ERRORS, RT_SUM_US, START, STARTED, STATUS, TABLE_ENTRIES, TID, TX_BYTES, UPGRADED, VARS, WRITE_ERRORS, entryAt,
} from './layout';

const BUCKET_US = LATENCY_BUCKETS_S.map((s) => s * 1e6);
const MAX_ID = 0x7fffffff;

export class RowWriter {
  private readonly f64: Float64Array;
  private readonly i32: Int32Array;
  private readonly u8: Uint8Array;
  /** Float64 index of this row's header. */
  private readonly head: number;
  /** Byte offset of this row's entry 0. */
  private readonly table: number;
  /** Where to look for a free entry next. */
  private cursor = 0;
  private lastId = 0;

  constructor(
    view: BoardView,
    readonly row: number,
  ) {
    this.f64 = view.f64;
    this.i32 = view.i32;
    this.u8 = view.u8;
    this.head = view.field(row, 0);
    this.table = entryAt(row, 0);
  }

  /** A (replacement) thread takes the row: whatever its predecessor had in flight is gone. */
  reset(now = Date.now(), tid = 0): void {
    this.f64[this.head + TID] = tid;
    for (let e = 0; e < TABLE_ENTRIES; e++) this.i32[(this.table + e * ENTRY_BYTES + ID) / 4] = 0;
    this.f64[this.head + OVERFLOW] = 0;
    this.f64[this.head + BUSY_SINCE] = 0;
    this.cursor = 0;
    this.f64[this.head + BEAT] = now;
  }

  beat(now: number, connections: number, upgraded = 0): void {
    this.f64[this.head + CONNECTIONS] = connections;
    this.f64[this.head + UPGRADED] = upgraded;
    this.f64[this.head + BEAT] = now;
  }

  /**
   * A request reaches the app: counted, and recorded in the table. Returns its entry, or -1 when
   * the table is full (then counted in OVERFLOW: the entries already there are older, and the
   * oldest decide).
   */
  begin(method: string, uri: string, fd: number, vars: number, now: number): number {
    const f64 = this.f64;
    f64[this.head + STARTED]++;
    const entry = this.freeEntry();
    if (entry < 0) {
      f64[this.head + OVERFLOW]++;
      return -1;
    }
    const at = this.table + entry * ENTRY_BYTES;
    const i32 = this.i32;
    f64[(at + START) / 8] = now;
    i32[(at + FD) / 4] = fd;
    i32[(at + HEAD_SENT) / 4] = 0;
    i32[(at + VARS) / 4] = vars;
    i32[(at + LABEL_LENGTH) / 4] = putLabel(this.u8, at + LABEL, method, uri);
    this.lastId = this.lastId === MAX_ID ? 1 : this.lastId + 1;
    // Last, and ordered: a reader that sees the ID sees the fields above.
    Atomics.store(i32, (at + ID) / 4, this.lastId);
    return entry;
  }

  private freeEntry(): number {
    const i32 = this.i32;
    for (let i = 0, e = this.cursor; i < TABLE_ENTRIES; i++, e = e + 1 === TABLE_ENTRIES ? 0 : e + 1) {
      if (i32[(this.table + e * ENTRY_BYTES + ID) / 4] === 0) {
        this.cursor = e + 1 === TABLE_ENTRIES ? 0 : e + 1;
        return e;
      }
    }
    return -1;
  }

  headSent(entry: number): void {
    if (entry >= 0) this.i32[(this.table + entry * ENTRY_BYTES + HEAD_SENT) / 4] = 1;
  }

  /** The request of `entry` (-1: one the full table did not hold) left the table. */
  end(entry: number): void {
    if (entry >= 0) {
      this.i32[(this.table + entry * ENTRY_BYTES + ID) / 4] = 0;
      return;
    }
    const i = this.head + OVERFLOW;
    if (this.f64[i] > 0) this.f64[i]--;
  }

  /** When `entry` started (ms since epoch): the row's own thread reading its own table. */
  startOf(entry: number): number {
    return this.f64[(this.table + entry * ENTRY_BYTES + START) / 8];
  }

  /** Requests in flight on this row: the table's entries in use and the overflow. */
  inFlight(): number {
    let n = this.f64[this.head + OVERFLOW];
    for (let e = 0; e < TABLE_ENTRIES; e++) if (this.i32[(this.table + e * ENTRY_BYTES + ID) / 4] !== 0) n++;
    return n;
  }

  started(): number {
    return this.f64[this.head + STARTED];
  }

  /** A response finished (stats): status class, bytes, time and latency bucket. */
  finished(status: number, txBytes: number, micros: number): void {
    const f = this.f64;
    const h = this.head;
    f[h + FINISHED]++;
    const cls = (status / 100) | 0;
    if (cls >= 1 && cls <= 5) f[h + STATUS + cls - 1]++;
    f[h + TX_BYTES] += txBytes;
    f[h + RT_SUM_US] += micros;
    let b = 0;
    while (b < BUCKET_US.length && micros > BUCKET_US[b]) b++;
    f[h + LATENCY + b]++;
  }

  /** The thread's first request in flight began at `epochMs` (cheaper). */
  busyFrom(epochMs: number): void {
    this.f64[this.head + BUSY_SINCE] = epochMs;
  }

  /** Its last request in flight ended at `epochMs`: the busy period is added up (cheaper). */
  busyUntil(epochMs: number): void {
    const f = this.f64;
    const since = f[this.head + BUSY_SINCE];
    if (since > 0 && epochMs > since) f[this.head + BUSY_US] += (epochMs - since) * 1000;
    f[this.head + BUSY_SINCE] = 0;
  }

  /** A response was cut short: the connection closed before it finished (stats). */
  aborted(): void {
    this.f64[this.head + WRITE_ERRORS]++;
  }

  exception(): void {
    this.f64[this.head + EXCEPTIONS]++;
  }

  /** A request that could not be read (stats). `_thread` is this row: ServeContext's signature. */
  readError(_thread?: number): void {
    this.f64[this.head + READ_ERRORS]++;
  }

  harakiri(): void {
    this.f64[this.head + HARAKIRI]++;
  }
}
