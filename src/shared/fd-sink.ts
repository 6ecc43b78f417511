/**
 * Where log lines end up: a file descriptor (logto's file, or stdout) written synchronously,
 * behind LineBuffer's 20 ms batching. A log that cannot be written — a full disk, a closed
 * stdout pipe, a terminal that went away — never takes the process down: pino's destination
 * (sonic-boom) emits such a failure as an 'error' event that nobody handles, and a full disk
 * under logto ended every worker and then the master. Here the lines are dropped and counted;
 * stderr (systemd's journal, Docker's log) gets one line about it per REPORT_EVERY_MS, and the
 * log itself gets one line with the count once writing works again, so the gap is visible.
 */
import fs from 'node:fs';
import type { LineSink } from './line-buffer';

/** How long a non-blocking fd (a pipe someone made O_NONBLOCK) may push back before lines are dropped. */
const EAGAIN_PATIENCE_MS = 1000;
const REPORT_EVERY_MS = 30_000;
/** While lines are being dropped, how often the count is tried again without new lines. */
const RETRY_MS = 1000;

export type DropReport = (message: string) => void;

const toStderr: DropReport = (message) => {
  try {
    fs.writeSync(2, `${message}\n`);
  } catch {
    // stderr is gone too: nothing left to tell.
  }
};

const pause = new Int32Array(new SharedArrayBuffer(4));

export class FdSink implements LineSink {
  private dropped = 0;
  private lastError = '';
  private retry: NodeJS.Timeout | undefined;
  private reportedAt = -Infinity;

  constructor(
    private readonly fd: number,
    /** For the messages: the file's path, or "stdout". */
    private readonly name: string,
    private readonly report: DropReport = toStderr,
  ) {}

  /** Bytes are written before this returns (LineBuffer reuses its buffer). */
  write(data: string | Buffer): void {
    if (this.dropped > 0) this.tellDropped();
    if (this.tryWrite(data)) return;
    this.dropped += countLines(data);
    // A process that logs nothing more after the disk has room again still says what it lost.
    this.retry ??= setInterval(() => this.tellDropped(), RETRY_MS).unref();
    const now = Date.now();
    if (now - this.reportedAt >= REPORT_EVERY_MS) {
      this.reportedAt = now;
      this.report(`tsuwsgi (pid ${process.pid}): cannot write the log to ${this.name}: ${this.lastError}; ${this.dropped} line(s) dropped so far`);
    }
  }

  /** Writes the count of dropped lines, once the log takes writes again. */
  private tellDropped(): void {
    // On a fresh line: a write cut by the full disk, ours or another process's (every process
    // appends to the same file), may have left the file in the middle of a line.
    if (!this.tryWrite(`\n${droppedLine(this.dropped, this.lastError)}`)) return;
    this.dropped = 0;
    clearInterval(this.retry);
    this.retry = undefined;
  }

  /** Nothing is held here: every write went to the fd or was dropped. */
  flushSync(): void {}

  close(): void {
    clearInterval(this.retry);
    try {
      fs.closeSync(this.fd);
    } catch {
      // Already closed.
    }
  }

  /** The whole text, retrying partial writes and a short EAGAIN; false (text dropped) on failure. */
  private tryWrite(data: string | Buffer): boolean {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    let off = 0;
    let waitedMs = 0;
    while (off < buf.length) {
      try {
        off += fs.writeSync(this.fd, buf, off, buf.length - off);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'error';
        if (code === 'EAGAIN' && waitedMs < EAGAIN_PATIENCE_MS) {
          Atomics.wait(pause, 0, 0, 1);
          waitedMs++;
          continue;
        }
        this.lastError = code;
        return false;
      }
    }
    return true;
  }
}

function countLines(data: string | Buffer): number {
  let n = 0;
  // A string's '\n' and a buffer's byte 10 (indexOf takes either).
  for (let i = data.indexOf('\n'); i !== -1; i = data.indexOf('\n', i + 1)) n++;
  return n === 0 ? 1 : n;
}

/** A pino-shaped warning line: the log says where its gap is. */
function droppedLine(count: number, code: string): string {
  return `${JSON.stringify({ level: 40, time: Date.now(), pid: process.pid, event: 'log-lines-dropped', lines: count, code, msg: `${count} log line(s) could not be written (${code}) and were dropped` })}\n`;
}
