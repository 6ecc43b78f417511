/**
 * Per app thread, in shared memory: a heartbeat the thread's event loop refreshes, and the
 * request the thread started last (start time, fd, whether its head went out, "METHOD URI").
 * A watchdog on another thread reads it: a thread stuck in synchronous code cannot answer a
 * message, but its stale heartbeat shows it. Used only when harakiri is set.
 */
const LABEL_BYTES = 480;
const HEARTBEAT = 0; // Float64, ms since epoch
const START = 8; // Float64, ms since epoch, 0 = no request
const FD = 16; // Int32
const HEAD_SENT = 20; // Int32
const LABEL_LENGTH = 24; // Int32
const LABEL = 28;
const SLOT_BYTES = 512;

export interface StuckThread {
  readonly thread: number;
  readonly stuckMs: number;
  readonly requestMs: number;
  readonly fd: number;
  readonly headSent: boolean;
  readonly method: string;
  readonly uri: string;
}

export class RequestSlots {
  static bytesFor(threads: number): number {
    return threads * SLOT_BYTES;
  }

  private readonly f64: Float64Array;
  private readonly i32: Int32Array;
  private readonly u8: Uint8Array;
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();

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

  begin(thread: number, fd: number, method: string, uri: string, now = Date.now()): void {
    const base = thread * SLOT_BYTES;
    const { written } = this.encoder.encodeInto(`${method} ${uri}`, this.u8.subarray(base + LABEL, base + LABEL + LABEL_BYTES));
    this.i32[(base + FD) / 4] = fd;
    this.i32[(base + HEAD_SENT) / 4] = 0;
    this.i32[(base + LABEL_LENGTH) / 4] = written;
    this.f64[(base + START) / 8] = now;
  }

  headSent(thread: number): void {
    this.i32[(thread * SLOT_BYTES + HEAD_SENT) / 4] = 1;
  }

  /** Forget the thread's last request (it finished, or harakiri dealt with it). */
  clear(thread: number): void {
    this.f64[(thread * SLOT_BYTES + START) / 8] = 0;
  }

  /** Threads whose heartbeat is older than limitMs while a request is on them. */
  stuck(limitMs: number, now = Date.now()): StuckThread[] {
    const out: StuckThread[] = [];
    for (let t = 0; t < this.threads; t++) {
      const base = t * SLOT_BYTES;
      const beat = this.f64[(base + HEARTBEAT) / 8];
      const start = this.f64[(base + START) / 8];
      if (beat === 0 || start === 0 || now - beat <= limitMs) continue;
      const label = this.decoder.decode(this.u8.slice(base + LABEL, base + LABEL + this.i32[(base + LABEL_LENGTH) / 4]));
      const space = label.indexOf(' ');
      out.push({
        thread: t,
        stuckMs: now - beat,
        requestMs: now - start,
        fd: this.i32[(base + FD) / 4],
        headSent: this.i32[(base + HEAD_SENT) / 4] === 1,
        method: label.slice(0, space),
        uri: label.slice(space + 1),
      });
    }
    return out;
  }
}
