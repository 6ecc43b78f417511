/**
 * The scoreboard: what a worker process knows about its app threads' requests, in ONE
 * SharedArrayBuffer (uWSGI's `uwsgi.workers[].cores[]`). Every app thread owns one ROW; a row
 * holds the thread's COUNTERS, its HEARTBEAT, and its IN-FLIGHT TABLE of ENTRIES, one entry per
 * request the app is handling. Written once per request (request start, request end: the hooks
 * in worker/request-hooks.ts), and read by everyone who needs to know:
 *
 *   the stats server ....... the worker's main thread reads every row when the master asks
 *   harakiri ............... a watchdog on another thread finds the stuck thread's requests
 *   recycling .............. max-requests sums the rows' request counts after each request
 *   the cheaper ............ the master's adaptive scaling asks each worker for its busy time
 *   SIGUSR1 / fifo s ....... the worker's main thread reads every row; a stale heartbeat names
 *                            a thread that is not answering
 *
 * Native byte order (the buffer never leaves the process). Row t starts at t × ROW_BYTES.
 *
 * Row header: ROW_FIELDS Float64 (exact integers up to 2^53), byte offset = field × 8
 *
 *   field  name          written by               meaning
 *   0      BEAT          the row's thread, 100 ms ms since epoch of its last heartbeat; 0 = no live
 *                        (the host: 0 on exit)    thread on this row (not started, ended, replaced)
 *   1      STARTED       the row's thread         requests handed to the app            (always)
 *   2      EXCEPTIONS    the row's thread         app faults: a handler's throw, uncaught, rejection
 *   3      HARAKIRI      the row's thread; the    requests harakiri stopped
 *                        watchdog for a stuck one
 *   4      OVERFLOW      the row's thread         requests in flight the full table could not hold
 *   5      CONNECTIONS   the row's thread, 100 ms open connections at the last heartbeat
 *   6      FINISHED      the row's thread         responses finished                    (stats)
 *   7-11   STATUS        the row's thread         finished responses by class 1xx..5xx  (stats)
 *   12     TX_BYTES      the row's thread         bytes of finished responses           (stats)
 *   13     RT_SUM_US     the row's thread         summed response times, µs             (stats)
 *   14     READ_ERRORS   the row's thread         requests that could not be read       (stats)
 *   15     WRITE_ERRORS  the row's thread         responses cut short (the peer left)   (stats)
 *   16-27  LATENCY       the row's thread         finished responses per latency bucket (stats)
 *   28     BUSY_US       the row's thread         µs this thread had a request in flight, summed over
 *                                                 its busy periods that ended           (cheaper)
 *   29     BUSY_SINCE    the row's thread; the    ms since epoch its current busy period began;
 *                        host (0 on reset)        0 = no request in flight               (cheaper)
 *   30     UPGRADED      the row's thread, 100 ms open connections the app took over (WebSocket,
 *                                                 CONNECT) at the last heartbeat
 *   31     TID           the row's thread, once   its kernel thread id (/proc/thread-self): the host
 *                                                 reads its CPU time from /proc/self/task/TID/stat
 *                                                 to decide whether another thread would help
 *
 * In-flight table: TABLE_ENTRIES entries of ENTRY_BYTES after the header
 *
 *   +0    Float64  START         ms since epoch when the app got the request
 *   +8    Int32    ID            the request's number on this row (1..2^31-1); 0 = free entry
 *   +12   Int32    FD            its connection's fd, for harakiri's 504 (-1: harakiri off)
 *   +16   Int32    HEAD_SENT     1 once its response head is out (a 504 could not follow it)
 *   +20   Int32    VARS          its uwsgi var count, for the stats' `vars`   (stats; else 0)
 *   +24   Int32    LABEL_LENGTH  bytes of LABEL in use
 *   +28   LABEL    "METHOD URI" in UTF-8 (query string included), cut at a character boundary
 *
 * Why no locks are needed:
 * - One writer per row: the row's own thread. The only other writers act on a row whose thread
 *   is not running: the watchdog sets BEAT to 0 and counts HARAKIRI for a thread stuck in
 *   synchronous code that it is about to end, and the host sets BEAT to 0 for a thread that
 *   exited. A replacement thread clears its table and OVERFLOW before its first beat.
 * - Counters are monotonic Float64s read for display (and max-requests, which tolerates one
 *   request of lag): an aligned 8-byte store is not torn on the platforms Node runs on, and a
 *   reader racing a writer sees a request counted before its duration at worst; the next read
 *   agrees.
 * - An entry is a tiny seqlock: its fields are written while its ID is 0 (free, so readers skip
 *   it), then ID is published with Atomics.store; a reader loads ID with Atomics.load before and
 *   after copying the fields and drops the copy when the two differ (the entry ended and was
 *   reused meanwhile; request numbers do not repeat). The Atomics make the publication ordered
 *   and keep the compiler from merging the two loads. One Atomics.store per request; the rest
 *   are plain stores. On weakly ordered CPUs (arm64) a read racing a reuse may in theory pair
 *   fields of two requests: that is display only, because harakiri acts only on a thread whose
 *   heartbeat stopped, i.e. one that is not writing.
 */
/** How often an app thread's event loop refreshes BEAT (readers judge staleness by it). */
export const BEAT_MS = 100;

export const ROW_FIELDS = 32;
export const HEADER_BYTES = ROW_FIELDS * 8;

export const BEAT = 0;
export const STARTED = 1;
export const EXCEPTIONS = 2;
export const HARAKIRI = 3;
export const OVERFLOW = 4;
export const CONNECTIONS = 5;
export const FINISHED = 6;
/** Five fields: 1xx .. 5xx. */
export const STATUS = 7;
export const TX_BYTES = 12;
export const RT_SUM_US = 13;
export const READ_ERRORS = 14;
export const WRITE_ERRORS = 15;
/** LATENCY_BUCKETS_S.length + 1 fields (11 bounds and +Inf): through field 27. */
export const LATENCY = 16;
/** The cheaper's busyness: time with at least one request in flight (an async app's overlap counts once). */
export const BUSY_US = 28;
export const BUSY_SINCE = 29;
export const UPGRADED = 30;
export const TID = 31;

export const TABLE_ENTRIES = 32;
export const ENTRY_BYTES = 256;
export const START = 0;
export const ID = 8;
export const FD = 12;
export const HEAD_SENT = 16;
export const VARS = 20;
export const LABEL_LENGTH = 24;
export const LABEL = 28;
export const LABEL_BYTES = ENTRY_BYTES - LABEL;

export const ROW_BYTES = HEADER_BYTES + TABLE_ENTRIES * ENTRY_BYTES;

/** The buffer for a worker with `threads` app threads. */
export function boardBytes(threads: number): number {
  return threads * ROW_BYTES;
}

/** Byte offset of an entry of a row. */
export function entryAt(row: number, entry: number): number {
  return row * ROW_BYTES + HEADER_BYTES + entry * ENTRY_BYTES;
}

/** The typed views every reader and writer uses over the one buffer. */
export class BoardView {
  readonly f64: Float64Array;
  readonly i32: Int32Array;
  readonly u8: Uint8Array;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.f64 = new Float64Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.u8 = new Uint8Array(buffer);
  }

  get rows(): number {
    return this.buffer.byteLength / ROW_BYTES;
  }

  /** Float64 index of a header field of a row. */
  field(row: number, field: number): number {
    return row * (ROW_BYTES / 8) + field;
  }
}
