/**
 * A pino destination that gathers log lines for up to 20 ms and hands them to sonic-boom (in
 * sync mode, which retries EAGAIN on a non-blocking pipe) as one write(2).
 *
 * Why not sonic-boom's async mode: it sends every line through libuv's threadpool, a thread hop
 * and a wake-up per line, which cost ~20 µs of CPU per request behind nginx on 2 cores
 * (design-notes.md "Request logging"). One synchronous write per event-loop turn costs ~2 µs
 * per line; one write per 20 ms makes it negligible under load, and a line is never more than
 * 20 ms late.
 */

/** What LineBuffer writes to: pino.destination({ sync: true }). */
export interface LineSink {
  write(text: string): unknown;
}

/** Lines wait at most this long. */
const FLUSH_MS = 20;
/** More than this is written out at once. */
const MAX_PENDING = 64 * 1024;

export class LineBuffer {
  private pending = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly out: LineSink) {}

  write(line: string): void {
    this.pending += line;
    if (this.pending.length >= MAX_PENDING) this.flush();
    else if (this.timer === undefined) this.timer = setTimeout(this.flushLater, FLUSH_MS);
  }

  /** Everything written so far reaches the file or fd before this returns. */
  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending.length === 0) return;
    const text = this.pending;
    this.pending = '';
    this.out.write(text);
  }

  private readonly flushLater = (): void => {
    this.timer = undefined;
    this.flush();
  };
}
