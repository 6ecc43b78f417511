/**
 * Per app thread, in shared memory: a heartbeat the thread's event loop refreshes, and a table
 * of the requests in flight on the thread. A watchdog on another thread reads it: a thread stuck
 * in synchronous code cannot answer a message, but its stale heartbeat shows it, and the table
 * tells which request has run longest and where to write a 504 for each of them. Used only when
 * harakiri is set. An async app has many requests in flight on one thread, and the one that
 * blocks the thread need not be the one started last: every one is tracked, the oldest decides.
 *
 * Layout (native byte order; one slot of SLOT_BYTES per app thread, thread t at t × SLOT_BYTES):
 *
 *   slot  +0   Float64  heartbeat, ms since epoch (0: the thread has not started)
 *         +8   Int32    overflow: requests in flight that found the table full
 *         +12  Int32    unused
 *         +16  ENTRIES entries of ENTRY_BYTES each:
 *   entry +0   Float64  start, ms since epoch; 0 = the entry is free
 *         +8   Int32    fd of the request's connection (-1: unknown)
 *         +12  Int32    1 once the response head went out (a 504 can no longer be written)
 *         +16  Int32    label length in bytes
 *         +20  label    "METHOD URI" in UTF-8, cut at LABEL_BYTES
 *
 * Only the owning app thread writes its slot while it runs (plain typed-array stores, no
 * allocation per request); an entry is published by writing its start last. The watchdog
 * writes a slot only to release the entries of a thread it is ending, and a replacement thread
 * resets its slot before serving. When the table is full a new request is counted in `overflow`
 * and not recorded: the entries already there are older, and the oldest decide. Aligned 8-byte
 * stores are not torn on the platforms Node runs on; a reader racing a writer can at worst
 * pair a start with a neighbouring request's label, for one log line.
 */
const ENTRIES = 32;
const ENTRY_BYTES = 256;
const HEADER_BYTES = 16;
const SLOT_BYTES = HEADER_BYTES + ENTRIES * ENTRY_BYTES;

const HEARTBEAT = 0;
const OVERFLOW = 8;
const START = 0;
const FD = 8;
const HEAD_SENT = 12;
const LABEL_LENGTH = 16;
const LABEL = 20;
const LABEL_BYTES = ENTRY_BYTES - LABEL;

/** One request in flight, as the watchdog reads it. */
export interface InFlightRequest {
  readonly entry: number;
  readonly requestMs: number;
  readonly fd: number;
  readonly headSent: boolean;
  readonly method: string;
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

export class RequestSlots {
  static readonly capacity = ENTRIES;

  static bytesFor(threads: number): number {
    return threads * SLOT_BYTES;
  }

  private readonly f64: Float64Array;
  private readonly i32: Int32Array;
  private readonly u8: Uint8Array;
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();
  /** Where the owning thread looks for a free entry next (writer side only). */
  private cursor = 0;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.f64 = new Float64Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.u8 = new Uint8Array(buffer);
  }

  get threads(): number {
    return this.buffer.byteLength / SLOT_BYTES;
  }

  beat(thread: number, now = Date.now()): void {
    this.f64[(thread * SLOT_BYTES + HEARTBEAT) / 8] = now;
  }

  /** Forget every request of the thread: a replacement starts, or harakiri dealt with them. */
  reset(thread: number): void {
    const base = thread * SLOT_BYTES;
    for (let e = 0; e < ENTRIES; e++) this.f64[(base + HEADER_BYTES + e * ENTRY_BYTES + START) / 8] = 0;
    this.i32[(base + OVERFLOW) / 4] = 0;
  }

  /** Records a request; returns its entry, or -1 when the table is full (then counted). */
  begin(thread: number, fd: number, method: string, uri: string, now = Date.now()): number {
    const base = thread * SLOT_BYTES + HEADER_BYTES;
    let entry = -1;
    for (let i = 0, e = this.cursor; i < ENTRIES; i++, e = e + 1 === ENTRIES ? 0 : e + 1) {
      if (this.f64[(base + e * ENTRY_BYTES + START) / 8] === 0) {
        entry = e;
        break;
      }
    }
    if (entry < 0) {
      this.i32[(thread * SLOT_BYTES + OVERFLOW) / 4]++;
      return -1;
    }
    this.cursor = entry + 1 === ENTRIES ? 0 : entry + 1;
    const at = base + entry * ENTRY_BYTES;
    this.i32[(at + FD) / 4] = fd;
    this.i32[(at + HEAD_SENT) / 4] = 0;
    this.i32[(at + LABEL_LENGTH) / 4] = this.putLabel(at + LABEL, method, uri);
    this.f64[(at + START) / 8] = now;
    return entry;
  }

  headSent(thread: number, entry: number): void {
    if (entry >= 0) this.i32[(thread * SLOT_BYTES + HEADER_BYTES + entry * ENTRY_BYTES + HEAD_SENT) / 4] = 1;
  }

  /** The request of `entry` (-1: one the full table did not record) is over. */
  end(thread: number, entry: number): void {
    if (entry >= 0) {
      this.f64[(thread * SLOT_BYTES + HEADER_BYTES + entry * ENTRY_BYTES + START) / 8] = 0;
      return;
    }
    const i = (thread * SLOT_BYTES + OVERFLOW) / 4;
    if (this.i32[i] > 0) this.i32[i]--;
  }

  /**
   * Threads that cannot stop an overrunning request themselves: the oldest request in flight
   * has run longer than `limitMs` and the heartbeat is older than `staleMs` (the thread's own
   * sweep, which would answer that request, has not run).
   */
  stuck(limitMs: number, staleMs: number, now = Date.now()): StuckThread[] {
    const out: StuckThread[] = [];
    for (let t = 0; t < this.threads; t++) {
      const beat = this.f64[(t * SLOT_BYTES + HEARTBEAT) / 8];
      if (beat === 0 || now - beat <= staleMs) continue;
      const oldest = this.oldestStart(t);
      if (oldest === 0 || now - oldest <= limitMs) continue;
      const inFlight = this.inFlight(t, now);
      out.push({ thread: t, stuckMs: now - beat, oldest: inFlight[0], inFlight, overflow: this.i32[(t * SLOT_BYTES + OVERFLOW) / 4] });
    }
    return out;
  }

  /** Every recorded request in flight on the thread, oldest first. */
  inFlight(thread: number, now = Date.now()): InFlightRequest[] {
    const out: InFlightRequest[] = [];
    const base = thread * SLOT_BYTES + HEADER_BYTES;
    for (let e = 0; e < ENTRIES; e++) {
      const at = base + e * ENTRY_BYTES;
      const start = this.f64[(at + START) / 8];
      if (start === 0) continue;
      const label = this.decoder.decode(this.u8.slice(at + LABEL, at + LABEL + this.i32[(at + LABEL_LENGTH) / 4]));
      const space = label.indexOf(' ');
      out.push({
        entry: e,
        requestMs: now - start,
        fd: this.i32[(at + FD) / 4],
        headSent: this.i32[(at + HEAD_SENT) / 4] === 1,
        method: label.slice(0, space),
        uri: label.slice(space + 1),
      });
    }
    return out.sort((a, b) => b.requestMs - a.requestMs);
  }

  private oldestStart(thread: number): number {
    const base = thread * SLOT_BYTES + HEADER_BYTES;
    let oldest = 0;
    for (let e = 0; e < ENTRIES; e++) {
      const start = this.f64[(base + e * ENTRY_BYTES + START) / 8];
      if (start !== 0 && (oldest === 0 || start < oldest)) oldest = start;
    }
    return oldest;
  }

  /**
   * Method and URI are ASCII in practice (nginx passes the URI percent-encoded): copied byte by
   * byte, with no allocation. At the first other character the label is encoded as UTF-8.
   */
  private putLabel(at: number, method: string, uri: string): number {
    const u8 = this.u8;
    let n = 0;
    for (let i = 0; i < method.length && n < LABEL_BYTES; i++, n++) {
      const c = method.charCodeAt(i);
      if (c > 0x7f) return this.encodeLabel(at, method, uri);
      u8[at + n] = c;
    }
    if (n < LABEL_BYTES) u8[at + n++] = 0x20;
    for (let i = 0; i < uri.length && n < LABEL_BYTES; i++, n++) {
      const c = uri.charCodeAt(i);
      if (c > 0x7f) return this.encodeLabel(at, method, uri);
      u8[at + n] = c;
    }
    return n;
  }

  private encodeLabel(at: number, method: string, uri: string): number {
    // encodeInto never splits a character, so the cut label still decodes cleanly.
    return this.encoder.encodeInto(`${method} ${uri}`, this.u8.subarray(at, at + LABEL_BYTES)).written;
  }
}
