/**
 * A pino destination that gathers the lines written during one event-loop turn and hands them
 * to sonic-boom (in sync mode, which retries EAGAIN on a non-blocking pipe) as one write(2).
 *
 * Why not sonic-boom's async mode: it sends every line through libuv's threadpool, a thread
 * hop and a wake-up per line, which cost ~20 µs of CPU per request behind nginx on 2 cores
 * (design-notes.md "Request logging"). One synchronous append per turn costs ~2 µs, and under
 * load a turn carries many requests' lines.
 */
/** What TurnBuffer writes to: pino.destination({ sync: true }). */
export interface LineSink {
  write(text: string): unknown;
}

/** A turn that logs this much is written out at once instead of at the end of the turn. */
const MAX_PENDING = 64 * 1024;

export class TurnBuffer {
  private pending = '';
  private scheduled = false;

  constructor(private readonly out: LineSink) {}

  write(line: string): void {
    this.pending += line;
    if (this.pending.length >= MAX_PENDING) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushTurn);
    }
  }

  /** Everything written so far reaches the file or fd before this returns. */
  flush(): void {
    if (this.pending.length === 0) return;
    const text = this.pending;
    this.pending = '';
    this.out.write(text);
  }

  private readonly flushTurn = (): void => {
    this.scheduled = false;
    this.flush();
  };
}
