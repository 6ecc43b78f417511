/**
 * A pino destination that gathers log lines for up to 20 ms and hands them to sonic-boom (in
 * sync mode, which retries EAGAIN on a non-blocking pipe) as one write(2).
 *
 * Why not sonic-boom's async mode: it sends every line through libuv's threadpool, a thread hop
 * and a wake-up per line, which cost ~20 µs of CPU per request behind nginx on 2 cores
 * (design-notes.md "Request logging"). One synchronous write per event-loop turn costs ~2 µs
 * per line; one write per 20 ms makes it negligible under load, and a line is never more than
 * 20 ms late.
 *
 * Each line is encoded into one reused buffer as it comes, not joined into a string: a joined
 * string is a tree of every piece of every line, which lives through a scavenge or two and is
 * walked, cold, to be flattened and encoded at the flush (~3 % of a worker's CPU behind nginx;
 * design-notes.md "Request logging").
 */

/** What LineBuffer writes to. Bytes are lent for the call only: the buffer is written again next. */
export interface LineSink {
  write(data: string | Buffer): unknown;
}

/** Lines wait at most this long. */
const FLUSH_MS = 20;
/** What is held at most; a line that does not fit in what is left is written after a flush. */
const CAPACITY = 64 * 1024;
/** UTF-8 takes at most 3 bytes per UTF-16 unit (4 for a pair of them). */
const MAX_BYTES_PER_UNIT = 3;

export class LineBuffer {
  private bytes: Buffer | undefined;
  private used = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly out: LineSink) {}

  write(line: string): void {
    const room = CAPACITY - this.used;
    if (line.length * MAX_BYTES_PER_UNIT > room && Buffer.byteLength(line) > room) {
      this.flush();
      if (Buffer.byteLength(line) > CAPACITY) {
        // Larger than the buffer: written alone, in order (everything before it just was).
        this.out.write(line);
        return;
      }
    }
    this.bytes ??= Buffer.allocUnsafe(CAPACITY);
    this.used += this.bytes.write(line, this.used);
    if (this.used >= CAPACITY) this.flush();
    else if (this.timer === undefined) this.timer = setTimeout(this.flushLater, FLUSH_MS);
  }

  /** Everything written so far reaches the file or fd before this returns. */
  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.used === 0) return;
    const held = (this.bytes as Buffer).subarray(0, this.used);
    this.used = 0;
    this.out.write(held);
  }

  private readonly flushLater = (): void => {
    this.timer = undefined;
    this.flush();
  };
}
