/**
 * Per app thread ("core", in uWSGI's words) request counters in one SharedArrayBuffer per
 * worker process. Each app thread writes only its own slot with plain typed-array stores (no
 * message, no allocation per request); the worker's main thread reads every slot when the master
 * asks, so a thread stuck in synchronous code still has its figures read.
 *
 * Counters are Float64 (exact up to 2^53): aligned 8-byte stores are not torn on the platforms
 * Node runs on, and a reader racing a writer sees at worst one request half counted (its
 * count before its duration), which the next read corrects. No Atomics: they would cost on
 * the hot path and buy nothing for monotonic counters read for display.
 */

/** Upper bounds (seconds) of the latency histogram buckets; a last bucket holds the rest (+Inf). */
export const LATENCY_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;
const BUCKET_US = LATENCY_BUCKETS_S.map((s) => s * 1e6);

// Float64 field indexes within a slot.
const REQUESTS = 0;
const EXCEPTIONS = 1;
const STATUS = 2; // 5 fields: 1xx .. 5xx
const TX = 7;
const RT_SUM_US = 8;
const READ_ERRORS = 9;
const WRITE_ERRORS = 10;
const IN_FLIGHT = 11;
const REQUEST_START_MS = 12;
const VARS = 13;
const HARAKIRI = 14;
const LABEL_LENGTH = 15;
const HISTOGRAM = 16; // LATENCY_BUCKETS_S.length + 1 fields
const FIELDS = HISTOGRAM + LATENCY_BUCKETS_S.length + 1;
const LABEL_OFFSET = FIELDS * 8;
const LABEL_BYTES = 256;
const SLOT_BYTES = Math.ceil((LABEL_OFFSET + LABEL_BYTES) / 8) * 8;
const SLOT_FIELDS = SLOT_BYTES / 8;

/** One core's figures, as read by the worker's main thread (plain data: crosses IPC). */
export interface CoreFigures {
  readonly requests: number;
  readonly exceptions: number;
  /** Responses by status class: [1xx, 2xx, 3xx, 4xx, 5xx]. */
  readonly statusClasses: readonly number[];
  readonly txBytes: number;
  /** Sum of response times, µs. */
  readonly responseMicros: number;
  readonly readErrors: number;
  readonly writeErrors: number;
  readonly harakiri: number;
  /** Requests per latency bucket (not cumulative), LATENCY_BUCKETS_S then +Inf. */
  readonly latencyBuckets: readonly number[];
  /** Requests in progress on this thread (an async app serves several at once). */
  readonly inFlight: number;
  /** The oldest request in progress, if any. */
  readonly current: { readonly startMs: number; readonly method: string; readonly uri: string; readonly vars: number } | undefined;
}

export class CoreSlots {
  static bytesFor(threads: number): number {
    return threads * SLOT_BYTES;
  }

  private readonly f64: Float64Array;
  private readonly u8: Uint8Array;
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();

  /**
   * `withQuery` (stats-vars): keep the URI's query string. Off, it is cut before it is stored: a
   * query often carries tokens, and the stats socket may be readable by more people than the
   * logs. Request headers and cookies are never stored.
   */
  constructor(readonly buffer: SharedArrayBuffer, private readonly withQuery = false) {
    this.f64 = new Float64Array(buffer);
    this.u8 = new Uint8Array(buffer);
  }

  get threads(): number {
    return this.buffer.byteLength / SLOT_BYTES;
  }

  /** Shows this request as the thread's current one (the oldest still in progress). */
  show(thread: number, method: string, uri: string, vars: number, startMs: number, inFlight = 1): void {
    const base = thread * SLOT_FIELDS;
    const at = thread * SLOT_BYTES + LABEL_OFFSET;
    const query = this.withQuery ? -1 : uri.indexOf('?');
    const end = query < 0 ? uri.length : query;
    let n = this.putAscii(method, method.length, at, LABEL_BYTES);
    if (n >= 0 && n < LABEL_BYTES) {
      this.u8[at + n++] = 0x20;
      const rest = this.putAscii(uri, end, at + n, LABEL_BYTES - n);
      n = rest < 0 ? -1 : n + rest;
    }
    if (n < 0) n = this.encoder.encodeInto(`${method} ${uri.slice(0, end)}`, this.labelView(thread)).written;
    this.f64[base + LABEL_LENGTH] = n;
    this.f64[base + VARS] = vars;
    this.f64[base + REQUEST_START_MS] = startMs;
    this.f64[base + IN_FLIGHT] = inFlight;
  }

  /**
   * Method and URI are ASCII in practice (nginx passes the URI percent-encoded): the first `end`
   * chars copied byte by byte, with no allocation on the hot path. Returns the bytes written (cut
   * at `room`), or -1 at the first non-ASCII character, when the caller falls back to TextEncoder.
   */
  private putAscii(s: string, end: number, at: number, room: number): number {
    const n = Math.min(end, room);
    const u8 = this.u8;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) return -1;
      u8[at + i] = c;
    }
    return n;
  }

  private labelView(thread: number): Uint8Array {
    const at = thread * SLOT_BYTES + LABEL_OFFSET;
    return this.u8.subarray(at, at + LABEL_BYTES);
  }

  inFlight(thread: number, n: number): void {
    this.f64[thread * SLOT_FIELDS + IN_FLIGHT] = n;
  }

  /** A response was finished: count it. */
  end(thread: number, status: number, txBytes: number, micros: number): void {
    const f = this.f64;
    const base = thread * SLOT_FIELDS;
    f[base + REQUESTS]++;
    const cls = (status / 100) | 0;
    if (cls >= 1 && cls <= 5) f[base + STATUS + cls - 1]++;
    f[base + TX] += txBytes;
    f[base + RT_SUM_US] += micros;
    let b = 0;
    while (b < BUCKET_US.length && micros > BUCKET_US[b]) b++;
    f[base + HISTOGRAM + b]++;
  }

  /** The connection closed before the response was finished. */
  abort(thread: number): void {
    this.f64[thread * SLOT_FIELDS + WRITE_ERRORS]++;
  }

  exception(thread: number): void {
    this.f64[thread * SLOT_FIELDS + EXCEPTIONS]++;
  }

  readError(thread: number): void {
    this.f64[thread * SLOT_FIELDS + READ_ERRORS]++;
  }

  harakiri(thread: number): void {
    this.f64[thread * SLOT_FIELDS + HARAKIRI]++;
  }

  /** A (replacement) thread starts: whatever request its predecessor had is over. */
  idle(thread: number): void {
    this.f64[thread * SLOT_FIELDS + IN_FLIGHT] = 0;
  }

  read(thread: number): CoreFigures {
    const f = this.f64;
    const base = thread * SLOT_FIELDS;
    let current: CoreFigures['current'];
    const inFlight = f[base + IN_FLIGHT];
    if (inFlight > 0) {
      const at = thread * SLOT_BYTES + LABEL_OFFSET;
      const label = this.decoder.decode(this.u8.slice(at, at + f[base + LABEL_LENGTH]));
      const space = label.indexOf(' ');
      current = { startMs: f[base + REQUEST_START_MS], method: label.slice(0, space), uri: label.slice(space + 1), vars: f[base + VARS] };
    }
    return {
      requests: f[base + REQUESTS],
      exceptions: f[base + EXCEPTIONS],
      statusClasses: Array.from(f.subarray(base + STATUS, base + STATUS + 5)),
      txBytes: f[base + TX],
      responseMicros: f[base + RT_SUM_US],
      readErrors: f[base + READ_ERRORS],
      writeErrors: f[base + WRITE_ERRORS],
      harakiri: f[base + HARAKIRI],
      inFlight,
      latencyBuckets: Array.from(f.subarray(base + HISTOGRAM, base + HISTOGRAM + LATENCY_BUCKETS_S.length + 1)),
      current,
    };
  }

  readAll(): CoreFigures[] {
    return Array.from({ length: this.threads }, (_, t) => this.read(t));
  }
}
